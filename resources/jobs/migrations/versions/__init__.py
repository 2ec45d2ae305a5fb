"""The job store's Alembic revisions, oldest first."""
