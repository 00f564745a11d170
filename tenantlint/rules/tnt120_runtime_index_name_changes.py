"""TNT120 runtime-index-name-changes: reported by `tenantlint verify` on the imported models.

`runtime_check` reads each tenant table's convention-named indexes and constraints from SQLAlchemy's
own objects and names them with the placeholder schema and without it (`naming.render` agrees with
SQLAlchemy: tests/test_phase2_runtime.py); TNT010 is its static half. This module also holds the
rule's documentation and the examples `tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.naming import Named, renames
from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example
from tenantlint.verify.results import Problem, Runtime


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
    # keys may be constraint classes (`{UniqueConstraint: ...}`); callables are not tokens to render
    return {(key if isinstance(key, str) else key.__name__): value for key, value in metadata.naming_convention.items()
            if isinstance(value, str)}


def runtime_check(run: Runtime) -> Iterator[Problem]:
    for info in run.tables:
        if not run.is_tenant(info):
            continue
        changed = renames(_convention(info.table.metadata), auto_named(info.table), run.placeholder)
        if changed:
            pairs = ", ".join(f"`{r.old}` -> `{r.new}`" for r in changed)
            yield Problem(info, f"Table `{info.table.fullname}`: the naming convention gives other names "
                          f"with the `{run.placeholder}` schema than without it: {pairs}")


RULE = Rule(
    code="TNT120",
    name="runtime-index-name-changes",
    what="Reports a tenant table whose index or constraint names, as SQLAlchemy renders them from the naming "
    "convention, differ with the placeholder schema and without it.",
    why="See TNT010: existing tenants keep the old names, new tenants get the new ones, and Alembic autogenerate "
    "proposes to drop and recreate them.",
    example='title = Column(String, index=True)  # "ix_tenant_products_title" under the default convention',
    use_instead='metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s"})',
    fix_safety=f"{RUNTIME_FIX_SAFETY}; `tenantlint fix` fixes the literal cases (TNT010).",
    summary="a tenant table's index or constraint names change with the placeholder schema",
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    runtime_check=runtime_check,
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String)
''')),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (Index("ix_products_title", "title"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    title = Column(String)
''')),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("title"), {"schema": "tenant"})  # default convention: no uq entry
    id = Column(Integer, primary_key=True)
    title = Column(String)
''')),
    ),
    invalid=(
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String, index=True)
'''),
        messages=(
            "Table `tenant.products`: the naming convention gives other names with the `tenant` schema than without it: "
            "`ix_products_title` -> `ix_tenant_products_title`",
        )),
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (Index(None, "title", "code"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    title = Column(String)
    code = Column(String)
'''),
        messages=(
            "Table `tenant.products`: the naming convention gives other names with the `tenant` schema than without it: "
            "`ix_products_title` -> `ix_tenant_products_title`",
        )),
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    brand_id = Column(Integer, ForeignKey("tenant.brands.id"), index=True)


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''),
        messages=(
            "Table `tenant.products`: the naming convention gives other names with the `tenant` schema than without it: "
            "`ix_products_brand_id` -> `ix_tenant_products_brand_id`",
        )),
    ),
)
