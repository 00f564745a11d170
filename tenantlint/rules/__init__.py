"""The rules: one module per code, `tnt001_missing_tenant_schema.py`, found by walking this package.

A rule module holds everything about its rule: the code and name, the documentation that
`tenantlint rules CODE` prints and the README shows, the VALID and INVALID examples that are its
tests, and, for a static rule, the check that turns the shared analysis (`tenantlint.context`)
into findings with their edits. Nothing lists the rules: a module named `tntNNN_name` here is one.

Importing this package is cheap on purpose: the codes and names come from the module names,
so validating `--select`, or a replayed run, never imports a rule module.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenantlint.context import Context, SourceFile
    from tenantlint.findings import Finding
    from tenantlint.verify.results import Problem, Runtime

# Every example is one module at this path, so it sits inside the default tenant paths.
EXAMPLE_PATH = "app/models/user/example.py"

# What every example starts with: the imports the examples use, and a declarative base.
HEADER = '''from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Base(DeclarativeBase):
    pass
'''


def example(body: str) -> str:
    """An example module: HEADER, then `body`."""
    return HEADER + "\n\n" + body.strip("\n") + "\n"


# The fix safety of the runtime rules (TNT1xx), which SQLAlchemy reports on the imported models.
RUNTIME_FIX_SAFETY = "Reported by `tenantlint verify`, which imports the models; never fixed by it"
# The fix safety of the tenant-schema rules (TNT108-TNT113), which compare existing tenants with the models.
TENANTS_FIX_SAFETY = ("Reported by `tenantlint verify MODULE --database-url URL --tenants PATTERN`, which reads the "
                      "tenant schemas in a read-only transaction; never fixed by it (write the migration)")

_MODULE = re.compile(r"tnt(\d{3})_(\w+)")


class FixAvailability(enum.Enum):
    """Whether the rule's findings come with an edit (ruff's `FixAvailability`)."""

    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NONE = "none"


# An example of the tenant-schema rules (TNT108-TNT113) is the models plus an existing tenant:
# `tenant_models`, the models as they were, created the old way in the tenant's schema
# (`SET search_path` + `create_all`, the placeholder translated), then `tenant_ddl`, run as is.
# In both, and in `messages`, `{tenant}` is that tenant's throw-away schema, `{tenant_2}` and
# `{tenant_3}` more tenants the DDL may create, `{shared}` the shared (default) schema. The DDL
# runs as driver SQL, so it holds no `%`.
TENANT_PLACEHOLDERS = ("tenant", "tenant_2", "tenant_3", "shared")


@dataclass(frozen=True)
class Invalid:
    """Source the rule reports; `fixed` is what `fix` makes of it (None: `fix` leaves it)."""

    source: str
    fixed: str | None = None
    unsafe: bool = False  # the fix needs --unsafe-fixes
    path: str = EXAMPLE_PATH
    tenant_ddl: str | None = None
    tenant_models: str | None = None
    messages: tuple[str, ...] = ()  # the rule's exact messages, in order (runtime and tenant-schema rules)
    context_files: tuple[tuple[str, str], ...] = ()  # (path, source) of more files of the project


@dataclass(frozen=True)
class Valid:
    """Source the rule does not report."""

    source: str
    path: str = EXAMPLE_PATH
    tenant_ddl: str | None = None
    tenant_models: str | None = None
    context_files: tuple[tuple[str, str], ...] = ()  # (path, source) of more files of the project


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str  # "reported when", one line of the README's rules table
    what: str  # the documentation sections, as ruff writes them
    why: str
    example: str
    use_instead: str
    fix_safety: str
    fix_summary: str  # the README table's "fix" column
    fix_availability: FixAvailability = FixAvailability.NONE
    valid: tuple[Valid, ...] = field(default=())
    invalid: tuple[Invalid, ...] = field(default=())
    # a static rule's check: the findings of one file in scope, before selection and noqa
    check: Callable[[Context, SourceFile], Iterator[Finding]] | None = None
    runtime: bool = False  # reported by `tenantlint verify` on the imported models
    # a runtime rule's check (TNT101-TNT107): what SQLAlchemy's objects, or the live probe's facts,
    # show (tenantlint.verify.checks places the problems and makes them findings)
    runtime_check: Callable[[Runtime], Iterator[Problem]] | None = None
    # why the live probe cannot run while this runtime rule reports something (None: it can)
    blocks_probe: str | None = None
    # the static rules that report this runtime rule's cause (codes, in order): a baseline that
    # holds such a finding hides it, and `verify` names the one `tenantlint fix` fixes
    caused_by: tuple[str, ...] = ()
    # what its fix moves into the schema, "models" or "tables" (`Table(...)` calls): references to
    # such a table may be qualified in the same run only when this fix is applied too
    # (see Context.unsettled_tables)
    moves: str | None = None
    # the words of `facts.vocabulary` its check relies on: a file or statement without any is not read
    words: tuple[str, ...] = ()
    # which files its check reads: "code" (not migration scripts), "migrations" (only them), "all"
    reads: str = "code"

    def render(self, level: int = 1) -> str:
        """The rule's documentation in Markdown; `level` is the depth of its title."""
        title, section = "#" * level, "#" * (level + 1)
        return "\n".join(
            [
                f"{title} {self.name} ({self.code})" if level == 1 else f"{title} {self.code} {self.name}",
                "",
                f"{section} What it does",
                self.what,
                "",
                f"{section} Why is this bad?",
                self.why,
                "",
                f"{section} Example",
                "```python",
                self.example.strip("\n"),
                "```",
                "",
                f"{section} Use instead",
                "```python",
                self.use_instead.strip("\n"),
                "```",
                "",
                f"{section} Fix safety",
                self.fix_safety,
                "",
            ]
        )


def module_names() -> list[str]:
    """The rule modules of this package, in code order."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if _MODULE.fullmatch(m.name))


def code_of(module: str) -> str:
    """`tnt001_missing_tenant_schema` -> `TNT001` (a test checks each module's rule agrees)."""
    return module[:6].upper()


def is_known_selector(code: str) -> bool:
    """A full code (`TNT001`) or a prefix of known codes (`TNT`, `TNT00`)."""
    return any(code_of(known).startswith(code) for known in module_names()) and code.startswith("T")


def _load() -> dict[str, Rule]:
    rules = {}
    for name in module_names():
        rule = importlib.import_module(f"{__name__}.{name}").RULE
        rules[rule.code] = rule
    return rules


def all_rules() -> dict[str, Rule]:
    """Every rule by code, in code order (imports the rule modules once)."""
    if "RULES" not in globals():
        globals()["RULES"] = _load()
    return globals()["RULES"]


def __getattr__(name: str):
    # `RULES` imports every rule module, so it is built on first use only (PEP 562)
    if name == "RULES":
        return all_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    RULES: dict[str, Rule]


def static_rules() -> list[Rule]:
    """The rules `check` runs, in code order."""
    return [rule for rule in all_rules().values() if rule.check is not None]
