"""`fix --commit-per-model`: write each fixed file and commit it alone, refusing unsafe repositories."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from tenantlint.config import Config
from tenantlint.fix_plan import FileFix, NotWritten, write_one
from tenantlint.git import GitError, Repository
from tenantlint.release_note import Committed, Planned, plan_commits


class CommitFailed(Exception):
    """A commit git refused after its file was written; the files before it are committed."""

    def __init__(self, fix: FileFix, error: GitError, undone: bool, committed: list[Committed],
                 skipped: list[NotWritten]):
        self.committed, self.skipped = committed, skipped
        state = "the fix of this file was undone" if undone else "this file is written but not committed"
        super().__init__(f"{fix.path.as_posix()}: could not commit: {error}; {state}; "
                         f"{len(committed)} files were committed before it, the others were left unchanged")


def prepare(changed: list[FileFix], config: Config) -> tuple[Repository, list[tuple[Planned, FileFix]]]:
    """Every check before anything is written: a git work tree on a branch, no merge or rebase in
    progress, no index lock, a committer identity, no uncommitted change in a target file, targets
    that this repository tracks, a working signature when commits are signed, a commit message that
    can be filled in."""
    repo = Repository.find(config.root)
    by_relative: dict[str, FileFix] = {}
    for fix in changed:  # a file named twice (a symlink inside the project) is one commit
        by_relative.setdefault(repo.relative(fix.path), fix)
    relative = list(by_relative.items())
    repo.refuse_unsafe([path for path, _ in relative])
    planned = plan_commits(relative, config.commit_message)
    by_path = dict(relative)
    return repo, [(p, by_path[p.path]) for p in planned]


def commit_each(repo: Repository, steps: list[tuple[Planned, FileFix]], root: Path,
                progress=None) -> tuple[list[Committed], list[NotWritten]]:
    """Write and commit the files one at a time, in path order: each file is committed before the
    next is written, so a failing commit leaves no other file written. A file that cannot be written
    (changed meanwhile, outside the project, an OS error) is skipped; a failing commit stops the run
    and its file is put back as it was (`CommitFailed`)."""
    from tenantlint.atomic import begin_run

    begin_run()
    committed: list[Committed] = []
    skipped: list[NotWritten] = []
    items = steps if progress is None else progress(steps)
    with tempfile.TemporaryDirectory(prefix="tenantlint-no-hooks-") as no_hooks:
        for planned, fix in items:
            failure = write_one(fix, root)
            if failure is not None:
                skipped.append(failure)
                continue
            try:
                commit = repo.commit_file(planned.path, planned.message, Path(no_hooks))
            except GitError as exc:
                undone = write_one(replace(fix, old=fix.new, new=fix.old), root) is None
                raise CommitFailed(fix, exc, undone, committed, skipped) from exc
            committed.append(Committed(len(committed) + 1, planned, commit, repo.short(commit)))
    return committed, skipped
