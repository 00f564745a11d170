"""Real code nobody here wrote: every Python file of the test venv's site-packages (about
2,600 files: SQLAlchemy, pytest, hypothesis, libcst, pydantic, flask, ...), every path a
tenant path. `check` must finish without an internal error; `fix` on a copy must keep every
file parseable. The slowest test of the suite (about 2 minutes on 2 busy cores)."""

from __future__ import annotations

import ast
import shutil
import sysconfig
from pathlib import Path

import pytest
from conftest import run_tenantlint

SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])

pytestmark = pytest.mark.slow  # `python -m pytest -m slow`, run by .ci/run after the default run


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "tenantlint.toml"
    path.write_text('[tool.tenantlint]\ntenant-paths = ["**"]\n')
    return path


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def test_check_over_site_packages_reports_no_internal_error(config):
    result = run_tenantlint("check", "--config", str(config), "-q", str(SITE_PACKAGES), cwd=config.parent)
    lines = result.stdout.splitlines()
    assert result.stderr == ""
    # every installed file parses: no TNT000 (a broken file would be listed here by name)
    assert [line for line in lines if " TNT000 " in line] == []
    assert result.exit_code == 1  # findings (Table() without schema, ...), never 2
    assert lines and all(" TNT0" in line for line in lines)


def test_fix_on_a_copy_of_site_packages_keeps_every_file_parseable(config, tmp_path):
    copy = tmp_path / "site-packages-copy"
    shutil.copytree(
        SITE_PACKAGES, copy, symlinks=True,
        ignore=lambda folder, names: [n for n in names if n == "__pycache__" or ("." in n and not n.endswith(".py"))],
    )
    before = {p.relative_to(copy): p.read_bytes() for p in python_files(copy)}
    result = run_tenantlint("fix", "--config", str(config), str(copy), cwd=tmp_path)
    assert result.stderr == ""
    assert result.exit_code == 1  # unfixable findings remain; no internal error, no TNT000
    assert " TNT000 " not in result.stdout
    changed = [path for path, data in before.items() if (copy / path).read_bytes() != data]
    assert changed, "the run fixed nothing: the test no longer exercises fix"
    fixed = sum(1 for line in result.stdout.splitlines() if line.startswith("Fixed "))
    assert fixed == 1 and result.stdout.rstrip().endswith(f"in {len(changed)} files.")
    for path in before:
        ast.parse((copy / path).read_bytes(), filename=str(path))
