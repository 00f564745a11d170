"""TNT106 tenant-probe-failed: reported by `tenantlint verify` on what the live probe found.

`tenantlint.verify.probe` creates the tables and records what it saw (`ProbeFacts`);
`runtime_check` here judges it. This module also holds the rule's documentation and the
examples `tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example
from tenantlint.verify.results import Failure, ProbeFacts, Problem, Runtime

# What a creation that failed on SQLite adds: the models may need PostgreSQL (JSONB, ARRAY, ...).
SQLITE_HINT = (" (the probe ran on SQLite in memory: if the models need PostgreSQL, run it there with "
               "`--database-url postgresql+psycopg://...`)")


def runtime_check(run: Runtime) -> Iterator[Problem]:
    if run.skipped is not None:
        yield Problem(None, f"The live probe did not run: {run.skipped}")
    facts = run.probe
    if facts is None:
        return
    if facts.failure is not None and facts.failure.step == "create":
        yield _creation(facts.failure, facts.is_sqlite)
    else:
        yield from _missing(facts, run.placeholder)
        yield from _outside(facts)
        yield from _isolation(facts)
        if facts.failure is not None:
            yield Problem(None, f"The probe failed: {facts.failure.error}")
    if not facts.dropped:
        yield Problem(None, f"Some probe schemas could not be dropped: {', '.join(facts.schemas.values())}")


def _creation(failure: Failure, sqlite: bool) -> Problem:
    hint = SQLITE_HINT if sqlite else ""
    if failure.info is not None:
        return Problem(failure.info, f"{failure.info.label} could not be created: {failure.error}{hint}")
    running = f" (running `{failure.statement}`)" if failure.statement else ""
    return Problem(None, f"Creating the tables failed{running}: {failure.error}{hint}")


def _missing(facts: ProbeFacts, placeholder: str) -> Iterator[Problem]:
    for info in facts.tenant_tables:  # a table without the placeholder is TNT101 already
        for tenant, schema in facts.schemas.items() if info.table.schema == placeholder else ():
            if schema in facts.created and info.name not in facts.created[schema]:  # read back
                yield Problem(info, f"{info.label} was not created in the schema of probe tenant `{tenant}`")


def _outside(facts: ProbeFacts) -> Iterator[Problem]:
    """PostgreSQL: a foreign key of a tenant table that points into another tenant's schema."""
    tenant_names = {i.name for i in facts.tenant_tables}
    for schema, table, ref_schema, ref_table in facts.foreign_keys:
        if ref_table in tenant_names and ref_schema != schema:
            info = next((i for i in facts.tenant_tables if i.name == table), None)
            yield Problem(info, f"Foreign key of `{schema}.{table}` points to `{ref_schema}.{ref_table}`, "
                          "outside its tenant's schema")


def _isolation(facts: ProbeFacts) -> Iterator[Problem]:
    info, tenants = facts.probe_info, list(facts.schemas)
    if info is None or not facts.isolation:
        return
    expected = {t: int(t == tenants[0]) for t in tenants}
    if facts.isolation != expected:
        seen = ", ".join(f"{t}: {n}" for t, n in facts.isolation.items())
        yield Problem(info, f"{info.label}: a row written as probe tenant `{tenants[0]}` is not isolated "
                      f"(rows seen: {seen})", about=(info.name,))

RULE = Rule(
    code="TNT106",
    name="tenant-probe-failed",
    what="Reports what the live probe found: the tenant tables could not be created for two probe tenants "
    "through `schema_translate_map` (at the table that failed, with SQLAlchemy's message; on SQLite, the "
    "columns of a type it cannot create, such as `ARRAY`, and a hint to probe on PostgreSQL), a table is missing from a tenant's schema, a foreign key points "
    "outside its tenant's schema (PostgreSQL), a row written as one tenant is seen by the other, a "
    "probe schema could not be dropped, or the probe did not run at all (TNT103 or TNT107 make the tables "
    "impossible to create; this one is reported whatever `--select` and `--ignore` say).",
    why="It is what the application would do in production: tenants that share rows leak data.",
    example='class Brand(Base):  # models/user/brand.py\n    __tablename__ = "brands"',
    use_instead='class Brand(Base):\n    __tablename__ = "brands"\n'
    '    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map',
    fix_safety=f"{RUNTIME_FIX_SAFETY}.",
    summary='the live probe of two tenants failed or did not run',
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    runtime_check=runtime_check,
    caused_by=("TNT001", "TNT006"),
    valid=(
        Valid(example('''
class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    name = Column(String)
''')),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
''')),
        Valid(example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer, primary_key=True), schema="tenant")
''')),
    ),
    invalid=(
        Invalid(example('''
from sqlalchemy import ARRAY


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    tags = Column(ARRAY(String))  # PostgreSQL only: SQLite cannot create it
'''),
        messages=(
            "Table `tenant.products` (model `Product`) could not be created: column `tags` has type `ARRAY`, "
            "which SQLite cannot create (the probe ran on SQLite in memory: if the models need PostgreSQL, "
            "run it there with `--database-url postgresql+psycopg://...`)",
        )),
        Invalid(example('''
class Brand(Base):
    __tablename__ = "brands"  # no schema: one table for every tenant, rows seen by both
    id = Column(Integer, primary_key=True)
    name = Column(String)
'''),
        messages=(
            "Table `brands` (model `Brand`): a row written as probe tenant `user_1` is not isolated (rows "
            "seen: user_1: 1, user_2: 1)",
        )),
        Invalid(example('''
class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id"))  # TNT103: the probe cannot run
'''),
        messages=(
            "The live probe did not run: a foreign key does not resolve (TNT103)",
        )),
        Invalid(example('''
from sqlalchemy import text


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    name = Column(String, server_default=text("no such function("))  # CREATE TABLE fails
'''),
        messages=(
            "Table `tenant.brands` (model `Brand`) could not be created: OperationalError: "
            "(sqlite3.OperationalError) near \"such\": syntax error (the probe ran on SQLite in memory: if the "
            "models need PostgreSQL, run it there with `--database-url postgresql+psycopg://...`)",
        )),
    ),
)
