"""Issue 15, the write side of `fix`: edits made meanwhile win, nothing is written outside the
project or through a link, one unwritable file costs that file only, `--commit-per-model` finds
every reason a commit would fail before it writes, and temporary files of killed runs go away."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_tenantlint

from miniapp import COUPON, COUPON_FIXED, PRODUCT, TAG, write_app
from tenantlint import atomic, fix_plan

BASE = b"from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"


def model(name: str, schema: bool = False) -> bytes:
    args = '    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n' if schema else ""
    return (f'from models.base import Base\n\n\nclass {name}(Base):\n    __tablename__ = "{name.lower()}s"\n'
            f"{args}    id = 1\n").encode()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """Two model files to fix, a.py and b.py, in a project of its own."""
    root = tmp_path / "project"
    (root / "models" / "user").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.tenantlint]\n")
    (root / "models" / "base.py").write_bytes(BASE)
    (root / "models" / "user" / "a.py").write_bytes(model("A"))
    (root / "models" / "user" / "b.py").write_bytes(model("B"))
    monkeypatch.chdir(root)
    return root


B_LEFT = (
    "models/user/b.py:4:7: TNT001 Model `B` has no tenant schema [*]\n"
    "Found 1 problem (1 fixable with `tenantlint fix`).\n"
    "Fixed 1 problem in 1 file.\n"
)


# -- item 5: a file changed while `fix` runs is left alone ----------------------------------

def _edit_after(monkeypatch, module, name: str, path: Path, data: bytes | str) -> None:
    """The user saves `path` after `module.name` (a step between analysis and writing) ran."""
    real = getattr(module, name)

    def step_then_edit(*args, **kwargs):
        result = real(*args, **kwargs)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return result

    monkeypatch.setattr(module, name, step_then_edit)


def test_a_file_edited_after_the_analysis_keeps_the_edit(project, monkeypatch):
    edited = model("B") + b"# saved by the user meanwhile\n"
    _edit_after(monkeypatch, fix_plan, "plan", project / "models/user/b.py", edited)
    code, out, err = run_tenantlint("fix", ".", in_process=True)
    assert code == 2
    assert err == "tenantlint: error: models/user/b.py: changed while tenantlint was running; not fixed\n"
    assert out == B_LEFT
    assert (project / "models/user/b.py").read_bytes() == edited
    assert (project / "models/user/a.py").read_bytes() == model("A", schema=True)


def test_an_edit_saved_while_the_new_bytes_are_written_wins(tmp_path, monkeypatch):
    """The content is compared again right before the rename, after the temporary file is complete."""
    target = tmp_path / "a.py"
    target.write_bytes(b"old\n")
    real_fsync = os.fsync

    def fsync_while_the_user_saves(fd):
        real_fsync(fd)
        target.write_bytes(b"the user's\n")

    monkeypatch.setattr(os, "fsync", fsync_while_the_user_saves)
    with pytest.raises(atomic.FileChanged):
        atomic.write_atomic(target, b"new\n", expected=b"old\n")
    assert target.read_bytes() == b"the user's\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


# -- item 6: nothing outside the project, however it is named ----------------------------------

@pytest.fixture
def elsewhere(tmp_path):
    """A folder outside the project with a model file in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "c.py").write_bytes(model("C"))
    return folder


def test_a_path_through_a_linked_folder_is_never_written(project, elsewhere):
    """Discovery already skips such files; `fix` refuses them again on its own, whatever the name."""
    (project / "models/user/linked").symlink_to(elsewhere)
    real = Path(os.path.realpath(elsewhere / "c.py"))
    for name in ("models/user/linked/c.py", "models/user/../user/linked/c.py"):
        path = Path(name)
        assert fix_plan.outside_root(path, project) == f"resolves to {real}, outside the project"
        fix = fix_plan.FileFix(path, fix_plan.FixStatus.CHANGED, model("C"), model("C", schema=True), ())
        failure = fix_plan.write_one(fix, project)
        assert failure is not None
        assert failure.message() == f"{name}: resolves to {real}, outside the project; not fixed"
    assert (elsewhere / "c.py").read_bytes() == model("C")


