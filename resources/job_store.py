"""The job store: SQLAlchemy on SQLite (embedded default) or PostgreSQL (by URL)."""

from __future__ import annotations

import fcntl
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from dagster import ConfigurableResource
from pydantic import PrivateAttr
from sqlalchemy.engine import Engine

from resources.job_tables import job_commands, job_events, jobs
from resources.jobs import Job, JobCommand, JobEvent, JobOptions, JobStatus

MIGRATIONS = Path(__file__).with_name("migrations")
# one statement object for every createUpload: SQLAlchemy memoises its cache key and compiled
# form, where `jobs.insert().values(**row)` rebuilt, re-keyed and re-bound a new one per call
_INSERT_JOB = jobs.insert()


# the columns a new job leaves empty
_NEW_JOB_NULLS = dict.fromkeys(
    ("eta_s", "error_code", "error_message", "run_id", "source_etag", "manifest_key")
)


@dataclass(frozen=True)
class NewJob:
    """What createUpload knows of a job before its upload."""

    owner: str
    filename: str
    content_type: str
    size_bytes: int
    extension: str
    options: JobOptions

    def row(self, job_id: str, now: datetime) -> dict[str, Any]:
        """The jobs row: queued, waiting for the upload at a key derived from owner and id."""
        return {
            "id": job_id,
            "owner": self.owner,
            "status": JobStatus.QUEUED.value,
            "stage": "upload",
            "percent": 0.0,
            "message": "waiting for the upload",
            "filename": self.filename,
            "content_type": self.content_type,
            "size_bytes": self.size_bytes,
            "source_key": f"uploads/{self.owner}/{job_id}/source.{self.extension}",
            "options": self.options.to_json(),
            "created_at": now,
            "updated_at": now,
        }


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class JobStoreResource(ConfigurableResource):
    """Reads and writes job records; safe to share between API, sensors and run workers."""

    url: str

    _engine: Engine | None = PrivateAttr(default=None)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = _make_engine(self.url)
        return self._engine

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        # api workers start together: one migrates, the others wait and find it done
        with _migration_lock(self.engine), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

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
        return [_job({**row, **_NEW_JOB_NULLS}) for row in rows]

    def get(self, job_id: str, owner: str | None = None) -> Job | None:
        """One job, or None when it does not exist or belongs to someone else."""
        query = jobs.select().where(jobs.c.id == job_id)
        if owner is not None:
            query = query.where(jobs.c.owner == owner)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _job(row) if row else None

    def get_many(self, job_ids: Sequence[str], owner: str) -> dict[str, Job]:
        """Jobs by id for one owner, in one query (DataLoader batches)."""
        if not job_ids:
            return {}
        query = jobs.select().where(jobs.c.id.in_(list(job_ids)), jobs.c.owner == owner)
        with self.engine.connect() as conn:
            return {r["id"]: _job(r) for r in conn.execute(query).mappings()}

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
            return [_job(r) for r in conn.execute(query).mappings()]

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
            return [_event(r) for r in conn.execute(query).mappings()]

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
            return [_job(r) for r in conn.execute(query).mappings()]

    def delete(self, job_id: str) -> None:
        """Remove a job and its events and commands."""
        with self.engine.begin() as conn:
            conn.execute(job_events.delete().where(job_events.c.job_id == job_id))
            conn.execute(job_commands.delete().where(job_commands.c.job_id == job_id))
            conn.execute(jobs.delete().where(jobs.c.id == job_id))


_LOCK_KEY = 0x1EC7_0A55  # any constant shared by every process migrating this database


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock file beside a SQLite database file (other databases lock in SQL)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL never corrupts the database; only the last commits before a power
            # cut may be lost, and each commit no longer waits for an fsync
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _job(row: Any) -> Job:
    return Job(
        id=row["id"],
        owner=row["owner"],
        status=JobStatus(row["status"]),
        stage=row["stage"],
        percent=float(row["percent"]),
        eta_s=row["eta_s"],
        message=row["message"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        filename=row["filename"],
        content_type=row["content_type"],
        size_bytes=int(row["size_bytes"]),
        source_key=row["source_key"],
        options=JobOptions.from_json(row["options"]),
        run_id=row["run_id"],
        source_etag=row["source_etag"],
        manifest_key=row["manifest_key"],
        created_at=_aware(row["created_at"]),
        updated_at=_aware(row["updated_at"]),
    )


def _event(row: Any) -> JobEvent:
    return JobEvent(
        id=int(row["id"]),
        job_id=row["job_id"],
        created_at=_aware(row["created_at"]),
        status=JobStatus(row["status"]),
        stage=row["stage"],
        percent=float(row["percent"]),
        eta_s=row["eta_s"],
        message=row["message"],
    )
