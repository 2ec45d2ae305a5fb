"""The job store: SQLAlchemy on SQLite (embedded default) or PostgreSQL (by URL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from dagster import ConfigurableResource
from pydantic import PrivateAttr
from sqlalchemy.engine import Engine

from resources.jobs.database import make_engine, upgrade
from resources.jobs.model import Job, JobCommand, JobEvent, JobStatus
from resources.jobs.options import JobOptions
from resources.jobs.rows import NEW_JOB_NULLS, NewJob, event_from_row, job_from_row
from resources.jobs.tables import job_commands, job_events, jobs

__all__ = ["JobStoreResource", "NewJob"]

# one statement object for every createUpload: SQLAlchemy memoises its cache key and compiled
# form, where `jobs.insert().values(**row)` rebuilt, re-keyed and re-bound a new one per call
_INSERT_JOB = jobs.insert()


def _now() -> datetime:
    return datetime.now(tz=UTC)


class JobStoreResource(ConfigurableResource):
    """Reads and writes job records; safe to share between API, sensors and run workers."""

    url: str

    _engine: Engine | None = PrivateAttr(default=None)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent)."""
        upgrade(self.engine)

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def create_job(
        self,
        *,
        owner: str,
        filename: str,
        content_type: str,
        size_bytes: int,
        extension: str,
        options: JobOptions,
    ) -> Job:
        """Register a job waiting for its upload; the S3 key is derived from owner and id."""
        request = NewJob(owner, filename, content_type, size_bytes, extension, options)
        return self.create_jobs([request])[0]

    def create_jobs(self, requests: Sequence[NewJob]) -> list[Job]:
        """Register several jobs in one transaction (one commit), in order: all or none."""
        # listings order by (created_at, id), newest first: a microsecond apart, the jobs of
        # one transaction list in the order they were asked for
        now = _now()
        rows = [
            request.row(str(uuid.uuid4()), now + timedelta(microseconds=i))
            for i, request in enumerate(requests)
        ]
        with self.engine.begin() as conn:
            conn.execute(_INSERT_JOB, rows)
        return [job_from_row({**row, **NEW_JOB_NULLS}) for row in rows]

    def get(self, job_id: str, owner: str | None = None) -> Job | None:
        """One job, or None when it does not exist or belongs to someone else."""
        query = jobs.select().where(jobs.c.id == job_id)
        if owner is not None:
            query = query.where(jobs.c.owner == owner)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return job_from_row(row) if row else None

    def get_many(self, job_ids: Sequence[str], owner: str) -> dict[str, Job]:
        """Jobs by id for one owner, in one query (DataLoader batches)."""
        if not job_ids:
            return {}
        query = jobs.select().where(jobs.c.id.in_(list(job_ids)), jobs.c.owner == owner)
        with self.engine.connect() as conn:
            return {r["id"]: job_from_row(r) for r in conn.execute(query).mappings()}

    def list_jobs(
        self,
        owner: str,
        *,
        status: JobStatus | None = None,
        first: int = 20,
        after: tuple[datetime, str] | None = None,
    ) -> list[Job]:
        """Newest first, keyset-paginated by (created_at, id)."""
        query = jobs.select().where(jobs.c.owner == owner)
        if status is not None:
            query = query.where(jobs.c.status == status.value)
        if after is not None:
            created, last_id = after
            query = query.where(
                sa.or_(
                    jobs.c.created_at < created,
                    sa.and_(jobs.c.created_at == created, jobs.c.id < last_id),
                )
            )
        query = query.order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(first)
        with self.engine.connect() as conn:
            return [job_from_row(r) for r in conn.execute(query).mappings()]

    def update(self, job_id: str, **values: Any) -> None:
        """Set columns on a job (status values may be JobStatus)."""
        if "status" in values and isinstance(values["status"], JobStatus):
            values["status"] = values["status"].value
        if "options" in values and isinstance(values["options"], JobOptions):
            values["options"] = values["options"].to_json()
        values["updated_at"] = _now()
        with self.engine.begin() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(**values))

    def record_progress(
        self,
        job_id: str,
        *,
        status: JobStatus,
        stage: str,
        percent: float,
        message: str,
        eta_s: float | None = None,
        error_code: str | None = None,
    ) -> None:
        """Update the job's live state and append an event for subscribers."""
        now = _now()
        percent = round(max(0.0, min(100.0, percent)), 2)
        values: dict[str, Any] = {
            "status": status.value,
            "stage": stage,
            "percent": percent,
            "eta_s": eta_s,
            "message": message,
            "updated_at": now,
        }
        if status is JobStatus.FAILED:
            values["error_code"] = error_code or "FAILED"
            values["error_message"] = message
        elif status in (JobStatus.RUNNING, JobStatus.QUEUED):
            values["error_code"] = None
            values["error_message"] = None
        with self.engine.begin() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(**values))
            conn.execute(
                job_events.insert().values(
                    job_id=job_id,
                    created_at=now,
                    status=status.value,
                    stage=stage,
                    percent=percent,
                    eta_s=eta_s,
                    message=message,
                )
            )

    def fail(self, job_id: str, code: str, message: str, stage: str | None = None) -> None:
        """Mark a job failed with a code and an actionable message."""
        job = self.get(job_id)
        if job is None or job.status in (JobStatus.CANCELLED,):
            return
        self.record_progress(
            job_id,
            status=JobStatus.FAILED,
            stage=stage or job.stage,
            percent=job.percent,
            message=message,
            error_code=code,
        )

    def events_after(self, job_id: str, after_id: int = 0, limit: int = 500) -> list[JobEvent]:
        """Progress events newer than `after_id`, oldest first."""
        query = (
            job_events.select()
            .where(job_events.c.job_id == job_id, job_events.c.id > after_id)
            .order_by(job_events.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [event_from_row(r) for r in conn.execute(query).mappings()]

    def last_event_id(self, job_id: str) -> int:
        """Id of the job's newest progress event (0 when it has none)."""
        query = sa.select(sa.func.max(job_events.c.id)).where(job_events.c.job_id == job_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def add_command(self, job_id: str, kind: str, payload: dict[str, Any]) -> int:
        """Queue a command (reprocess, cancel) for the Dagster side to carry out."""
        with self.engine.begin() as conn:
            result = conn.execute(
                job_commands.insert().values(
                    job_id=job_id, kind=kind, payload=json.dumps(payload), created_at=_now()
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def pending_commands(self, limit: int = 50) -> list[JobCommand]:
        """Commands not yet carried out, oldest first."""
        query = (
            job_commands.select()
            .where(job_commands.c.handled_at.is_(None))
            .order_by(job_commands.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                JobCommand(r["id"], r["job_id"], r["kind"], json.loads(r["payload"] or "{}"))
                for r in conn.execute(query).mappings()
            ]

    def mark_command_handled(self, command_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                job_commands.update()
                .where(job_commands.c.id == command_id)
                .values(handled_at=_now())
            )

    def jobs_with_status(self, statuses: Sequence[JobStatus], limit: int = 500) -> list[Job]:
        """Jobs in any of the given states, oldest first (sensors, restarts)."""
        query = (
            jobs.select()
            .where(jobs.c.status.in_([s.value for s in statuses]))
            .order_by(jobs.c.created_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [job_from_row(r) for r in conn.execute(query).mappings()]

    def delete(self, job_id: str) -> None:
        """Remove a job and its events and commands."""
        with self.engine.begin() as conn:
            conn.execute(job_events.delete().where(job_events.c.job_id == job_id))
            conn.execute(job_commands.delete().where(job_commands.c.job_id == job_id))
            conn.execute(jobs.delete().where(jobs.c.id == job_id))
