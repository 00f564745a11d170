"""`fix --verify MODULE...`: a fix that proves itself. `verify` runs on the original sources and
again on the fixed ones, each in a subprocess of its own (importing the application twice in one
process would reuse the first import); whatever the fix introduced among the failures that stop
the application from starting (an import error, mappers that cannot be configured, a foreign key
that no longer resolves) makes the run put every written file back and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from tenantlint.config import Config
from tenantlint.fix_plan import FileFix, write_one
from tenantlint.rules.tnt103_unresolved_foreign_key import RULE as UNRESOLVED_FK

# The runtime findings that mean the application no longer maps; the others (a table without the
# schema, a probe that could not run) are what `verify` reports before and after alike.
BREAKING = (UNRESOLVED_FK.code,)
_PREFIX = "tenantlint: error: "


@dataclass(frozen=True)
class VerifyRun:
    """What one `verify` subprocess said: an error that stopped it, or its breaking findings."""

    error: str | None = None
    findings: Counter = field(default_factory=Counter)  # (code, path, message) -> how many


def run_verify(modules: tuple[str, ...], config: Config) -> VerifyRun:
    """`tenantlint verify --output-format json MODULE...` with the run's settings, in the current
    directory (where `verify` imports from), without leaving bytecode behind."""
    argv = [sys.executable, "-m", "tenantlint", "verify", "--output-format", "json", "--exit-zero"]
    if config.source is not None:
        argv += ["--config", os.fspath(config.source)]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([*argv, "--", *modules], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        return VerifyRun(error=lines[-1].removeprefix(_PREFIX))
    try:
        found = json.loads(done.stdout)
    except json.JSONDecodeError:
        return VerifyRun(error=f"`tenantlint verify` printed no JSON: {done.stdout[:200]!r}")
    return VerifyRun(findings=Counter((f["code"], f["path"], f["message"]) for f in found if f["code"] in BREAKING))


def introduced(before: VerifyRun, after: VerifyRun) -> list[str]:
    """What the fix broke: a new error, or breaking findings the original did not have."""
    problems = [after.error] if after.error is not None and after.error != before.error else []
    new = after.findings - before.findings
    problems += [f"{path}: {code} {message}" for (code, path, message) in sorted(new)]
    return problems


def restore(written: list[FileFix], root: Path) -> list[str]:
    """Put each written file back as it was, byte for byte and atomically (atomic.write_atomic,
    only over the bytes the fix wrote); the files that could not be restored, with why."""
    failures = []
    for fix in reversed(written):
        failure = write_one(replace(fix, old=fix.new, new=fix.old), root)
        if failure is not None:
            failures.append(f"{fix.path.as_posix()}: {failure.reason}")
    return failures
