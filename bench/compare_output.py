"""Prove a change behaviour-preserving: run two versions of tenantlint side by side and compare.

    python bench/compare_output.py                 # HEAD's committed tree vs the working tree
    python bench/compare_output.py --base v0.1.0   # any git ref vs the working tree

For each corpus (the bundled fixture app and a copy of this venv's site-packages, every file a
tenant path) it compares, byte for byte, what `check` prints in each output format with its exit
code, and the files `fix` (and `fix --unsafe-fixes`) writes on two copies of the corpus. Prints a
table and exits 1 when anything differs; the differing outputs are kept in the printed folder.
Run it with the Python of a venv that has tenantlint's dependencies installed.
"""

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
FORMATS = ("text", "json", "sarif", "github")
ALL_TENANT = '[tool.tenantlint]\ntenant-paths = ["**"]\n'


def materialize(ref: str, into: Path) -> Path:
    """The package as committed at `ref`, without touching the repository's work tree."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref, "tenantlint"], cwd=REPO,
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def copy_tree(source: Path, target: Path) -> Path:
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".tenantlint_cache")
    shutil.copytree(source, target, symlinks=True, ignore=skip)
    return target


def run(tree: Path, args: list[str], cwd: Path) -> tuple[int, str, str]:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-m", "tenantlint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py")) if p.is_file()}


def compare_check(trees: dict[str, Path], corpus: Path, config: list[str], keep: Path, label: str) -> list[tuple]:
    rows = []
    for fmt in FORMATS:
        results = {name: run(tree, ["check", "--no-cache", "--output-format", fmt, *config, "."], corpus)
                   for name, tree in trees.items()}
        (base_code, base_out, _), (head_code, head_out, _) = results["base"], results["head"]
        same = (base_code, base_out) == (head_code, head_out)
        if not same:
            for name, (code, out, err) in results.items():
                (keep / f"{label}.check.{fmt}.{name}.txt").write_text(f"exit {code}\n{out}\n--- stderr\n{err}")
        rows.append((label, f"check --output-format {fmt}", f"exit {head_code}, {len(head_out.splitlines())} lines", same))
    return rows


def compare_fix(trees: dict[str, Path], corpus: Path, config: list[str], work: Path, label: str,
                extra: list[str]) -> tuple:
    written, outputs = {}, {}
    for name, tree in trees.items():
        copy = copy_tree(corpus, work / f"{label}-fix{''.join(extra)}-{name}")
        outputs[name] = run(tree, ["fix", "--no-cache", *extra, *config, "."], copy)
        written[name] = snapshot(copy)
    differing = sorted(p for p in written["base"].keys() | written["head"].keys()
                       if written["base"].get(p) != written["head"].get(p))
    before = snapshot(corpus)
    changed = sum(1 for p, data in written["head"].items() if before.get(p) != data)
    same = not differing and outputs["base"][:2] == outputs["head"][:2]
    detail = f"{changed} files changed" + (f"; differ: {', '.join(differing[:3])}" if differing else "")
    return (label, " ".join(["fix", *extra]), detail, same)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="git ref of the version to compare with (default HEAD)")
    parser.add_argument("--no-site-packages", action="store_true", help="only the fixture app (quick)")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tenantlint-compare-"))
    trees = {"base": materialize(options.base, work / "base"), "head": REPO}
    corpora = [("fixture", copy_tree(REPO / "fixtures" / "app", work / "corpus-fixture"), [])]
    if not options.no_site_packages:
        site = copy_tree(Path(sysconfig.get_paths()["purelib"]), work / "corpus-site-packages")
        (work / "all-tenant.toml").write_text(ALL_TENANT)
        corpora.append(("site-packages", site, ["--config", str(work / "all-tenant.toml")]))
    rows = []
    for label, corpus, config in corpora:
        rows += compare_check(trees, corpus, config, work, label)
        rows += [compare_fix(trees, corpus, config, work, label, extra) for extra in ([], ["--unsafe-fixes"])]
    width = max(len(r[1]) for r in rows)
    print(f"base {options.base} vs the working tree; outputs kept in {work}\n")
    for label, what, detail, same in rows:
        print(f"{'same' if same else 'DIFFERENT':9}  {label:13}  {what:{width}}  {detail}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
