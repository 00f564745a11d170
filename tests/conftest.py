"""Shared test helpers: temp projects, the one way tests run the command line, and the
PostgreSQL URL (with TENANTLINT_REQUIRE_POSTGRES=1, as `.ci/run` sets, those tests never skip)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

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


class Result(NamedTuple):
    """One run of the command line. A tuple, so `code, out, err = run_tenantlint(...)` works too."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, stdout first, for tests that read what a terminal would show."""
        return self.stdout + self.stderr


# The developer's own database must never leak into a test's `verify` (click reads it as --database-url).
_USER_ENV = ("TENANTLINT_DATABASE_URL",)


def run_tenantlint(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
                   timeout: float | None = None, in_process: bool = False, script: bool = False) -> Result:
    """The command line, `tenantlint ARGS`: by default `python -m tenantlint` in a fresh interpreter
    in `cwd` (needed by everything that imports the checked code, as `verify` does, or must be
    killable); `script=True` runs the installed `tenantlint` script instead, as pre-commit and CI do
    (so `cwd` is not on sys.path); `in_process=True` uses click's runner in this process and the
    current directory or `cwd` (fast: no interpreter start; monkeypatches apply, exceptions
    propagate; never for `verify`, which imports the checked code). `env` adds variables."""
    if in_process:
        assert timeout is None and not script, "an in-process run can be neither killed nor a script"
        return _in_process(args, cwd, env)
    environ = {k: v for k, v in os.environ.items() if k not in _USER_ENV} | dict(env or {})
    command = [str(Path(sys.executable).with_name("tenantlint"))] if script else [sys.executable, "-m", "tenantlint"]
    done = subprocess.run([*command, *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=timeout, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


def _in_process(args: tuple[str, ...], cwd: Path | None, env: Mapping[str, str] | None) -> Result:
    from click.testing import CliRunner

    from tenantlint.cli import main

    try:
        runner = CliRunner(mix_stderr=False)  # click 8.1; 8.2 keeps stderr apart by default
    except TypeError:
        runner = CliRunner()
    unset: dict[str, str | None] = dict.fromkeys(_USER_ENV)
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)  # one test at a time per process, also under pytest-xdist
    try:
        result = runner.invoke(main, list(args), env={**unset, **(env or {})}, catch_exceptions=False)
    finally:
        os.chdir(before)
    return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def project(tmp_path: Path):
    """A project root with a pyproject.toml that has an empty [tool.tenantlint] table."""
    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint]\n", encoding="utf-8")

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch):
    """git as on a fresh machine: an empty global config of the test's own, no system config, a fixed
    identity, and no repository found above `tmp_path` (the developer's own settings never apply)."""
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("")
    for key, value in {
        "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }.items():
        monkeypatch.setenv(key, value)


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist, each worker's own database next to the given one (`NAME_gw0`, made once,
    kept like NAME): the PostgreSQL tests compare lists of schemas, which another worker would change."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    import sqlalchemy

    given = sqlalchemy.engine.make_url(url)
    name = f"{given.database}_{worker}"
    engine = sqlalchemy.create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if exists.scalar() is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


DATABASE_URL = _worker_database(os.environ.get("TENANTLINT_TEST_DATABASE_URL"))

needs_postgres = pytest.mark.skipif(
    not DATABASE_URL, reason="TENANTLINT_TEST_DATABASE_URL is not set (`.ci/run` starts a PostgreSQL)"
)


def pytest_sessionstart(session):
    # Where PostgreSQL must be tested (`.ci/run`), a skipped PostgreSQL test would pass silently: fail
    # the run instead. A variable of our own, not `CI`: GitHub Actions sets CI=true for every job.
    if os.environ.get("TENANTLINT_REQUIRE_POSTGRES") == "1" and not DATABASE_URL:
        raise pytest.UsageError(
            "TENANTLINT_REQUIRE_POSTGRES=1 but TENANTLINT_TEST_DATABASE_URL is not set: the PostgreSQL tests would be skipped"
        )
