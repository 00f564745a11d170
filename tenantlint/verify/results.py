"""What `tenantlint verify` passes around: where a table is defined, what the probe saw, the result.

Plain data, no SQLAlchemy import: the runtime rule modules import it to type their checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROBE_TENANTS = ("user_1", "user_2")


class VerifyError(Exception):
    """The models cannot be imported or configured, or the database is unreachable: exit 2."""


@dataclass(frozen=True)
class Origin:
    """Where a table is defined: the file, and the `class` (name column) or `Table(...)` call."""

    file: Path | None
    line: int = 1
    column: int = 1
    model: str | None = None  # the mapped class, or the variable (or class attribute) of a Table


@dataclass(frozen=True)
class TableInfo:
    table: object  # sqlalchemy.Table
    origin: Origin
    tenant_path: bool

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def label(self) -> str:
        """`Table `tenant.products` (model `Product`)`, as the messages name a table."""
        model = self.origin.model
        return f"Table `{self.table.fullname}`" + (f" (model `{model}`)" if model and model != self.name else "")


@dataclass(frozen=True)
class Failure:
    """A step of the probe that raised: which step, the table it was creating, SQLAlchemy's message."""

    step: str  # "create" (the tables) or "probe" (anything after)
    error: str  # `ExceptionType: first line of the message`, credentials masked
    info: TableInfo | None = None  # the table being created, when known
    statement: str | None = None  # the failing DDL's first line, when it was not a table's


@dataclass
class ProbeFacts:
    """What the live probe read back from the database before dropping everything."""

    dialect: str
    schemas: dict[str, str]  # probe tenant -> schema it was created in
    tenant_tables: list[TableInfo] = field(default_factory=list)  # what it created per tenant
    created: dict[str, list[str]] = field(default_factory=dict)  # schema -> table names
    foreign_keys: list[tuple[str, str, str, str]] = field(default_factory=list)  # schema, table, ref schema, ref table
    isolation: dict[str, int] = field(default_factory=dict)  # tenant -> rows seen in the probe table
    probe_table: str | None = None
    probe_info: TableInfo | None = None
    failure: Failure | None = None
    dropped: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"


@dataclass(frozen=True)
class Runtime:
    """What a runtime rule's check looks at: the tables SQLAlchemy built and, once the live probe
    ran, what it found (`probe`), or why it did not run (`skipped`)."""

    tables: list[TableInfo]
    placeholder: str
    probe: ProbeFacts | None = None
    skipped: str | None = None

    def is_tenant(self, info: TableInfo) -> bool:
        """Whether the table has the placeholder schema."""
        return info.table.schema == self.placeholder

    def tenant_tables(self) -> list[TableInfo]:
        """The tables the probe creates per tenant: in a tenant path, or with the placeholder."""
        return [i for i in self.tables if i.tenant_path or self.is_tenant(i)]


@dataclass(frozen=True)
class Problem:
    """One finding of a runtime rule, before it is placed: the table it is about (None: the module),
    the message, and other table names a static finding about the same cause would carry."""

    info: TableInfo | None
    message: str
    about: tuple[str, ...] = ()


@dataclass
class VerifyResult:
    findings: list
    tables: list[TableInfo]
    placeholder: str = "tenant"
    facts: ProbeFacts | None = None
    not_probed: str | None = None  # why the live probe did not run
    tenants: object | None = None  # tenants.TenantsReport of `--tenants`
    notes: list[str] = field(default_factory=list)  # the baseline's, after the summary
    placed: list = field(default_factory=list)  # checks.Placed of each finding, same order
