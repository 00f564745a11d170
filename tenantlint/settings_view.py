"""`check --show-settings` and `check --show-files`: the configuration and the files a run would
use, as ruff shows them, so a config that is silently not the one you meant is seen at once."""

from __future__ import annotations

import json
import os
from dataclasses import fields, replace
from pathlib import Path

from tenantlint.config import Config

# Fields of Config that are not keys of `[tool.tenantlint]`.
_NOT_KEYS = ("root", "source", "extra")


def _shown(path: Path) -> str:
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _toml(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
    return str(value)


def show_settings(config: Config) -> str:
    """The resolved settings as a `[tool.tenantlint]` table (the command line applied; `select`
    and `ignore` as the full lists of codes), under a comment naming the file they came from."""
    from tenantlint.overrides import Layer, resolve

    config = resolve(config, Layer())  # the same choice of rules, as full lists
    origin = f"from {_shown(config.source)}" if config.source else "the defaults (no [tool.tenantlint] table found)"
    lines = [f"# Settings: {origin}; project root: {_shown(config.root)}", "[tool.tenantlint]"]
    for item in fields(config):
        if item.name in _NOT_KEYS:
            continue
        key, value = item.name.replace("_", "-"), getattr(config, item.name)
        lines.append(f"# {key}: not set" if value is None else f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def show_files(targets: list[Path], config: Config) -> str:
    """Every Python file the run would meet, one line each, marked `tenant` (reported on, in a
    tenant path), `checked` (reported on, outside the tenant paths), `context` (read for its
    names only) or `excluded` (matched by `exclude`: never read)."""
    from tenantlint.files import FileSelector

    selector = FileSelector(config)
    discovery = selector.discover(targets)
    marks = {path: "tenant" if selector.is_tenant(path) else "checked" for path in discovery.in_scope}
    marks.update((path, "context") for path in discovery.context if path not in marks)
    if config.exclude:
        unfiltered = FileSelector(replace(config, exclude=())).discover(targets)
        marks.update((p, "excluded") for p in (*unfiltered.in_scope, *unfiltered.context) if p not in marks)
    rows = sorted((_shown(path), mark) for path, mark in marks.items())
    return "".join(f"{mark:<8}  {path}\n" for path, mark in rows)
