"""tenantlint: find, fix and guard SQLAlchemy models that lack the schema-per-tenant placeholder."""

__version__ = "0.1.0"
