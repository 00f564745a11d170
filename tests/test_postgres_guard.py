"""Where PostgreSQL must be tested, its tests cannot pass by skipping: TENANTLINT_REQUIRE_POSTGRES=1
(exported by `.ci/run`) turns a missing TENANTLINT_TEST_DATABASE_URL into a failed run. `CI` alone
does not: GitHub Actions sets CI=true in every job, and there the PostgreSQL tests skip with their
reason (issue 13 item 12). Each case is a real pytest run of a PostgreSQL test, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
GUARDED = "from conftest import needs_postgres\n\n\n@needs_postgres\ndef test_on_postgresql():\n    pass\n"
# (and pytest-xdist's: with them, the inner run's conftest would make a worker database on the fake URL)
OURS = ("CI", "TENANTLINT_REQUIRE_POSTGRES", "TENANTLINT_TEST_DATABASE_URL", "PYTEST_ADDOPTS", "PYTEST_PLUGINS",
        "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID")


def pytest_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """pytest on one @needs_postgres test, with this suite's conftest as the plugin, in `env` only."""
    (tmp_path / "test_guarded.py").write_text(GUARDED, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k not in OURS} | {"PYTHONPATH": str(TESTS), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-q", "-rs",
                           "test_guarded.py"], cwd=tmp_path, env=environ, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_ci_alone_skips_the_postgresql_tests_with_their_reason(tmp_path, ci):
    result = pytest_with(tmp_path, CI=ci)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    lines = result.stdout.splitlines()
    assert lines[2:-1] == [
        "SKIPPED [1] test_guarded.py:4: TENANTLINT_TEST_DATABASE_URL is not set (`.ci/run` starts a PostgreSQL)"
    ]
    assert lines[-1].startswith("1 skipped in ")


def test_require_postgres_without_a_url_fails_the_run(tmp_path):
    result = pytest_with(tmp_path, CI="true", TENANTLINT_REQUIRE_POSTGRES="1")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert result.stdout == ""
    assert result.stderr == (
        "ERROR: TENANTLINT_REQUIRE_POSTGRES=1 but TENANTLINT_TEST_DATABASE_URL is not set: "
        "the PostgreSQL tests would be skipped\n\n"  # pytest ends a usage error with a blank line
    )


def test_require_postgres_with_a_url_runs_them(tmp_path):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/unused"  # the test body connects to nothing
    result = pytest_with(tmp_path, TENANTLINT_REQUIRE_POSTGRES="1", TENANTLINT_TEST_DATABASE_URL=url)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    assert result.stdout.splitlines()[-1].startswith("1 passed in ")
