"""TNT011 untranslated-migration-op: an Alembic operation that `schema_translate_map` does not
translate names a tenant table in a migration script."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile
from tenantlint.facts.vocabulary import MIGRATION_WORDS, MODEL_WORDS
from tenantlint.findings import Finding
from tenantlint.rules import Invalid, Rule, Valid

# Run against PostgreSQL with `schema_translate_map={"tenant": <schema>}` on the connection
# (tests/test_phase2_runtime.py asserts this list with the installed Alembic): these emit
# `ALTER TABLE tenant.x` / `INSERT INTO tenant.x` as written. create_table, drop_table,
# create_index, drop_index, create_*_constraint, drop_constraint, create_foreign_key and the
# table comments are translated. `op.execute` of text is TNT009's.
UNTRANSLATED = ("add_column", "alter_column", "drop_column", "rename_table", "bulk_insert", "batch_alter_table")

MIGRATION_PATH = "alembic/versions/0002_add_sku.py"
MODELS_PATH = "app/models/user/product.py"
_MODELS = '''from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String)
'''


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    pos = context.positions(file)
    for op in file.facts.ops:
        if op.name not in UNTRANSLATED or op.table not in context.tenant_tables:
            continue
        effect = (f"with `schema=\"{op.schema}\"` it fails (that schema does not exist)" if op.has_schema and op.schema
                  == context.placeholder else "it changes the table `search_path` finds, once")
        yield context.finding(
            file, RULE,
            f"`op.{op.name}` on tenant table `{op.table}` is not translated by `schema_translate_map`: {effect}; run "
            "the migration once per tenant schema with `SET search_path` in env.py, or pass each tenant's real schema",
            pos.span(op.span), op.table,
        )


def _migration(body: str) -> str:
    return ('"""add sku"""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "0002"\n'
            'down_revision = "0001"\n\n\ndef upgrade():\n' + body.strip("\n") + "\n")


def _valid(body: str) -> Valid:
    return Valid(_migration(body), path=MIGRATION_PATH, context_files=((MODELS_PATH, _MODELS),))


def _invalid(body: str) -> Invalid:
    return Invalid(_migration(body), path=MIGRATION_PATH, context_files=((MODELS_PATH, _MODELS),))


RULE = Rule(
    code="TNT011",
    name="untranslated-migration-op",
    summary="an Alembic op that `schema_translate_map` does not translate (`add_column`, `alter_column`, ...) "
    "names a tenant table in a migration script",
    what="Reports, in migration scripts (the `migrations` globs), `op.add_column`, `op.alter_column`, "
    "`op.drop_column`, `op.rename_table`, `op.bulk_insert` and `op.batch_alter_table` on a tenant table.",
    why="Alembic emits these without applying the connection's `schema_translate_map` (alembic issue 555): "
    "`op.add_column(\"products\", ..., schema=\"tenant\")` fails because schema `tenant` does not exist, and "
    "without `schema=` it alters only the table `search_path` finds, leaving every other tenant behind. "
    "`create_table`, `create_index` and the constraint operations are translated.",
    example='def upgrade():\n    op.add_column("products", sa.Column("sku", sa.String()), schema="tenant")',
    use_instead='def upgrade():\n    # env.py runs the migrations once per tenant with `SET search_path TO <tenant>`\n'
    '    schema = op.get_context().version_table_schema  # the tenant being migrated\n'
    '    op.add_column("products", sa.Column("sku", sa.String()), schema=schema)',
    fix_safety="Never fixed: migration scripts are history, and the remedy lives in env.py.",
    fix_summary="never",
    check=check,
    words=MODEL_WORDS + MIGRATION_WORDS,
    reads="migrations",
    valid=(
        _valid('    op.create_index("ix_products_title", "products", ["title"], schema="tenant")'),
        _valid('    op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True), schema="tenant")'),
        _valid('    op.add_column("accounts", sa.Column("sku", sa.String()))  # a shared table'),
    ),
    invalid=(
        _invalid('    op.add_column("products", sa.Column("sku", sa.String()), schema="tenant")'),
        _invalid('    op.alter_column("products", "title", nullable=True)'),
        _invalid('    op.drop_column("products", "title", schema="tenant")'),
        _invalid('    op.rename_table("products", "items")'),
        _invalid('    products = sa.table("products", sa.column("id"))\n    op.bulk_insert(products, [{"id": 1}])'),
        _invalid('    with op.batch_alter_table("products") as batch:\n        batch.drop_column("title")'),
    ),
)
