"""`tenantlint verify`'s half of TNT010: each tenant table's convention-named indexes and
constraints, read from SQLAlchemy's objects, named with the placeholder schema and without it
(TNT120; `naming.render` agrees with SQLAlchemy, tests/test_phase2_runtime.py)."""

from __future__ import annotations

from collections.abc import Callable

from tenantlint.findings import Finding
from tenantlint.naming import Named, renames
from tenantlint.rules.tnt120_runtime_index_name_changes import RULE


def auto_named(table) -> list[Named]:
    """The table's indexes and constraints whose name comes from the naming convention: no name,
    or one SQLAlchemy generated (a `conv`)."""
    from sqlalchemy import CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint
    from sqlalchemy.sql.elements import conv

    kinds = ((UniqueConstraint, "uq"), (CheckConstraint, "ck"), (ForeignKeyConstraint, "fk"), (PrimaryKeyConstraint, "pk"))
    found = [Named("ix", table.name, tuple(c.name for c in index.columns))
             for index in table.indexes if index.name is None or isinstance(index.name, conv)]
    for constraint in table.constraints:
        kind = next((k for cls, k in kinds if isinstance(constraint, cls)), None)
        if kind and (constraint.name is None or isinstance(constraint.name, conv)):
            referred = constraint.elements[0].target_fullname.split(".")[-2] if kind == "fk" else None
            found.append(Named(kind, table.name, tuple(c.name for c in constraint.columns), referred))
    return found


def _convention(metadata) -> dict[str, str]:
    return {(key if isinstance(key, str) else key.__name__): value for key, value in metadata.naming_convention.items()
            if isinstance(value, str)}


def check_names(infos, placeholder: str, finding: Callable) -> list[Finding]:
    """A finding per tenant table whose names differ once it has the placeholder schema;
    `finding(code, message, info)` places it (verify's `_finding`)."""
    found = []
    for info in infos:
        if info.table.schema != placeholder:
            continue
        changed = renames(_convention(info.table.metadata), auto_named(info.table), placeholder)
        if changed:
            pairs = ", ".join(f"`{r.old}` -> `{r.new}`" for r in changed)
            found.append(finding(RULE.code, f"Table `{info.table.fullname}`: the naming convention gives other names "
                                 f"with the `{placeholder}` schema than without it: {pairs}", info))
    return found
