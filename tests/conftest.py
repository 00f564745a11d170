"""Shared test helpers: temp projects, the real command line, and the PostgreSQL URL
(CI's rule: PostgreSQL tests never skip there)."""

from __future__ import annotations

import os
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


DATABASE_URL = os.environ.get("TENANTLINT_TEST_DATABASE_URL")

needs_postgres = pytest.mark.skipif(
    not DATABASE_URL, reason="TENANTLINT_TEST_DATABASE_URL is not set (`.ci/run` starts a PostgreSQL)"
)


def pytest_sessionstart(session):
    # In CI a skipped PostgreSQL test would pass silently: fail the run instead.
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and not DATABASE_URL:
        raise pytest.UsageError("CI is set but TENANTLINT_TEST_DATABASE_URL is not: the PostgreSQL tests would be skipped")
