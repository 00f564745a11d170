"""The rows of issue 14 for `bench/run.py --fix`: `fix` against `check` and against LibCST's parse
of the files it changes, `-j2` against `-j1`, peak memory, the monorepo grown k times, `check`
against ruff, the warm replay and a 50,000-line model file. Each run of `fix` works on a fresh
copy (it writes); peak memory is the largest resident set of the run's processes (wait4)."""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run as bench
from run import Timed


def timed_peak(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak resident MB of the process and every child it waited for)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            err.seek(0)
            raise SystemExit(f"bench: {' '.join(cmd)} failed ({process.returncode}): {err.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def fix_runs(tl: list[str], tree: Path, copy: Path, runs: int, *options: str) -> tuple[Timed, Timed]:
    """`fix --no-cache` on a fresh copy of `tree` each run: (time, peak MB)."""
    times, peaks = [], []
    for _ in range(runs):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(tree, copy, symlinks=True)
        elapsed, peak = timed_peak(tl + ["fix", "--no-cache", *options, "."], copy)
        times.append(elapsed)
        peaks.append(peak)
    return Timed(times), Timed(peaks)


def check_runs(tl: list[str], tree: Path, runs: int) -> tuple[Timed, Timed]:
    times, peaks = zip(*(timed_peak(tl + ["check", "--no-cache", "."], tree) for _ in range(runs)))
    return Timed(list(times)), Timed(list(peaks))


def changed_files(tree: Path, fixed: Path) -> list[Path]:
    """The files of `tree` whose copy in `fixed` differs: what `fix` changed."""
    return [p for p in bench.py_files(tree) if (fixed / p.relative_to(tree)).read_bytes() != p.read_bytes()]


# the package root, and the generated table names (`model_3_1`, `links_3`, ...), so copies do not collide
_RENAMED = re.compile(r"\bbackend(?=\.)|\b(?:model|constrained|links|mapped)(?=_\d)")


def grow(mono: Path, into: Path, times: int) -> Path:
    """`mono` copied `times` times under renamed package roots and table names."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    shutil.copyfile(mono / "pyproject.toml", into / "pyproject.toml")
    for i in range(times):
        if (mono / "vendor").is_dir():
            shutil.copytree(mono / "vendor", into / f"vendor{i}")
        for path in bench.py_files(mono / "backend"):
            target = into / f"backend{i}" / path.relative_to(mono / "backend")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_RENAMED.sub(lambda m: f"{m.group(0)}{i}", path.read_text()))
    return into


def big_model_file(root: Path, lines: int) -> Path:
    """A project whose one tenant model file holds `lines` lines of generated models."""
    shutil.rmtree(root, ignore_errors=True)
    models = root / "backend" / "models"
    (models / "user").mkdir(parents=True)
    for init in (root / "backend", models, models / "user"):
        (init / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(bench.PYPROJECT.format(name="big"))
    (models / "base.py").write_text(bench.BASE)
    rng, parts, n = random.Random(bench.SEED), [bench.HEADER.format(n=0)], 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(bench.model_module(n, rng).split(bench.HEADER.format(n=n), 1)[1])
        n += 1
    path = models / "user" / "big.py"
    path.write_text("".join(parts))
    return root


def ruff_cmd() -> list[str] | None:
    script = Path(sys.executable).with_name("ruff")
    return [str(script)] if script.exists() else None


def ruff_time(ruff: list[str], tree: Path, runs: int) -> Timed:
    """`ruff check --no-cache --select E,F .` with its output in a file, so the pipe does not count."""
    times = []
    with tempfile.TemporaryFile() as out:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(ruff + ["check", "--no-cache", "--select", "E,F", "--exit-zero", "."], cwd=tree,
                           stdout=out, stderr=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - start)
    return Timed(times)


def rows(workdir: Path, mono: Path, tl: list[str], runs: int, scale: int, big_lines: int) -> list[tuple]:
    """(name, value, base name, base, goal of value/base, unit) for each figure of issue 14."""
    copy = workdir / "fixed"
    check1, check1_peak = check_runs(tl, mono, runs)
    fix1, fix1_peak = fix_runs(tl, mono, copy, runs)
    changed = changed_files(mono, copy)
    parse_changed = Timed([_time(lambda: bench.libcst_parse_all(changed)) for _ in range(runs)])
    fix_j1, _ = fix_runs(tl, mono, copy, runs, "-j1")
    fix_j2, _ = fix_runs(tl, mono, copy, runs, "-j2")
    warm = Timed([timed_peak(tl + ["check", "."], mono)[0] for _ in range(runs + 1)][1:])  # the first fills
    shutil.rmtree(mono / ".tenantlint_cache", ignore_errors=True)
    out = [
        ("monorepo, cold: `fix --no-cache .`", fix1, "`check --no-cache .`", check1, 3.0, "s"),
        ("monorepo, cold: `fix --no-cache .`", fix1, f"libcst.parse_module, the {len(changed)} files fix changes",
         parse_changed, 1.5, "s"),
        ("monorepo: `fix --no-cache -j2 .`", fix_j2, "`fix --no-cache -j1 .`", fix_j1, 0.67, "s"),
        ("monorepo: peak RSS of `fix --no-cache .`", fix1_peak, "the goal's ceiling", Timed([150.0]), 1.0, "MB"),
        ("monorepo: peak RSS of `check --no-cache .`", check1_peak, "the goal's ceiling", Timed([150.0]), 1.0, "MB"),
        ("monorepo, warm replay: `check .` twice", warm, "`check --no-cache .`", check1, 0.1, "s"),
    ]
    ruff = ruff_cmd()
    if ruff:
        out.append(("monorepo, cold: `check --no-cache .`", check1, "`ruff check --no-cache --select E,F .`",
                    ruff_time(ruff, mono, runs), 1.0, "s"))
    if scale > 1:
        grown = grow(mono, workdir / f"monorepo{scale}x", scale)
        check_k, _ = check_runs(tl, grown, runs)
        fix_k, fix_k_peak = fix_runs(tl, grown, copy, runs)
        shutil.rmtree(grown)
        for what, big, small, unit, goal in (("`check --no-cache .`", check_k, check1, "s", 1.1 * scale),
                                             ("`fix --no-cache .`", fix_k, fix1, "s", 1.1 * scale),
                                             ("peak RSS of `fix`", fix_k_peak, fix1_peak, "MB", 1.5)):
            exponent = math.log(big / small) / math.log(scale)
            out.append((f"monorepo {scale}x: {what} (growth exponent {exponent:.2f})", big, "monorepo 1x",
                        small, goal, unit))
    if big_lines:
        project = big_model_file(workdir / "big", big_lines)
        one = project / "backend" / "models" / "user" / "big.py"
        fix_big, _ = fix_runs(tl, project, copy, runs)
        parse_big = Timed([_time(lambda: bench.libcst_parse_all([one])) for _ in range(runs)])
        out.append((f"one {big_lines:,}-line model file: `fix --no-cache`", fix_big, "the goal: 2 s",
                    Timed([2.0]), 1.0, "s"))
        out.append((f"one {big_lines:,}-line model file: `fix --no-cache`", fix_big, "libcst.parse_module, the file",
                    parse_big, None, "s"))
    shutil.rmtree(copy, ignore_errors=True)
    return out


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
