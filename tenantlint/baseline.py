"""The baseline: known findings that are tolerated while a migration runs in phases.

An entry is keyed by path (relative to the project root, `/`-separated), rule code, model or
table name and an occurrence index, never by line: inserting lines above a model keeps it
matched. The occurrence index counts findings with the same path, code and name in source
order, so two `Product` classes in one file, or three `"products.id"` references, are distinct
entries. When the count for a key grows, the extra occurrences (the last ones in the file) are
reported; when it shrinks, the highest indexes go stale.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.atomic import write_atomic
from tenantlint.config import DEFAULT_MAX_FILE_SIZE, Config
from tenantlint.files import read_regular
from tenantlint.findings import Finding
from tenantlint.report import plural

if TYPE_CHECKING:
    from tenantlint.engine import Analysis

VERSION = 1
_ENTRY_KEYS = {"path", "code", "model", "occurrence"}


class BaselineError(Exception):
    """A missing or malformed baseline file; the CLI turns it into exit 2."""


class NotUpdated(BaselineError):
    """`--update-baseline` with files that could not be parsed: their findings are unknown, so
    the baseline is kept as it is. `errors` are shown before the message."""

    def __init__(self, message: str, errors: list[Finding]):
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class BaselineEntry:
    path: str  # relative to the project root, `/`-separated
    code: str
    model: str | None  # class or table name (None for a finding that names neither)
    occurrence: int  # 0-based, among entries with the same path, code and model, in source order

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.code, self.model or "", self.occurrence)

    def as_dict(self) -> dict:
        return {"path": self.path, "code": self.code, "model": self.model, "occurrence": self.occurrence}


@dataclass(frozen=True)
class BaselineResult:
    """What a baseline does to one run's findings."""

    reported: list[Finding]  # not in the baseline: shown, and they fail the run
    baselined: int  # findings the baseline hid
    current: frozenset[BaselineEntry]  # every finding of this run, as an entry
    stale: frozenset[BaselineEntry]  # entries in scope that no longer occur


def resolve_path(cli_value: Path | None, config: Config) -> Path | None:
    """`--baseline` is relative to the current directory, the config key to the project root."""
    if cli_value is not None:
        return cli_value
    if config.baseline is not None:
        return config.root / config.baseline
    return None


def check_writable(path: Path, root: Path, name: str) -> None:
    """Only a baseline inside the project root is ever written. `--baseline` may name a file
    anywhere (through symlinks too): it is read, but never written outside the project."""
    real, inside = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    if not real.is_relative_to(inside):
        raise BaselineError(
            f"baseline file {name} is outside the project root {inside}: --update-baseline only writes "
            "a baseline inside it (one outside is read, never written)"
        )


def key_findings(findings: Sequence[Finding],
                 relative: Callable[[Finding], str]) -> list[tuple[Finding, BaselineEntry]]:
    """Each finding with its entry; occurrences are counted in source order."""
    seen: dict[tuple, int] = {}
    keyed = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        key = (relative(finding), finding.code, finding.model)
        index = seen.get(key, 0)
        seen[key] = index + 1
        keyed.append((finding, BaselineEntry(*key, index)))
    return keyed


def in_scope(entry: BaselineEntry, targets: Sequence[str], config: Config) -> bool:
    """Whether this run could have produced the entry: under a target path and a selected rule.
    `targets` are root-relative posix paths ("." is the whole project)."""
    if config.select and not any(entry.code.startswith(s) for s in config.select):
        return False
    if any(entry.code.startswith(i) for i in config.ignore):
        return False
    return any(t == "." or entry.path == t or entry.path.startswith(t.rstrip("/") + "/") for t in targets)


def apply(baseline: frozenset[BaselineEntry], keyed: Sequence[tuple[Finding, BaselineEntry]],
          scope: Callable[[BaselineEntry], bool]) -> BaselineResult:
    # a finding about code that is broken now (a table moved after the baseline was recorded) is new
    reported = [finding for finding, entry in keyed if entry not in baseline or finding.breaks_now]
    current = frozenset(entry for _, entry in keyed)
    stale = frozenset(e for e in baseline if scope(e) and e not in current)
    return BaselineResult(reported, len(keyed) - len(reported), current, stale)


def updated(baseline: frozenset[BaselineEntry], outcome: BaselineResult,
            scope: Callable[[BaselineEntry], bool]) -> frozenset[BaselineEntry]:
    """`check --update-baseline`: this run's findings, plus the entries the run did not look at."""
    return frozenset(e for e in baseline if not scope(e)) | outcome.current


def shrunk(baseline: frozenset[BaselineEntry], outcome: BaselineResult) -> frozenset[BaselineEntry]:
    """`fix --update-baseline`: only drops entries that no longer occur, never adds one."""
    return baseline - outcome.stale


def dumps(entries: Iterable[BaselineEntry]) -> str:
    """One entry per line, sorted by path, code, name and occurrence: a migrated model is a
    one-line deletion in review, and two branches touching different files merge cleanly."""
    lines = [json.dumps(e.as_dict(), ensure_ascii=False) for e in sorted(entries, key=lambda e: e.sort_key)]
    body = "[\n" + ",\n".join(f"    {line}" for line in lines) + "\n  ]" if lines else "[]"
    return f'{{\n  "version": {VERSION},\n  "entries": {body}\n}}\n'


def loads(text: str, name: str) -> frozenset[BaselineEntry]:
    """Parse and validate a baseline document; every problem names the file."""

    def bad(reason: str) -> BaselineError:
        return BaselineError(f"baseline file {name} is malformed: {reason}")

    entries: set[BaselineEntry] = set()
    for number, raw in enumerate(_entries(text, bad), 1):
        entry = _entry(number, raw, bad)
        if entry in entries:
            raise bad(f"entry {number} is a duplicate: {json.dumps(raw)}")
        entries.add(entry)
    return frozenset(entries)


