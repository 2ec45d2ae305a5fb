"""Dagster instances for tests on SQLite and on a fresh PostgreSQL schema (dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from dagster import DagsterInstance, instance_for_test

from tests.conftest import POSTGRES_URL, _require_postgres


@contextmanager
def dagster_instance(
    kind: str, overrides: dict[str, Any] | None = None
) -> Iterator[DagsterInstance]:
    """A real Dagster instance; `postgres` stores runs and events in a schema of its own."""
    overrides = dict(overrides or {})
    if kind == "sqlite":
        with instance_for_test(overrides=overrides) as instance:
            yield instance
        return
    _require_postgres()
    schema = f"dg_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    overrides["storage"] = {"postgres": {"postgres_url": url}}
    try:
        with instance_for_test(overrides=overrides) as instance:
            yield instance
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
