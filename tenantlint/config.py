"""`[tool.tenantlint]` in pyproject.toml: discovery, validation and the resolved settings."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_COMMIT_MESSAGE = "feat(models): add tenant schema to {file} ({models})"
DEFAULT_MAX_FILE_SIZE = 10_000_000  # bytes; no hand-written model file comes near it


class ConfigError(Exception):
    """A bad config file, key or value; the CLI turns it into exit 2."""


@dataclass(frozen=True)
class Config:
    root: Path  # the project root: globs and reported paths are relative to it
    source: Path | None = None  # the file the settings came from, if any
    tenant_paths: tuple[str, ...] = ("**/models/user/**",)
    schema: str = "tenant"
    comment: str = "Placeholder for schema_translate_map"
    base_classes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    commit_message: str = DEFAULT_COMMIT_MESSAGE
    baseline: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # a larger file is TNT000, never read whole
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def selects(self, code: str) -> bool:
        """Whether a rule code is reported under `select` / `ignore` (codes or prefixes)."""
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(i) for i in self.ignore)

    @property
    def comment_text(self) -> str:
        return "# " + self.comment.lstrip("# ")


# TOML key -> (dataclass field, expected type description, validator)
def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _positive_int(value: object) -> bool:
    return type(value) is int and value > 0  # not a bool


_KEYS = {
    "tenant-paths": ("tenant_paths", "a list of glob strings", _str_list),
    "schema": ("schema", "a non-empty string", _nonempty_str),
    "comment": ("comment", "a non-empty string", _nonempty_str),
    "base-classes": ("base_classes", "a list of qualified names", _str_list),
    "exclude": ("exclude", "a list of glob strings", _str_list),
    "select": ("select", "a list of rule codes", _str_list),
    "ignore": ("ignore", "a list of rule codes", _str_list),
    "commit-message": ("commit_message", "a non-empty string", _nonempty_str),
    "baseline": ("baseline", "a file path string", _nonempty_str),
    "max-file-size": ("max_file_size", "a positive integer (bytes)", _positive_int),
}


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc


def _has_section(pyproject: Path) -> bool:
    try:
        return "tenantlint" in _read_toml(pyproject).get("tool", {})
    except ConfigError:
        return False


def find_config_file(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.tenantlint] table, from `start` upwards."""
    start = Path(os.path.realpath(start))  # unlike Path.resolve, never raises on a symlink loop
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_section(candidate):
            return candidate
    return None


def find_project_root(start: Path) -> Path:
    """Without a config file: the nearest folder holding .git or pyproject.toml, else `start`."""
    start = Path(os.path.realpath(start))  # unlike Path.resolve, never raises on a symlink loop
    folder = start if start.is_dir() else start.parent
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists() or (candidate / "pyproject.toml").is_file():
            return candidate
    return folder


def parse_table(table: object, root: Path, source: Path | None) -> Config:
    """Validate the raw `[tool.tenantlint]` table; every problem names its key."""
    where = f" (in {source})" if source else ""
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.tenantlint] must be a table{where}")
    values: dict = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown config key `{key}`{where}; known keys: {known}")
        attr, expected, valid = _KEYS[key]
        if not valid(value):
            raise ConfigError(f"config key `{key}` must be {expected}, got {value!r}{where}")
        values[attr] = tuple(value) if isinstance(value, list) else value
    for key in ("select", "ignore"):
        for code in values.get(key, ()):
            if not _is_rule_code(code):
                raise ConfigError(f"config key `{key}` has an unknown rule code {code!r}{where}")
    if "comment" in values and "\n" in values["comment"]:
        raise ConfigError(f"config key `comment` must be a single line{where}")
    return Config(root=root, source=source, **values)


def _is_rule_code(code: str) -> bool:
    from tenantlint.catalogue import is_known_selector

    return is_known_selector(code)


def load_config(config_file: Path | None, paths: list[Path]) -> Config:
    """Settings from `--config FILE`, else the nearest pyproject.toml, else the defaults."""
    if config_file is not None:
        data = _read_toml(config_file)
        table = data.get("tool", {}).get("tenantlint", data.get("tenantlint", {}))
        return parse_table(table, config_file.resolve().parent, config_file)
    start = paths[0] if paths else Path.cwd()
    found = find_config_file(start)
    if found is None:
        return Config(root=find_project_root(start))
    table = _read_toml(found)["tool"]["tenantlint"]
    return parse_table(table, found.parent, found)


def config_fingerprint(config: Config) -> str:
    """What the cache keys on: every setting that can change a finding."""
    parts = [f"{f.name}={getattr(config, f.name)!r}" for f in fields(config) if f.name not in ("source", "extra")]
    return "|".join(parts)
