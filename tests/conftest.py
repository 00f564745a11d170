from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: source} under root (sources are dedented)."""
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


def run_tenantlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real command line, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tenantlint", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def project(tmp_path: Path):
    """A project root with a pyproject.toml that has an empty [tool.tenantlint] table."""
    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint]\n", encoding="utf-8")

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make
