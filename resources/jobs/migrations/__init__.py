"""Alembic migrations of the job store (script_location for resources.jobs.database)."""
