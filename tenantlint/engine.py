"""One run: find the files, read the facts of the relevant ones, apply the rules, apply fixes."""

from __future__ import annotations

import ast
import io
import logging
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from tenantlint.checker import Checker, SourceFile
from tenantlint.config import Config
from tenantlint.files import FileSelector
from tenantlint.findings import Finding
from tenantlint.summary import ModuleSummary, split_lines, summarize

# A file that names none of these cannot hold a model, a table or a table reference; it is
# not parsed at all (most files of a monorepo). Names of the project's own declarative
# classes are added in a second pass, for modules that re-export them.
_MARKERS = re.compile(
    rb"__table|__abstract__|Column|mapped_column|ForeignKey|foreign_key|relationship|\.tables\[|Table\(|"
    rb"table=True|Enum\(|Sequence\(|declarative|DeclarativeBase|SQLAlchemy|registry|sqlmodel|SQLModel|Field\("
)


def display_path(path: Path) -> Path:
    """Relative to the current directory, as ruff and flake8 print paths."""
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path


@dataclass(frozen=True)
class Loaded:
    """A file read from disk: its facts, or why it could not be read (TNT000)."""

    path: Path
    data: bytes | None
    summary: ModuleSummary | None = None
    lines: tuple[str, ...] = ()
    error: str | None = None
    error_line: int = 1
    error_col: int = 1


def read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def decode(data: bytes) -> str:
    """The text of a Python source file, by its coding cookie or BOM (PEP 263)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def load(path: Path, relative: str, data: bytes | None = None) -> Loaded:
    try:
        if data is None:
            data = read_bytes(path)
    except OSError as exc:
        return Loaded(path, None, error=f"cannot read file: {exc.strerror or exc}")
    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return Loaded(path, data, error=f"cannot decode file: {exc}")
    try:
        tree = ast.parse(data, filename=str(path))
    except SyntaxError as exc:
        return Loaded(path, data, error=f"syntax error: {exc.msg}", error_line=exc.lineno or 1, error_col=exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return Loaded(path, data, error=f"cannot parse file: {exc or type(exc).__name__}")
    lines = tuple(split_lines(text))
    try:
        summary = summarize(tree, text, relative)
    except RecursionError:
        return Loaded(path, data, error="file too deeply nested to analyse")
    except Exception as exc:  # one odd file must not stop the run; the traceback is behind -v
        logging.getLogger("tenantlint").debug("while analysing %s", path, exc_info=True)
        return Loaded(path, data, error=f"internal error while analysing the file: {type(exc).__name__}: {exc}")
    return Loaded(path, data, summary, lines)


@dataclass
class Analysis:
    config: Config
    files: list[SourceFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)  # TNT000: files that could not be read

    @property
    def data(self) -> dict[Path, bytes]:
        return self._data

    def __post_init__(self) -> None:
        self._data: dict[Path, bytes] = {}


def _parse_error(loaded: Loaded) -> Finding:
    return Finding(
        "TNT000", loaded.error or "cannot parse", display_path(loaded.path),
        loaded.error_line, max(loaded.error_col, 1), loaded.error_line, max(loaded.error_col, 1),
    )


def analyze(paths: list[Path], config: Config) -> Analysis:
    selector = FileSelector(config)
    discovery = selector.discover(paths)
    analysis = Analysis(config)
    loaded: list[tuple[Loaded, bool, bool]] = []  # (file, in scope, tenant)
    skipped: list[tuple[Path, bytes, bool]] = []

    def consider(path: Path, in_scope: bool) -> None:
        tenant = selector.is_tenant(path)
        try:
            data = read_bytes(path)
        except OSError as exc:
            if in_scope:
                analysis.errors.append(_parse_error(Loaded(path, None, error=f"cannot read file: {exc.strerror or exc}")))
            return
        if (in_scope and tenant) or _MARKERS.search(data):
            loaded.append((load(path, selector.relative(path), data), in_scope, tenant))
        else:
            skipped.append((path, data, in_scope))

    for path in discovery.in_scope:
        consider(path, True)
    for path in discovery.context:
        consider(path, False)

    # second pass: modules that only re-export the project's declarative names
    names = {c.name for item, _, _ in loaded if item.summary for c in item.summary.classes}
    names |= {n for item, _, _ in loaded if item.summary for n in item.summary.assigned_calls}
    if names and skipped:
        pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\b")
        for path, data, in_scope in skipped:
            if pattern.search(data):
                loaded.append((load(path, selector.relative(path), data), in_scope, selector.is_tenant(path)))

    for item, in_scope, tenant in loaded:
        if item.summary is None:
            if in_scope:
                analysis.errors.append(_parse_error(item))
            continue
        analysis.files.append(
            SourceFile(display_path(item.path), selector.relative(item.path), tenant, in_scope, item.summary, item.lines)
        )
        analysis.data[display_path(item.path)] = item.data
    analysis.findings = Checker(analysis.files, config).run()
    return analysis