def _entries(text: str, bad: Callable[[str], BaselineError]) -> list:
    """The raw entries of a document whose JSON, keys and version are right."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON ({exc})") from exc
    except RecursionError:
        raise bad("not valid JSON (arrays or objects nested too deeply)") from None
    except ValueError:  # int() refuses more digits than the interpreter's limit
        raise bad(f"not valid JSON (a number has more than {sys.get_int_max_str_digits()} digits)") from None
    if not isinstance(document, dict) or set(document) != {"version", "entries"}:
        raise bad('expected an object with the keys "version" and "entries"')
    version = document["version"]
    if type(version) is not int or version != VERSION:  # true == 1 and 1.0 == 1 in Python
        raise bad(f"unsupported version {json.dumps(version)} (expected {VERSION})")
    if not isinstance(document["entries"], list):
        raise bad('"entries" must be a list')
    return document["entries"]


def _entry(number: int, raw: object, bad: Callable[[str], BaselineError]) -> BaselineEntry:
    if not (
        isinstance(raw, dict)
        and set(raw) == _ENTRY_KEYS
        and isinstance(raw["path"], str) and raw["path"]
        and isinstance(raw["code"], str) and raw["code"]
        and (raw["model"] is None or isinstance(raw["model"], str))
        and type(raw["occurrence"]) is int and raw["occurrence"] >= 0
    ):
        raise bad(f"entry {number} must be an object with path, code (strings), model (string or null) "
                  f"and occurrence (an integer >= 0), got {json.dumps(raw)}")
    return BaselineEntry(raw["path"], raw["code"], raw["model"], raw["occurrence"])


def load(path: Path, name: str, missing_ok: bool = False,
         limit: int = DEFAULT_MAX_FILE_SIZE) -> frozenset[BaselineEntry]:
    try:
        text = read_regular(path, limit).decode("utf-8")  # `--baseline /dev/zero` is refused, not read
    except FileNotFoundError as exc:
        if missing_ok:
            return frozenset()
        raise BaselineError(
            f"baseline file {name} does not exist; create it with `tenantlint check --baseline {name} --update-baseline`"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise BaselineError(f"cannot read baseline file {name}: {reason}") from exc
    return loads(text, name)


def save(path: Path, entries: Iterable[BaselineEntry]) -> bool:
    """Write atomically, and only when the content changes (no mtime churn for pre-commit)."""
    text = dumps(entries)
    try:
        if read_regular(path, len(text.encode("utf-8"))).decode("utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text.encode("utf-8"))
    return True


def notes(outcome: BaselineResult, name: str) -> list[str]:
    """What a run with a baseline says after its summary (the ratchet)."""
    lines = []
    if outcome.baselined:
        lines.append(f"{plural(outcome.baselined, 'known problem')} in baseline {name} not shown.")
    if outcome.stale:
        one = len(outcome.stale) == 1
        lines.append(
            f"{plural(len(outcome.stale), 'baseline entry', 'baseline entries')} no longer "
            f"{'occurs' if one else 'occur'}; run with --update-baseline to remove {'it' if one else 'them'} from {name}."
        )
    return lines


def update_note(before: frozenset[BaselineEntry], after: frozenset[BaselineEntry], name: str) -> str:
    added, removed = len(after - before), len(before - after)
    return f"Baseline {name}: {plural(len(after), 'entry', 'entries')} ({added} added, {removed} removed)."


@dataclass(frozen=True)
class InEffect:
    """The baseline a run uses, read before anything is written."""

    path: Path
    name: str  # as the user sees it
    entries: frozenset[BaselineEntry]


def open_in_effect(cli_value: Path | None, config: Config, update: bool, grow: bool) -> InEffect | None:
    """The baseline in effect, or None. Only `check --update-baseline` (`grow`) may start from a
    missing file; with `update`, one that cannot be written is refused before `fix` changes files."""
    from tenantlint.engine import display_path

    path = resolve_path(cli_value, config)
    if path is None:
        return None
    name = display_path(path).as_posix()
    if update:
        check_writable(path, config.root, name)
    return InEffect(path, name, load(path, name, missing_ok=update and grow, limit=config.max_file_size))


def screen(analysis: Analysis, targets: Sequence[Path], known: InEffect | None, update: bool,
           grow: bool) -> tuple[list[Finding], list[str]]:
    """The findings the baseline lets through, and its notes; with `update`, write it first
    (`check` records the current findings, `fix` only drops entries that no longer occur)."""
    from tenantlint.files import FileSelector

    if known is None:
        return analysis.findings, []
    keyed = key_findings(analysis.findings, lambda f: analysis.relative.get(f.path, f.path.as_posix()))
    selector = FileSelector(analysis.config)
    scope_targets = [selector.relative(t) for t in targets]

    def scope(entry: BaselineEntry) -> bool:
        return in_scope(entry, scope_targets, analysis.config)

    outcome = apply(known.entries, keyed, scope)
    if not update:
        return outcome.reported, notes(outcome, known.name)
    if analysis.errors:
        raise NotUpdated(f"baseline file {known.name} not updated: some files could not be parsed", analysis.errors)
    new = updated(known.entries, outcome, scope) if grow else shrunk(known.entries, outcome)
    try:
        save(known.path, new)
    except OSError as exc:
        raise BaselineError(f"cannot write baseline file {known.name}: {exc.strerror or exc}") from exc
    kept = notes(replace(outcome, stale=frozenset()), known.name) if not grow else []
    return outcome.reported, kept + [update_note(known.entries, new, known.name)]