def test_a_path_through_a_linked_folder_is_refused_at_write_time(project, elsewhere):
    """Defense in depth: write_atomic resolves the path itself and checks the root again."""
    (project / "models/user/linked").symlink_to(elsewhere)
    with pytest.raises(atomic.OutsideRoot):
        atomic.write_atomic(project / "models/user/linked/c.py", b"x\n", expected=model("C"), root=project)
    assert (elsewhere / "c.py").read_bytes() == model("C")


def test_a_folder_swapped_for_a_link_after_the_check_is_not_followed(project, elsewhere):
    """Each folder below the root is opened with O_NOFOLLOW: a link there fails, never redirects."""
    (project / "models/user/linked").symlink_to(elsewhere)
    with pytest.raises(OSError) as raised:
        atomic._open_folder(project / "models/user/linked/c.py", project)
    assert raised.value.errno in (errno.ELOOP, errno.ENOTDIR)


# -- item 9: one unwritable file costs that file only -----------------------------------------

def test_a_full_disk_on_one_file_still_fixes_the_others(project, monkeypatch):
    real_replace = os.replace

    def replace(src, dst, **kwargs):
        if dst == "a.py":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    code, out, err = run_tenantlint("fix", ".", in_process=True)
    assert code == 2
    assert err == "tenantlint: error: models/user/a.py: cannot write: No space left on device; not fixed\n"
    assert out == B_LEFT.replace("b.py", "a.py").replace("`B`", "`A`")
    assert (project / "models/user/a.py").read_bytes() == model("A")
    assert (project / "models/user/b.py").read_bytes() == model("B", schema=True)
    assert sorted(p.name for p in (project / "models/user").iterdir()) == ["a.py", "b.py"]


def test_an_unwritable_folder_still_fixes_the_others(project, monkeypatch):
    """Root ignores permission bits, so the folder refuses the temporary file here."""
    (project / "models/other").mkdir()
    (project / "models/other/c.py").write_bytes(model("C"))
    (project / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["models/user/**", "models/other/**"]\n')
    real_open = os.open

    def open_(path, flags, *args, dir_fd=None, **kwargs):
        if flags & os.O_CREAT and str(path).startswith(".c.py."):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, dir_fd=dir_fd, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    code, out, err = run_tenantlint("fix", "-q", ".", in_process=True)
    assert (code, out) == (2, "models/other/c.py:4:7: TNT001 Model `C` has no tenant schema [*]\n")
    assert err == "tenantlint: error: models/other/c.py: cannot write: Permission denied; not fixed\n"
    assert (project / "models/other/c.py").read_bytes() == model("C")
    assert (project / "models/user/a.py").read_bytes() == model("A", schema=True)
    assert (project / "models/user/b.py").read_bytes() == model("B", schema=True)


def test_a_read_only_file_is_left_and_reported(project):
    target = project / "models/user/a.py"
    target.chmod(0o444)
    code, out, err = run_tenantlint("fix", "-q", ".", in_process=True)
    assert (code, out) == (2, "models/user/a.py:4:7: TNT001 Model `A` has no tenant schema [*]\n")
    assert err == "tenantlint: error: models/user/a.py: cannot write: read-only file (mode 0444); not fixed\n"
    assert target.read_bytes() == model("A")
    assert target.stat().st_mode & 0o7777 == 0o444
    assert (project / "models/user/b.py").read_bytes() == model("B", schema=True)


# -- item 16: temporary files of killed runs ---------------------------------------------------

KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
from tenantlint import atomic
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
atomic.write_atomic(Path(sys.argv[1]), b"half\\n")
"""


def _killed_write(path: Path) -> str:
    """Run a write that is SIGKILLed with its temporary file complete; the leftover's name."""
    before = set(os.listdir(path.parent))
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(path)], capture_output=True)
    assert proc.returncode == -9
    (left,) = set(os.listdir(path.parent)) - before
    return left


