"""Git, for `fix --commit-per-model`: argv lists only, `check=True`, one file per commit."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


class GitError(Exception):
    """A repository state the refactor refuses to work in; the CLI turns it into exit 2."""


# Files git keeps in the git directory while an operation waits for the user.
_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase (or `git am`)",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise GitError("git is not installed (needed by --commit-per-model)") from exc
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip().splitlines()
        # git's own reason (`fatal: ...`) rather than its advice on the last line
        reason = next((line for line in detail if line.startswith(("fatal:", "error:"))), detail[-1] if detail else "")
        raise GitError(f"`git {' '.join(args)}` failed: {reason or exc.returncode}") from exc
    return done.stdout


@dataclass(frozen=True)
class Repository:
    root: Path  # the work tree's top folder

    @classmethod
    def find(cls, start: Path) -> Repository:
        folder = start if start.is_dir() else start.parent
        try:
            inside = subprocess.run(
                ["git", "rev-parse", "--is-inside-work-tree"], cwd=folder, capture_output=True, text=True
            )
        except FileNotFoundError as exc:
            raise GitError("git is not installed (needed by --commit-per-model)") from exc
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            raise GitError(f"{folder} is not inside a git work tree; --commit-per-model needs one")
        return cls(Path(_git(folder, "rev-parse", "--show-toplevel").strip()))

    def relative(self, path: Path) -> str:
        try:
            return Path(os.path.realpath(path)).relative_to(os.path.realpath(self.root)).as_posix()
        except ValueError:
            raise GitError(f"{path} is outside the git work tree {self.root}") from None

    def operation_in_progress(self) -> str | None:
        for name, what in _IN_PROGRESS.items():
            marker = Path(_git(self.root, "rev-parse", "--path-format=absolute", "--git-path", name).strip())
            if marker.exists():
                return what
        return None

    def dirty(self, relative: list[str]) -> list[tuple[str, str]]:
        """The given files that differ from HEAD (staged, unstaged or untracked), with git's status."""
        if not relative:
            return []
        out = _git(self.root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *relative)
        entries = [e for e in out.split("\0") if e]
        return [(entry[3:], entry[:2]) for entry in entries if len(entry) > 3]

    def has_head(self) -> bool:
        try:
            _git(self.root, "rev-parse", "--verify", "--quiet", "HEAD")
        except GitError:
            return False
        return True

    def commit_file(self, relative: str, message: str, no_hooks: Path, also: tuple[str, ...] = ()) -> str:
        """Commit this one file (and `also`: the files whose references move with it) as it is in
        the work tree, leaving the index of every other file as it was (`--only`); the commit's full hash. No hook runs (the user's hooks could stash, restore or
        rewrite their work in progress in the middle of the refactor): `--no-verify` skips pre-commit
        and commit-msg only, so hooks are looked up in `no_hooks`, an empty folder."""
        _git(self.root, "-c", f"core.hooksPath={no_hooks}", "commit", "--quiet", "--no-verify", "--only",
             "--message", message, "--", relative, *also)
        return _git(self.root, "rev-parse", "HEAD").strip()

    def short(self, commit: str) -> str:
        return _git(self.root, "rev-parse", "--short", commit).strip()

    def refuse_unsafe(self, relative: list[str]) -> None:
        """Raise unless every target can be committed alone without touching anyone's work, and
        unless every commit can be made: each reason a commit would fail after a file is written
        is looked for here, before anything is written."""
        operation = self.operation_in_progress()
        if operation:
            raise GitError(f"{operation} is in progress in {self.root}; finish or abort it first")
        if not self.has_head():
            raise GitError(f"{self.root} has no commit yet; commit the models first")
        self._refuse_detached_head()
        self._refuse_index_lock()
        self._refuse_missing_identity()
        self._refuse_foreign_paths(relative)
        dirty = self.dirty(relative)
        if dirty:
            listed = ", ".join(f"{path} ({status.strip() or '?'})" for path, status in dirty)
            raise GitError(
                f"uncommitted changes in files the fix would commit: {listed}; commit or stash them first"
            )
        self._refuse_failing_signature()

    def _refuse_detached_head(self) -> None:
        try:
            _git(self.root, "symbolic-ref", "--quiet", "HEAD")
        except GitError:
            raise GitError("HEAD is detached; check out a branch first") from None

    def _refuse_index_lock(self) -> None:
        lock = Path(_git(self.root, "rev-parse", "--path-format=absolute", "--git-path", "index.lock").strip())
        if lock.exists():
            raise GitError(
                f"{lock} exists: another git process is running (or crashed); remove it when none is"
            )

    def _refuse_missing_identity(self) -> None:
        for who in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            try:
                _git(self.root, "var", who)
            except GitError:
                raise GitError(
                    "git does not know who you are (`git var GIT_COMMITTER_IDENT` fails); "
                    "set user.name and user.email"
                ) from None

    def _refuse_foreign_paths(self, relative: list[str]) -> None:
        """Files in a submodule (or another repository inside this one) and untracked ignored files
        cannot be committed here."""
        root = os.path.realpath(self.root)
        for folder in sorted({os.path.dirname(path) for path in relative}):
            top = _git(self.root / folder, "rev-parse", "--show-toplevel").strip()
            if os.path.realpath(top) != root:
                inner = Path(os.path.realpath(top)).relative_to(root).as_posix()
                raise GitError(f"{folder or '.'} is inside the submodule (or nested repository) {inner}; "
                               "run tenantlint there")
        if not relative:
            return
        tracked = set(_git(self.root, "ls-files", "-z", "--", *relative).split("\0"))
        untracked = [path for path in relative if path not in tracked]
        if not untracked:
            return
        done = subprocess.run(["git", "check-ignore", "-z", "--stdin"], cwd=self.root,
                              input="\0".join(untracked) + "\0", capture_output=True, text=True)
        ignored = [path for path in done.stdout.split("\0") if path]
        if ignored:
            raise GitError(f"{', '.join(ignored)}: ignored by git and not tracked; only tracked files are committed")

    def _refuse_failing_signature(self) -> None:
        """With commit.gpgsign the commits are signed, as the user asked; a signature that cannot be
        made (no key, no agent) is found by signing a throw-away commit object no ref points to."""
        done = subprocess.run(["git", "config", "--type=bool", "--get", "commit.gpgsign"], cwd=self.root,
                              capture_output=True, text=True)
        if done.stdout.strip() != "true":
            return
        try:
            _git(self.root, "commit-tree", "-S", "-m", "tenantlint: signing probe", "HEAD^{tree}")
        except GitError as exc:
            raise GitError(f"commit.gpgsign is true but git cannot sign ({exc}); "
                           "fix the signing setup or set commit.gpgsign=false for this repository") from None
