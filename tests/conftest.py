"""Shared test settings: the PostgreSQL URL, and CI's rule that PostgreSQL tests never skip."""

import os

import pytest

DATABASE_URL = os.environ.get("TENANTLINT_TEST_DATABASE_URL")

needs_postgres = pytest.mark.skipif(
    not DATABASE_URL, reason="TENANTLINT_TEST_DATABASE_URL is not set (`.ci/run` starts a PostgreSQL)"
)


def pytest_sessionstart(session):
    # In CI a skipped PostgreSQL test would pass silently: fail the run instead.
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and not DATABASE_URL:
        raise pytest.UsageError("CI is set but TENANTLINT_TEST_DATABASE_URL is not: the PostgreSQL tests would be skipped")
