"""What `fix --commit-per-model` did: commit messages, the commit table and the Markdown summary."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the config validates templates at load: keep this module light to import
    from tenantlint.findings import EditKind
    from tenantlint.fix_plan import FileFix


def _model_codes() -> tuple[str, ...]:
    """The findings whose model a commit is about: a class without the schema, a Table(...) without it."""
    from tenantlint.rules.tnt001_missing_tenant_schema import RULE as MISSING_TENANT_SCHEMA
    from tenantlint.rules.tnt006_table_without_schema import RULE as TABLE_WITHOUT_SCHEMA

    return (MISSING_TENANT_SCHEMA.code, TABLE_WITHOUT_SCHEMA.code)


class MessageError(ValueError):
    """A `commit-message` template that cannot be filled in."""


@dataclass(frozen=True)
class Planned:
    """One commit to make: a changed file, its models and the kinds of edit it gets."""

    path: str  # relative to the repository root, /-separated
    models: tuple[str, ...]
    references: tuple[str, ...]  # tables whose references the file qualifies
    edits: tuple[EditKind, ...]
    message: str

    @property
    def kind(self) -> str:
        """The conventional-commit type of the message (`feat` in `feat(models): ...`)."""
        match = re.match(r"\s*([A-Za-z]+)[(!:]", self.message)
        return match.group(1) if match else "commit"


@dataclass(frozen=True)
class Committed:
    task: int
    planned: Planned
    commit: str  # full hash
    short: str


def models_of(fix: FileFix) -> tuple[str, ...]:
    """The models (classes, `Table(...)` names) a file's fix gives the schema, in file order."""
    return tuple(dict.fromkeys(f.model for f in fix.findings if f.code in _model_codes() and f.model))


def references_of(fix: FileFix) -> tuple[str, ...]:
    """The tenant tables named by the other findings (qualified references)."""
    return tuple(dict.fromkeys(f.model for f in fix.findings if f.code not in _model_codes() and f.model))


def edit_kinds(fix: FileFix) -> tuple[EditKind, ...]:
    return tuple(dict.fromkeys(edit.kind for edit in fix.edits))


PLACEHOLDERS = ("file", "path", "models")
_ALLOWED = "it may only use {file}, {path} and {models} (no format spec, conversion, attribute or index)"


def template_problem(template: str) -> str | None:
    """Why a `commit-message` template is refused, or None. Only the bare placeholders pass:
    a format spec (`{file:>2000000000}` builds a 2 GB string) or an attribute or index
    (`{file.__class__}`) would let a cloned repository's config do more than name a file."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"is not a valid template ({exc}); {_ALLOWED}"
    for _, name, spec, conversion in fields:
        if name is None:  # literal text only
            continue
        if name not in PLACEHOLDERS or spec or conversion is not None:
            written = "{" + name + (f"!{conversion}" if conversion is not None else "") + (f":{spec}" if spec else "") + "}"
            return f"uses {written!r}; {_ALLOWED}"
    return None


def commit_message(template: str, path: str, models: tuple[str, ...]) -> str:
    """Fill in `{file}` (the file name), `{path}` (repository-relative) and `{models}`."""
    problem = template_problem(template)  # checked at config load too; a Config can be built in code
    if problem is not None:
        raise MessageError(f"config key `commit-message` {problem}")
    return template.format(file=PurePosixPath(path).name, path=path, models=", ".join(models) or "-")


def plan_commits(fixes: list[tuple[str, FileFix]], template: str) -> list[Planned]:
    """One commit per changed file, in path order."""
    planned = []
    for path, fix in sorted(fixes, key=lambda item: item[0]):
        # a file that only qualifies references names the tables it refers to
        models, references = models_of(fix), references_of(fix)
        message = commit_message(template, path, models or references)
        planned.append(Planned(path, models, references, edit_kinds(fix), message))
    return planned


def format_table(commits: list[Committed]) -> str:
    """The commits as a plan summary's "Task Commits" list."""
    if not commits:
        return "No commits: nothing to fix.\n"
    lines = ["Task Commits:", ""]
    for c in commits:
        lines.append(f"{c.task}. Task {c.task}: {c.planned.path} - `{c.short}` ({c.planned.kind})")
    return "\n".join(lines) + "\n"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}min {rest}s" if rest else f"{minutes}min"


def _stamp(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def format_markdown(commits: list[Committed], started: datetime, finished: datetime, schema: str) -> str:
    """`--summary FILE`: the refactor as a Markdown release note."""
    models = [m for c in commits for m in c.planned.models]
    lines = [
        "# Tenant schema refactor summary",
        "",
        f"**Added the `{schema}` placeholder schema to {len(models)} models in {len(commits)} files, "
        "one commit per file**",
        "",
        "## Performance",
        "",
        f"- **Duration:** {_duration((finished - started).total_seconds())}",
        f"- **Started:** {_stamp(started)}",
        f"- **Completed:** {_stamp(finished)}",
        f"- **Tasks:** {len(commits)}",
        f"- **Files modified:** {len(commits)}",
        "",
        "## Task Commits",
        "",
        "Each task was committed atomically:",
        "",
    ]
    lines += [f"{c.task}. **Task {c.task}: {PurePosixPath(c.planned.path).name}** - `{c.short}` ({c.planned.kind})"
              for c in commits]
    lines += ["", "## Files Modified", "", "| file | models | edits | commit |", "|---|---|---|---|"]
    for c in commits:
        edits = ", ".join(kind.value for kind in c.planned.edits)
        models = ", ".join(c.planned.models) or "-"
        if c.planned.references:
            models += f" (references to {', '.join(c.planned.references)})"
        lines.append(f"| `{c.planned.path}` | {models} | {edits} | `{c.short}` |")
    kinds: dict[str, int] = {}
    for c in commits:
        for kind in c.planned.edits:
            kinds[kind.value] = kinds.get(kind.value, 0) + 1
    lines += ["", "## Edits", ""]
    lines += [f"- {kind}: {count} {'file' if count == 1 else 'files'}" for kind, count in kinds.items()] or ["- none"]
    return "\n".join(lines) + "\n"
