"""`fix --commit-per-model`: write each fixed file and commit it alone, refusing unsafe repositories."""

from __future__ import annotations

from tenantlint.config import Config
from tenantlint.atomic import write_atomic
from tenantlint.fixing import FileFix
from tenantlint.git import Repository
from tenantlint.release_note import Committed, Planned, plan_commits

def prepare(changed: list[FileFix], config: Config) -> tuple[Repository, list[tuple[Planned, FileFix]]]:
    """Every check before anything is written: a git work tree, no merge or rebase in progress,
    no uncommitted change in a target file, a commit message that can be filled in."""
    repo = Repository.find(config.root)
    relative = [(repo.relative(fix.path), fix) for fix in changed]
    repo.refuse_unsafe([path for path, _ in relative])
    planned = plan_commits(relative, config.commit_message)
    by_path = dict(relative)
    return repo, [(p, by_path[p.path]) for p in planned]


def commit_each(repo: Repository, steps: list[tuple[Planned, FileFix]], progress=None) -> list[Committed]:
    """Write and commit the files one at a time, in path order."""
    committed = []
    items = steps if progress is None else progress(steps)
    for task, (planned, fix) in enumerate(items, start=1):
        write_atomic(fix.path, fix.new)
        commit = repo.commit_file(planned.path, planned.message)
        committed.append(Committed(task, planned, commit, repo.short(commit)))
    return committed
