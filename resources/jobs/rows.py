"""Job rows and records: the row of a new job, and a stored row read back as a record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from resources.jobs.model import Job, JobEvent, JobStatus
from resources.jobs.options import JobOptions

# the columns a new job leaves empty
NEW_JOB_NULLS = dict.fromkeys(
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


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def job_from_row(row: Any) -> Job:
    """A jobs row (a mapping by column name) as a Job."""
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


def event_from_row(row: Any) -> JobEvent:
    """A job_events row as a JobEvent."""
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
