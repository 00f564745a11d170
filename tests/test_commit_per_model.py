"""`tenantlint fix --commit-per-model` against real git repositories in temp folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_tenantlint

from miniapp import COUPON, COUPON_FIXED, PRODUCT, PRODUCT_FIXED, PYPROJECT, TAG_FIXED, write_app


def git(repo: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=check, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch, isolated_git):
    """The app committed in a fresh repository, with the user's own work in progress around it:
    a staged file, an unstaged change and an untracked file."""
    root = tmp_path / "repo"
    write_app(root)
    (root / "notes.txt").write_text("first\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    (root / "notes.txt").write_text("first\nstaged line\n")
    git(root, "add", "notes.txt")
    (root / "notes.txt").write_text("first\nstaged line\nunstaged line\n")
    (root / "app/models/plan.py").write_text("# work in progress\n")
    (root / "scratch.txt").write_text("untracked\n")
    monkeypatch.chdir(root)
    return root


WORK_IN_PROGRESS = [" M app/models/plan.py", "MM notes.txt", "?? scratch.txt"]


def status(root: Path) -> list[str]:
    return git(root, "status", "--porcelain=v1").splitlines()


def subjects(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


def test_one_commit_per_model_file(repo, tmp_path):
    summary = tmp_path / "summary.md"
    result = run_tenantlint("fix", "--commit-per-model", "--summary", str(summary), in_process=True)

    assert result.exit_code == 0, result.stderr
    assert subjects(repo) == [
        "feat(models): add tenant schema to tag.py (Tag)",
        "feat(models): add tenant schema to product.py (Product)",
        "feat(models): add tenant schema to coupon.py (Coupon)",
        "initial",
    ]
    hashes = git(repo, "log", "--format=%h", "-3").split()[::-1]
    for commit, name in zip(hashes, ["coupon.py", "product.py", "tag.py"]):
        assert git(repo, "show", "--name-only", "--format=", commit).split() == [f"app/models/user/{name}"]
    assert result.stdout == (
        "Fixed 4 problems in 3 files.\n"
        "Task Commits:\n"
        "\n"
        f"1. Task 1: app/models/user/coupon.py - `{hashes[0]}` (feat)\n"
        f"2. Task 2: app/models/user/product.py - `{hashes[1]}` (feat)\n"
        f"3. Task 3: app/models/user/tag.py - `{hashes[2]}` (feat)\n"
    )
    # the user's work in progress is exactly as it was, staged and unstaged parts apart
    assert status(repo) == WORK_IN_PROGRESS
    assert git(repo, "show", ":notes.txt") == "first\nstaged line\n"
    assert (repo / "notes.txt").read_text() == "first\nstaged line\nunstaged line\n"
    assert (repo / "app/models/plan.py").read_text() == "# work in progress\n"
    assert (repo / "app/models/user/coupon.py").read_text() == COUPON_FIXED
    assert (repo / "app/models/user/product.py").read_text() == PRODUCT_FIXED
    assert (repo / "app/models/user/tag.py").read_text() == TAG_FIXED

    text = summary.read_text()
    assert text.startswith(
        "# Tenant schema refactor summary\n\n"
        "**Added the `tenant` placeholder schema to 3 models in 3 files, one commit per file**\n"
    )
    assert (
        "## Task Commits\n\n"
        "Each task was committed atomically:\n\n"
        f"1. **Task 1: coupon.py** - `{hashes[0]}` (feat)\n"
        f"2. **Task 2: product.py** - `{hashes[1]}` (feat)\n"
        f"3. **Task 3: tag.py** - `{hashes[2]}` (feat)\n"
    ) in text
    assert (
        "| file | models | edits | commit |\n"
        "|---|---|---|---|\n"
        f"| `app/models/user/coupon.py` | Coupon | assignment added | `{hashes[0]}` |\n"
        f"| `app/models/user/product.py` | Product | assignment added | `{hashes[1]}` |\n"
        f"| `app/models/user/tag.py` | Tag (references to products) | dict appended, FK qualified | `{hashes[2]}` |\n"
    ) in text
    assert "- **Tasks:** 3\n- **Files modified:** 3\n" in text
    assert "- **Duration:** " in text

    again = run_tenantlint("fix", "--commit-per-model", in_process=True)
    assert (again.exit_code, again.stdout) == (0, "All checks passed!\nNo commits: nothing to fix.\n")
    assert len(subjects(repo)) == 4


def test_commit_message_from_config(repo):
    (repo / "pyproject.toml").write_text(PYPROJECT + 'commit-message = "chore: tenant schema for {path} [{models}]"\n')
    git(repo, "commit", "-q", "-m", "config", "--", "pyproject.toml")
    result = run_tenantlint("fix", "--commit-per-model", "app/models/user/coupon.py", in_process=True)
    assert result.exit_code == 0, result.stderr
    assert subjects(repo)[0] == "chore: tenant schema for app/models/user/coupon.py [Coupon]"
    assert result.stdout.endswith(f"1. Task 1: app/models/user/coupon.py - `{git(repo, 'rev-parse', '--short', 'HEAD').strip()}` (chore)\n")


def _refused(repo: Path, message: str, before_status: list[str]) -> None:
    before_log = subjects(repo)
    result = run_tenantlint("fix", "--commit-per-model", in_process=True)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"tenantlint: error: {message}; nothing was changed or committed\n"
    assert subjects(repo) == before_log
    assert status(repo) == before_status
    assert (repo / "app/models/user/coupon.py").read_text() == COUPON  # no file written either


def test_refuses_a_target_with_unstaged_changes(repo):
    (repo / "app/models/user/product.py").write_text(PRODUCT + "# mine\n")
    _refused(
        repo,
        "uncommitted changes in files the fix would commit: app/models/user/product.py (M); commit or stash them first",
        [WORK_IN_PROGRESS[0], " M app/models/user/product.py", *WORK_IN_PROGRESS[1:]],
    )
    assert (repo / "app/models/user/product.py").read_text() == PRODUCT + "# mine\n"


def test_refuses_a_target_with_staged_changes(repo):
    (repo / "app/models/user/product.py").write_text(PRODUCT + "# mine\n")
    git(repo, "add", "app/models/user/product.py")
    _refused(
        repo,
        "uncommitted changes in files the fix would commit: app/models/user/product.py (M); commit or stash them first",
        [WORK_IN_PROGRESS[0], "M  app/models/user/product.py", *WORK_IN_PROGRESS[1:]],
    )


def _conflict(repo: Path) -> None:
    """Two branches that change notes.txt differently, the user's own work put aside first."""
    git(repo, "stash", "--include-untracked", "-q")
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "notes.txt").write_text("other\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "notes.txt").write_text("main\n")
    git(repo, "commit", "-q", "-am", "main")


def test_refuses_during_a_merge(repo):
    _conflict(repo)
    git(repo, "merge", "other", check=False)
    assert (repo / ".git/MERGE_HEAD").exists()
    _refused(repo, f"a merge is in progress in {repo}; finish or abort it first", ["UU notes.txt"])


def test_refuses_during_a_rebase(repo):
    _conflict(repo)
    git(repo, "rebase", "other", check=False)
    assert (repo / ".git/rebase-merge").exists()
    before = status(repo)
    assert before == ["UU notes.txt"]
    _refused(repo, f"a rebase is in progress in {repo}; finish or abort it first", before)


def test_refuses_outside_a_git_repository(tmp_path, monkeypatch):
    root = write_app(tmp_path / "plain")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(root)
    result = run_tenantlint("fix", "--commit-per-model", in_process=True)
    assert result.exit_code == 2
    assert result.stderr == (
        f"tenantlint: error: {root} is not inside a git work tree; --commit-per-model needs one; "
        "nothing was changed or committed\n"
    )
    assert (root / "app/models/user/coupon.py").read_text() == COUPON


def test_refuses_a_bad_message_template(repo):
    (repo / "pyproject.toml").write_text(PYPROJECT + 'commit-message = "add {schema} to {file}"\n')
    git(repo, "commit", "-q", "-m", "config", "--", "pyproject.toml")
    # refused when the config is loaded, before anything is analysed, written or committed
    before_log = subjects(repo)
    result = run_tenantlint("fix", "--commit-per-model", in_process=True)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "tenantlint: error: config key `commit-message` uses '{schema}'; it may only use {file}, {path} and {models} "
        "(no format spec, conversion, attribute or index) (in pyproject.toml)\n"
    )
    assert (subjects(repo), status(repo)) == (before_log, WORK_IN_PROGRESS)
    assert (repo / "app/models/user/coupon.py").read_text() == COUPON


