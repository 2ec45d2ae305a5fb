"""SQL tables of the job store (the migrations in resources/jobs/migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False, server_default="upload"),
    sa.Column("percent", sa.Float, nullable=False, server_default="0"),
    sa.Column("eta_s", sa.Float, nullable=True),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("error_code", sa.String(64), nullable=True),
    sa.Column("error_message", sa.Text, nullable=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(128), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("source_key", sa.String(512), nullable=False),
    sa.Column("options", sa.Text, nullable=False, server_default="{}"),
    sa.Column("run_id", sa.String(64), nullable=True),
    sa.Column("source_etag", sa.String(128), nullable=True),
    sa.Column("manifest_key", sa.String(512), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_jobs_owner_created", "owner", "created_at"),
    sa.Index("ix_jobs_owner_status", "owner", "status"),
    sa.Index("ix_jobs_status", "status"),
)

job_events = sa.Table(
    "job_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("job_id", sa.String(36), sa.ForeignKey("jobs.id", ondelete="CASCADE")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("percent", sa.Float, nullable=False),
    sa.Column("eta_s", sa.Float, nullable=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Index("ix_job_events_job_id", "job_id", "id"),
)

job_commands = sa.Table(
    "job_commands",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("job_id", sa.String(36), sa.ForeignKey("jobs.id", ondelete="CASCADE")),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("payload", sa.Text, nullable=False, server_default="{}"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_job_commands_pending", "handled_at", "id"),
)