def test_a_killed_runs_temp_file_is_removed_by_the_next_write_there(project, tmp_path):
    user = project / "models/user"
    left = _killed_write(user / "a.py")
    assert left.startswith(".a.py.") and left.endswith(".tenantlint-tmp")
    legacy = user / ".b.py.k3_x9qz1.tenantlint"  # the mkstemp name of earlier releases
    legacy.write_bytes(b"half\n")
    os.utime(legacy, (1, 1))
    target = tmp_path / "keep.txt"
    target.write_bytes(b"not ours\n")
    (user / ".c.py.1.0123456789abcdef.tenantlint-tmp").symlink_to(target)  # a link: never followed
    (user / ".a.py.notes").write_bytes(b"the user's\n")  # not the exact pattern
    os.utime(user / ".a.py.notes", (1, 1))

    code, out, err = run_tenantlint("fix", "-q", ".", in_process=True)
    assert (code, out, err) == (0, "", "")
    assert sorted(os.listdir(user)) == [".a.py.notes", ".c.py.1.0123456789abcdef.tenantlint-tmp", "a.py", "b.py"]
    assert target.read_bytes() == b"not ours\n"


def test_a_temp_file_of_a_live_process_is_kept(tmp_path):
    leftover = tmp_path / f".a.py.{os.getpid()}.0123456789abcdef.tenantlint-tmp"
    leftover.write_bytes(b"being written\n")
    os.utime(leftover, (1, 1))
    atomic.write_atomic(tmp_path / "a.py", b"new\n")
    assert sorted(os.listdir(tmp_path)) == [leftover.name, "a.py"]


# -- item 10: --commit-per-model finds every reason a commit would fail before it writes --------

def git(repo: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=check, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch, isolated_git):
    """The mini app committed in a fresh repository, with a global config of its own."""
    root = tmp_path / "repo"
    write_app(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    monkeypatch.chdir(root)
    return root


def subjects(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


def status(root: Path) -> list[str]:
    return git(root, "status", "--porcelain=v1", "--untracked-files=all").splitlines()


def _refused(repo: Path, message: str, *args: str) -> None:
    before_log, before_status = subjects(repo), status(repo)
    code, out, err = run_tenantlint("fix", "--commit-per-model", *args, in_process=True)
    assert (code, out) == (2, "")
    assert err == f"tenantlint: error: {message}; nothing was changed or committed\n"
    assert subjects(repo) == before_log
    assert status(repo) == before_status
    assert (repo / "app/models/user/coupon.py").read_text() == COUPON


def test_refuses_without_a_committer_identity(repo, monkeypatch):
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)
    git(repo, "config", "user.useConfigOnly", "true")  # no guess from the host name
    _refused(repo, "git does not know who you are (`git var GIT_COMMITTER_IDENT` fails); set user.name and user.email")


def test_refuses_while_the_index_is_locked(repo):
    (repo / ".git/index.lock").write_text("")
    _refused(repo, f"{repo}/.git/index.lock exists: another git process is running (or crashed); remove it when none is")


def test_refuses_a_detached_head(repo):
    git(repo, "checkout", "-q", "--detach")
    _refused(repo, "HEAD is detached; check out a branch first")


def test_refuses_models_in_a_submodule(repo, tmp_path):
    inner = tmp_path / "inner"
    (inner / "models").mkdir(parents=True)
    (inner / "models/extra.py").write_text(COUPON.replace("Coupon", "Extra"))
    git(inner, "init", "-q", "-b", "main")
    git(inner, "add", "-A")
    git(inner, "commit", "-q", "-m", "inner")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "app/models/user/vendor")
    git(repo, "commit", "-q", "-m", "vendor")
    _refused(repo, "app/models/user/vendor/models is inside the submodule (or nested repository) "
                   "app/models/user/vendor; run tenantlint there")


def test_refuses_an_ignored_file_named_on_the_command_line(repo):
    (repo / ".gitignore").write_text("app/models/user/local.py\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore")
    (repo / "app/models/user/local.py").write_text(COUPON.replace("Coupon", "Local"))
    _refused(repo, "app/models/user/local.py: ignored by git and not tracked; only tracked files are committed",
             "app/models/user/local.py", "app/models/user/coupon.py")
    assert (repo / "app/models/user/local.py").read_text() == COUPON.replace("Coupon", "Local")


