"""Turn fixable findings into new file contents, check them, and write them atomically."""

from __future__ import annotations

import ast
import difflib
import enum
import gc
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


from tenantlint.config import Config
from tenantlint.engine import Analysis
from tenantlint.parsing import decode
from tenantlint.findings import Edit, Finding


class FixStatus(enum.Enum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    FAILED = "failed"


_LINE_ENDS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # where str.splitlines ends a line


@dataclass(frozen=True)
class FileFix:
    path: Path
    status: FixStatus
    old: bytes
    new: bytes
    findings: tuple[Finding, ...]  # the findings this fix resolves
    error: str | None = None

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(f.edit for f in self.findings if f.edit is not None)

    def diff(self) -> str:
        old, new = decode(self.old), decode(self.new)
        name = self.path.as_posix()
        lines = difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{name}", f"b/{name}")
        # a last line without its newline ends as `diff -u` and git end it, so the next hunk or
        # file starts on a line of its own and `patch`/`git apply` accept the output
        return "".join(line if line[-1:] in _LINE_ENDS else line + "\n\\ No newline at end of file\n"
                       for line in lines)


def fix_file(path: Path, old: bytes, findings: list[Finding], config: Config) -> FileFix:
    """Apply every edit of one file at once, then verify the result (see safety.py); a file
    whose fix cannot be verified is left as it was and reported as an internal error."""
    new, error = _fixed(path, old, _edits(findings), config.schema, config.comment_text)
    return _file_fix(path, old, findings, new, error)


def _file_fix(path: Path, old: bytes, findings: list[Finding], new: bytes | None, error: str | None) -> FileFix:
    if new is None:
        return FileFix(path, FixStatus.FAILED, old, old, tuple(findings), error)
    status = FixStatus.CHANGED if new != old else FixStatus.UNCHANGED
    return FileFix(path, status, old, new, tuple(findings))


def _fixed(path: Path, old: bytes, edits: list[Edit], schema: str, comment: str) -> tuple[bytes | None, str | None]:
    """(the fixed source, None), or (None, why it is not fixed)."""
    from libcst import ParserSyntaxError  # loaded only when something is fixed

    from tenantlint.fixer import FixError, apply_edits
    from tenantlint.safety import UnsafeFix, prove_edits

    try:  # one `ast` tree of the original for the fix and its proof, not one each
        tree = ast.parse(old)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # the two parse it again and say why
        tree = None
    try:
        new = apply_edits(old, edits, schema, comment, tree)
    except (FixError, ParserSyntaxError) as exc:
        return None, f"could not apply the fix: {exc}"
    except UnicodeEncodeError as exc:
        return None, f"the fix cannot be written in the file's encoding ({exc.encoding})"
    except (RecursionError, MemoryError) as exc:
        return None, f"the file is too large or too deeply nested to fix ({type(exc).__name__})"
    except Exception as exc:  # a fixer bug costs this file only; the traceback is behind -v
        logging.getLogger("tenantlint").debug("while fixing %s", path, exc_info=True)
        return None, f"internal error: {type(exc).__name__}: {exc}"
    try:
        prove_edits(old, new, edits, schema, tree)
    except UnsafeFix as exc:
        return None, f"internal error: unsafe fix refused: {exc}"
    except RecursionError:
        return None, "the file is too deeply nested to verify the fix"
    return new, None


def _fixed_batch(items: list[tuple[Path, bytes, list[Edit]]], schema: str,
                 comment: str) -> list[tuple[bytes | None, str | None]]:
    """The unit of work of a worker process: a few files' fixes; only the results come back."""
    return [_fixed(path, old, edits, schema, comment) for path, old, edits in items]


_PARALLEL_MIN = 16  # files to fix before worker processes pay for their start
_BATCH = 4  # files per task sent to a worker


def plan(analysis: Analysis, unsafe_fixes: bool, extra: list[Finding] | None = None,
         jobs: int = 1) -> list[FileFix]:
    """Each file's fix, in path order; `extra`: findings of files outside the run to fix too.
    With `jobs` > 1 and enough files, the fixes are computed in that many worker processes."""
    by_path: dict[Path, list[Finding]] = defaultdict(list)
    for finding in [*analysis.findings, *(extra or [])]:
        if finding.fixable(unsafe_fixes):
            by_path[finding.path].append(finding)
    fixes: list[FileFix | None] = []
    todo: list[tuple[int, Path, bytes, list[Finding]]] = []
    for path, findings in sorted(by_path.items(), key=lambda item: item[0].as_posix()):
        old = analysis.data[path]
        target = outside_root(path, analysis.config.root)
        if target is not None:
            fixes.append(FileFix(path, FixStatus.FAILED, old, old, tuple(findings), f"{target}; not fixed"))
        else:
            todo.append((len(fixes), path, old, findings))
            fixes.append(None)
    # LibCST and ast trees hold no reference cycles: reference counting frees each file's trees,
    # and the cyclic collector, triggered by their allocations, would only rescan what the run
    # keeps (the analysis), again and again (about a tenth of fixing a model file). Workers fork
    # with it paused too.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        config = analysis.config
        results = _in_workers(todo, config, jobs) if jobs > 1 and len(todo) >= _PARALLEL_MIN else None
        if results is None:
            results = (_fixed(path, old, _edits(findings), config.schema, config.comment_text)
                       for _, path, old, findings in todo)
        for (at, path, old, findings), (new, error) in zip(todo, results):
            fixes[at] = _file_fix(path, old, findings, new, error)
    finally:
        if was_enabled:
            gc.enable()
    return fixes  # type: ignore[return-value]  # every one is filled now


def _edits(findings: list[Finding]) -> list[Edit]:
    return [f.edit for f in findings if f.edit is not None]


def _in_workers(todo: list, config: Config, jobs: int) -> list[tuple[bytes | None, str | None]] | None:
    """The fixes of `todo`, in order, from `jobs` processes; None when the pool breaks (a worker
    killed, out of memory), and the caller computes them here."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import libcst  # noqa: F401  # imported once here, before the workers fork, not once in each

    batches = [[(path, old, _edits(findings)) for _, path, old, findings in todo[start : start + _BATCH]]
               for start in range(0, len(todo), _BATCH)]
    try:
        with ProcessPoolExecutor(jobs) as pool:
            futures = [pool.submit(_fixed_batch, batch, config.schema, config.comment_text) for batch in batches]
            return [result for future in futures for result in future.result()]
    except BrokenProcessPool:
        return None


def outside_root(path: Path, root: Path) -> str | None:
    """Why `fix` never writes this file: a link (a linked file, a linked folder, anywhere on the
    way, however it was named) leads out of the project. A file named outside the project with
    no link on the way (`fix --config ../pyproject.toml /other/tree`) is what the user asked for."""
    from tenantlint.atomic import named_without_links

    target = Path(os.path.realpath(path))
    if target.is_relative_to(os.path.realpath(root)) or named_without_links(path):
        return None
    how = "symlink to" if path.is_symlink() else "resolves to"
    return f"{how} {target}, outside the project"


@dataclass(frozen=True)
class NotWritten:
    """A fixed file that was not written, and why (one line for the user)."""

    fix: FileFix
    reason: str

    def message(self) -> str:
        return f"{self.fix.path.as_posix()}: {self.reason}; not fixed"


def write_one(fix: FileFix, root: Path, done: dict[str, bytes] | None = None) -> NotWritten | None:
    """Write one fixed file over the bytes it was computed from, only inside the project;
    a failure costs this file only. `done`: the real paths written so far in this run, so a file
    named twice (through a symlink inside the project) is written once."""
    from tenantlint.atomic import FileChanged, OutsideRoot, write_atomic

    real = os.path.realpath(fix.path)
    if done is not None and done.get(real) == fix.new:
        return None
    try:
        write_atomic(fix.path, fix.new, expected=fix.old, root=root)
    except FileChanged:
        return NotWritten(fix, "changed while tenantlint was running")
    except OutsideRoot as exc:
        return NotWritten(fix, f"resolves to {exc.target}, outside the project")
    except OSError as exc:
        return NotWritten(fix, f"cannot write: {exc.strerror or exc}")
    if done is not None:
        done[real] = fix.new
    return None


def write_all(changed: list[FileFix], root: Path) -> tuple[list[FileFix], list[NotWritten]]:
    """Write every fixed file that can be written; (written, not written)."""
    from tenantlint.atomic import begin_run

    begin_run()
    written, skipped, done = [], [], {}
    for fix in changed:
        failure = write_one(fix, root, done)
        if failure is None:
            written.append(fix)
        else:
            skipped.append(failure)
    return written, skipped