def test_summary_needs_commit_per_model(repo):
    result = run_tenantlint("fix", "--summary", "out.md", in_process=True)
    assert result.exit_code == 2
    assert "--summary needs --commit-per-model" in result.stderr
    assert not (repo / "out.md").exists()


def _many_models(root: Path, count: int) -> None:
    for i in range(count):
        (root / f"app/models/user/extra_{i:02}.py").write_text(PRODUCT.replace("Product", f"Extra{i:02}").replace(
            '"products"', f'"extra_{i:02}"'))
    git(root, "add", "app/models/user")
    git(root, "commit", "-q", "-m", "more models", "--", "app/models/user")


def _fix_with_stderr(root: Path, stderr_tty: bool) -> tuple[int, str, str]:
    """Run the installed CLI with stderr on a pseudo-terminal (or a pipe); (exit code, stdout, stderr)."""
    import os
    import pty

    command = [sys.executable, "-m", "tenantlint", "fix", "--commit-per-model"]
    if not stderr_tty:
        return run_tenantlint(*command[3:], cwd=root)
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    stdout = process.stdout.read()
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(), stdout, b"".join(chunks).decode()


def test_progress_bar_only_on_a_terminal(repo):
    _many_models(repo, 10)
    code, stdout, stderr = _fix_with_stderr(repo, stderr_tty=True)
    assert code == 0, stderr
    assert "Committing" in stderr and "100%" in stderr
    assert stdout.count(". Task ") == 13
    assert len(subjects(repo)) == 1 + 1 + 13


def test_no_progress_bar_in_a_pipe(repo):
    _many_models(repo, 10)
    code, stdout, stderr = _fix_with_stderr(repo, stderr_tty=False)
    assert (code, stderr) == (0, "")
    assert stdout.count(". Task ") == 13


def test_user_commit_hooks_do_not_run(repo):
    """A hook that would touch the work in progress (here: one that fails every commit) is skipped."""
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho touched > hook-ran.txt\nexit 1\n")
    hook.chmod(0o755)
    result = run_tenantlint("fix", "--commit-per-model", "app/models/user/coupon.py", in_process=True)
    assert result.exit_code == 0, result.stderr
    assert subjects(repo)[0] == "feat(models): add tenant schema to coupon.py (Coupon)"
    assert not (repo / "hook-ran.txt").exists()
    assert status(repo) == WORK_IN_PROGRESS
