"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit from a repository that
points `repo:` at this checkout; and explicit file arguments, as pre-commit passes them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_tenantlint

from miniapp import COUPON, COUPON_FIXED, LEGACY, PLAN, write_app

CHECKOUT = Path(__file__).resolve().parent.parent
FILES = ["app/models/user/coupon.py", "app/models/user/legacy.py", "app/models/plan.py"]


@pytest.fixture
def git_env(tmp_path, monkeypatch, isolated_git):
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("PRE_COMMIT_COLOR", "never")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def hook_repository(target: Path) -> str:
    """This checkout's working tree (committed or not) as a one-commit repository; its commit."""
    shutil.copytree(
        CHECKOUT, target,
        ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".pytest_cache", "tests", "fixtures", "bench"),
    )
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "tenantlint under test")
    return git(target, "rev-parse", "HEAD").strip()


def pre_commit(project: Path, hook: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--files", *FILES],
        cwd=project, capture_output=True, text=True,
    )


@pytest.mark.slow  # pre-commit builds a venv and pip-installs this checkout: about 10 s
def test_hooks_check_then_fix_then_pass(tmp_path, git_env):
    rev = hook_repository(tmp_path / "tenantlint")
    project = write_app(tmp_path / "project")
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {tmp_path / 'tenantlint'}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: tenantlint\n"
        "      - id: tenantlint-fix\n"
    )
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "app")

    # Only coupon.py is a tenant model to check: its model-ness comes from Base in base.py, which
    # pre-commit does not pass; legacy.py is excluded by the config and plan.py is shared.
    check = pre_commit(project, "tenantlint")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "tenantlint" in check.stdout and "Failed" in check.stdout
    assert (
        "app/models/user/coupon.py:6:7: TNT001 Model `Coupon` has no tenant schema [*]\n"
        "Found 1 problem (1 fixable with `tenantlint fix`).\n"
    ) in check.stdout
    assert "legacy.py" not in check.stdout and "plan.py" not in check.stdout

    fix = pre_commit(project, "tenantlint-fix")
    assert fix.returncode == 1, fix.stdout + fix.stderr  # pre-commit fails a hook that modifies files
    assert "files were modified by this hook" in fix.stdout
    assert "Fixed 1 problem in 1 file.\n" in fix.stdout
    assert (project / "app/models/user/coupon.py").read_text() == COUPON_FIXED
    assert (project / "app/models/user/legacy.py").read_text() == LEGACY
    assert (project / "app/models/plan.py").read_text() == PLAN
    assert git(project, "status", "--porcelain").splitlines() == [" M app/models/user/coupon.py"]

    again = pre_commit(project, "tenantlint")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout


def test_explicit_files_keep_config_scope_and_project_context(tmp_path, monkeypatch):
    project = write_app(tmp_path / "project")
    monkeypatch.chdir(project)
    result = run_tenantlint("check", *FILES, in_process=True)
    assert result.exit_code == 1
    assert result.output == (
        "app/models/user/coupon.py:6:7: TNT001 Model `Coupon` has no tenant schema [*]\n"
        "Found 1 problem (1 fixable with `tenantlint fix`).\n"
    )
    excluded_only = run_tenantlint("check", "app/models/user/legacy.py", in_process=True)
    # the one file given is excluded: nothing to check, said as ruff says it (on stderr), exit 0
    assert excluded_only == (0, "", "warning: No Python files found under the given path(s)\n")
    assert (project / "app/models/user/coupon.py").read_text() == COUPON
