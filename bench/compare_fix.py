"""Compare `tenantlint fix` of two versions of tenantlint on the same code, byte for byte:
`python bench/compare_fix.py [--ref main] [SOURCE]`.

SOURCE (default: this Python's site-packages) is copied twice, every path a tenant path; one
copy is fixed by the code of git REF, the other by the working tree. Prints the files whose
fixed bytes differ and exits 1 if any do, or if the two runs' output or exit code differ."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = '[tool.tenantlint]\ntenant-paths = ["**"]\n'


def _python_files_only(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or ("." in n and not n.endswith(".py"))]


def _export(ref: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _fix(code: Path, source: Path, work: Path) -> tuple[dict[Path, bytes], tuple]:
    """Fix a fresh copy of `source` (always at the same relative path, so outputs compare)."""
    work.mkdir()
    copy = work / "tree"
    shutil.copytree(source, copy, symlinks=True, ignore=_python_files_only)
    (work / "tenantlint.toml").write_text(CONFIG)
    env = {**os.environ, "PYTHONPATH": str(code)}
    which = subprocess.run([sys.executable, "-c", "import tenantlint; print(tenantlint.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not which.startswith(str(code)):
        sys.exit(f"tenantlint was imported from {which}, not from {code}")
    run = subprocess.run([sys.executable, "-m", "tenantlint", "fix", "--config", "tenantlint.toml", "tree"],
                         cwd=work, env=env, capture_output=True, text=True)
    files = {p.relative_to(copy): p.read_bytes() for p in sorted(copy.rglob("*.py")) if p.is_file()}
    return files, (run.returncode, run.stdout, run.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    parser.add_argument("--ref", default="main", help="the git ref of the baseline code (default: main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        base_files, base_run = _fix(_export(args.ref, tmp / "base-src"), args.source, tmp / "base")
        new_files, new_run = _fix(REPO, args.source, tmp / "new")
    differ = sorted(p for p in base_files.keys() | new_files.keys() if base_files.get(p) != new_files.get(p))
    for path in differ:
        print(f"differs: {path}")
    same_run = base_run == new_run
    if not same_run:
        print(f"the runs differ: exit {base_run[0]} vs {new_run[0]}, output equal: {base_run[1:] == new_run[1:]}")
    fixed = sum(1 for line in new_run[1].splitlines() if line.startswith("Fixed "))
    print(f"{len(new_files)} files, {len(differ)} differ; {new_run[1].strip().splitlines()[-1] if fixed else 'nothing fixed'}")
    return 0 if same_run and not differ else 1


if __name__ == "__main__":
    sys.exit(main())
