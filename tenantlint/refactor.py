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


def prepare(changed: list[FileFix], config: Config,
            joining: list[FileFix] = ()) -> tuple[Repository, list[tuple[Planned, FileFix]]]:
    """Every check before anything is written: a git work tree on a branch, no merge or rebase in
    progress, no index lock, a committer identity, no uncommitted change in a target file, targets
    that this repository tracks, a working signature when commits are signed, a commit message that
    can be filled in."""
    repo = Repository.find(config.root)
    by_relative: dict[str, FileFix] = {}
    for fix in changed:  # a file named twice (a symlink inside the project) is one commit
        by_relative.setdefault(repo.relative(fix.path), fix)
    relative = list(by_relative.items())
    repo.refuse_unsafe([path for path, _ in relative] + [repo.relative(fix.path) for fix in joining])
    planned = plan_commits(relative, config.commit_message, config.qualify_message)
    by_path = dict(relative)
    return repo, [(p, by_path[p.path]) for p in planned]


def companions(steps: list[tuple[Planned, FileFix]], joining: list[FileFix], owners, config: Config) -> list[list[FileFix]]:
    """`--with-references` with `--commit-per-model`: each reference a file outside the run gets
    is committed with the model file that moves its table, so every commit maps. Per step, the
    joining files as they are after the references of this step and the ones before it (each
    part proved like any fix, over the bytes the part before it left)."""
    from collections import defaultdict

    from tenantlint.fix_plan import FixStatus, fix_file

    order = {owners.relative(fix): k for k, (_, fix) in enumerate(steps)}
    along: list[list[FileFix]] = [[] for _ in steps]
    for joiner in joining:
        by_step = defaultdict(list)
        for finding in joiner.findings:
            by_step[order[owners.owner(finding)]].append(finding)
        applied, current = [], joiner.old
        for k in sorted(by_step):
            applied += by_step[k]
            part = fix_file(joiner.path, joiner.old, applied, config)
            if part.status is FixStatus.FAILED:
                raise ValueError(f"{joiner.path.as_posix()}: {part.error}")
            along[k].append(replace(part, old=current, findings=tuple(by_step[k])))
            current = part.new
    return along


def commit_each(repo: Repository, steps: list[tuple[Planned, FileFix]], root: Path,
                progress=None, along: list[list[FileFix]] | None = None) -> tuple[list[Committed], list[NotWritten]]:
    """Write and commit the files one at a time, in path order: each file is committed before the
    next is written, so a failing commit leaves no other file written. A file that cannot be written
    (changed meanwhile, outside the project, an OS error) is skipped; a failing commit stops the run
    and its file is put back as it was (`CommitFailed`)."""
    from tenantlint.atomic import begin_run

    begin_run()
    committed: list[Committed] = []
    skipped: list[NotWritten] = []
    paired = list(zip(steps, along or [[] for _ in steps]))
    items = paired if progress is None else progress(paired)
    with tempfile.TemporaryDirectory(prefix="tenantlint-no-hooks-") as no_hooks:
        for (planned, fix), parts in items:
            written = _write_together([fix, *parts], root, skipped)
            if not written:
                continue
            try:
                commit = repo.commit_file(planned.path, planned.message, Path(no_hooks),
                                          tuple(repo.relative(part.path) for part in parts))
            except GitError as exc:
                undone = _undo(written, root)
                raise CommitFailed(fix, exc, undone, committed, skipped) from exc
            committed.append(Committed(len(committed) + 1, planned, commit, repo.short(commit)))
    return committed, skipped


def _write_together(fixes: list[FileFix], root: Path, skipped: list[NotWritten]) -> list[FileFix]:
    """Write the files of one commit, all or none: a file that cannot be written puts the others
    of this commit back and is skipped."""
    written = []
    for fix in fixes:
        failure = write_one(fix, root)
        if failure is not None:  # the model file is what the user sees skipped
            skipped.append(failure if fix is fixes[0] else
                           NotWritten(fixes[0], f"{fix.path.as_posix()}, whose references go with it, {failure.reason}"))
            _undo(written, root)
            return []
        written.append(fix)
    return written


def _undo(written: list[FileFix], root: Path) -> bool:
    """Put the written files back; whether all of them are."""
    return all([write_one(replace(fix, old=fix.new, new=fix.old), root) is None for fix in reversed(written)])
