"""Alembic env.py for schema-per-tenant PostgreSQL (tenantlint's tested recipe, docs/phase2.md).

- `alembic upgrade head` migrates every tenant schema in turn: `search_path` set to the tenant,
  `schema_translate_map={"tenant": <schema>}` on the connection, and the version table in the
  tenant's own schema (each tenant records its own revision).
- `alembic revision --autogenerate` compares the models with ONE reference tenant (the first, or
  `-x reference=<schema>`): the tenant tables are compared as schema-less copies against that
  tenant's `search_path`, and only they are compared, so nothing spurious is proposed (no
  `create_table(..., schema="tenant")`, no `drop_table` of the real ones).
- In a migration, name the tenant being migrated with `op.get_context().version_table_schema`:
  `op.add_column("products", sa.Column(...), schema=op.get_context().version_table_schema)`
  (`add_column`, `alter_column`, `drop_column`... do not apply the map: TNT011).

alembic.ini: `sqlalchemy.url`, `models_module` (imports the models; its `Base.metadata` is used),
`tenant_schemas` (a LIKE pattern of the tenant schemas, default `user\\_%`).
"""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import MetaData, create_engine

PLACEHOLDER = "tenant"
config = context.config


def _metadata() -> MetaData:
    return importlib.import_module(config.get_main_option("models_module")).Base.metadata


def _tenant_schemas(connection) -> list[str]:
    pattern = config.get_main_option("tenant_schemas", "user\\_%")  # in alembic.ini write %% for %
    return connection.exec_driver_sql(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %(p)s ORDER BY schema_name",
        {"p": pattern}).scalars().all()


def _tenant_copy(metadata: MetaData) -> MetaData:
    """The tenant tables without the placeholder, as they look from a tenant's `search_path`."""
    copy = MetaData(naming_convention=dict(metadata.naming_convention))
    for table in metadata.tables.values():
        if table.schema == PLACEHOLDER:
            table.to_metadata(copy, schema=None,
                              referred_schema_fn=lambda _t, _s, _c, referred: None if referred == PLACEHOLDER else referred)
    return copy


def _upgrade_every_tenant(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        schemas = _tenant_schemas(connection)
    for schema in schemas:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'SET search_path TO "{schema}"')
            connection.commit()
            tenant = connection.execution_options(schema_translate_map={PLACEHOLDER: schema})
            context.configure(connection=tenant, target_metadata=_metadata(), version_table_schema=schema)
            with context.begin_transaction():
                context.run_migrations()
    engine.dispose()


def _autogenerate_against_reference(url: str) -> None:
    with create_engine(url).connect() as probe:
        reference = context.get_x_argument(as_dictionary=True).get("reference") or _tenant_schemas(probe)[0]
    # the reflected default schema is the reference tenant: Alembic compares schema-less tables there
    engine = create_engine(url, connect_args={"options": f"-csearch_path={reference}"})
    target = _tenant_copy(_metadata())
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target, version_table_schema=reference,
            # only the tenant tables: the shared ones live elsewhere, the version table is Alembic's
            include_name=lambda name, kind, _: kind != "table" or name in target.tables,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if config.cmd_opts is not None and getattr(config.cmd_opts, "autogenerate", False):
        _autogenerate_against_reference(url)
    else:
        _upgrade_every_tenant(url)


if context.is_offline_mode():
    raise SystemExit("offline mode: render per tenant with `alembic upgrade head --sql` and search_path set by hand")
run()
