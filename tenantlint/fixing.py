"""Turn fixable findings into new file contents, check them, and write them atomically."""

from __future__ import annotations

import difflib
import enum
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


from tenantlint.config import Config
from tenantlint.engine import Analysis, decode
from tenantlint.findings import Edit, Finding


class Outcome(enum.Enum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    FAILED = "failed"


@dataclass(frozen=True)
class FileFix:
    path: Path
    outcome: Outcome
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
        return "".join(
            difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{name}", f"b/{name}")
        )


def fix_file(path: Path, old: bytes, findings: list[Finding], config: Config) -> FileFix:
    """Apply every edit of one file at once, then verify the result (see safety.py); a file
    whose fix cannot be verified is left as it was and reported as an internal error."""
    from libcst import ParserSyntaxError  # loaded only when something is fixed

    from tenantlint.fixer import FixError, apply_edits
    from tenantlint.safety import UnsafeFix, verify

    def failed(error: str) -> FileFix:
        return FileFix(path, Outcome.FAILED, old, old, tuple(findings), error)

    edits = [f.edit for f in findings if f.edit is not None]
    try:
        new = apply_edits(old, edits, config.schema, config.comment_text)
    except (FixError, ParserSyntaxError) as exc:
        return failed(f"could not apply the fix: {exc}")
    except UnicodeEncodeError as exc:
        return failed(f"the fix cannot be written in the file's encoding ({exc.encoding})")
    except (RecursionError, MemoryError) as exc:
        return failed(f"the file is too large or too deeply nested to fix ({type(exc).__name__})")
    except Exception as exc:  # a fixer bug costs this file only; the traceback is behind -v
        logging.getLogger("tenantlint").debug("while fixing %s", path, exc_info=True)
        return failed(f"internal error: {type(exc).__name__}: {exc}")
    try:
        verify(old, new, edits, config.schema)
    except UnsafeFix as exc:
        return failed(f"internal error: unsafe fix refused: {exc}")
    except RecursionError:
        return failed("the file is too deeply nested to verify the fix")
    outcome = Outcome.CHANGED if new != old else Outcome.UNCHANGED
    return FileFix(path, outcome, old, new, tuple(findings))


def plan(analysis: Analysis, unsafe_fixes: bool) -> list[FileFix]:
    by_path: dict[Path, list[Finding]] = defaultdict(list)
    for finding in analysis.findings:
        if finding.fixable(unsafe_fixes):
            by_path[finding.path].append(finding)
    fixes = []
    for path, findings in sorted(by_path.items(), key=lambda item: item[0].as_posix()):
        old = analysis.data[path]
        target = outside_root(path, analysis.config.root)
        if target is not None:
            fixes.append(FileFix(path, Outcome.FAILED, old, old, tuple(findings),
                                 f"symlink to {target}, outside the project; not fixed"))
        else:
            fixes.append(fix_file(path, old, findings, analysis.config))
    return fixes


def outside_root(path: Path, root: Path) -> Path | None:
    """The target of a symlink that leads out of the project, which `fix` never writes."""
    if not path.is_symlink():
        return None
    target = Path(os.path.realpath(path))
    return None if target.is_relative_to(root.resolve()) else target