def test_refuses_signed_commits_that_cannot_be_signed(repo, tmp_path):
    failing_gpg = tmp_path / "gpg"
    failing_gpg.write_text("#!/bin/sh\necho 'gpg: no default secret key' >&2\nexit 2\n")
    failing_gpg.chmod(0o755)
    git(repo, "config", "commit.gpgsign", "true")
    git(repo, "config", "gpg.program", str(failing_gpg))
    code, out, err = run_tenantlint("fix", "--commit-per-model", in_process=True)
    assert (code, out) == (2, "")
    assert err.startswith("tenantlint: error: commit.gpgsign is true but git cannot sign (")
    assert err.endswith("); fix the signing setup or set commit.gpgsign=false for this repository; "
                        "nothing was changed or committed\n")
    assert subjects(repo) == ["initial"]
    assert status(repo) == []


def test_no_commit_hook_runs(repo):
    """--no-verify skips pre-commit and commit-msg only; prepare-commit-msg and post-commit are off too."""
    for name in ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"):
        hook = repo / ".git/hooks" / name
        hook.write_text(f"#!/bin/sh\necho {name} >> \"$(git rev-parse --show-toplevel)/hooks-ran.txt\"\n")
        hook.chmod(0o755)
    code, out, err = run_tenantlint("fix", "--commit-per-model", "app/models/user/coupon.py", in_process=True)
    assert (code, err) == (0, "")
    assert subjects(repo) == ["feat(models): add tenant schema to coupon.py (Coupon)", "initial"]
    assert not (repo / "hooks-ran.txt").exists()
    assert status(repo) == []


def test_a_file_edited_meanwhile_is_skipped_and_the_others_committed(repo, monkeypatch):
    edited = COUPON + "# saved by the user meanwhile\n"
    from tenantlint import refactor

    # after the pre-checks, which refuse a target that already has uncommitted changes
    _edit_after(monkeypatch, refactor, "prepare", repo / "app/models/user/coupon.py", edited)
    code, out, err = run_tenantlint("fix", "-q", "--commit-per-model", in_process=True)
    assert code == 2
    assert err == "tenantlint: error: app/models/user/coupon.py: changed while tenantlint was running; not fixed\n"
    assert subjects(repo) == [
        "feat(models): add tenant schema to tag.py (Tag)",
        "feat(models): add tenant schema to product.py (Product)",
        "initial",
    ]
    assert (repo / "app/models/user/coupon.py").read_text() == edited
    assert status(repo) == [" M app/models/user/coupon.py"]


def test_a_failing_commit_puts_its_file_back_and_names_it(repo, monkeypatch):
    """The second commit fails for real (a lock taken after the first): no file but it was written,
    and it is restored; the third is never written."""
    from tenantlint.git import Repository

    real_commit = Repository.commit_file
    calls = []

    def commit_file(self, relative, message, no_hooks, also=()):
        calls.append(relative)
        if len(calls) == 2:
            (repo / ".git/index.lock").write_text("")
        return real_commit(self, relative, message, no_hooks, also)

    monkeypatch.setattr(Repository, "commit_file", commit_file)
    code, out, err = run_tenantlint("fix", "--commit-per-model", in_process=True)
    assert (code, out) == (2, "")
    assert err.startswith("tenantlint: error: app/models/user/product.py: could not commit: `git -c core.hooksPath=")
    assert err.endswith("; the fix of this file was undone; 1 files were committed before it, "
                        "the others were left unchanged\n")
    assert subjects(repo) == ["feat(models): add tenant schema to coupon.py (Coupon)", "initial"]
    (repo / ".git/index.lock").unlink()
    assert status(repo) == []
    assert (repo / "app/models/user/coupon.py").read_text() == COUPON_FIXED
    assert (repo / "app/models/user/product.py").read_text() == PRODUCT
    assert (repo / "app/models/user/tag.py").read_text() == TAG


def test_a_killed_runs_temp_file_does_not_stay_in_git_status(repo):
    left = _killed_write(repo / "app/models/user/coupon.py")
    assert status(repo) == [f"?? app/models/user/{left}"]
    code, out, err = run_tenantlint("fix", "-q", "--commit-per-model", in_process=True)
    assert (code, err) == (0, "")
    assert status(repo) == []
