"""Job records and states as the API and the pipeline see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from resources.jobs.options import JobOptions


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in {JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED}


@dataclass(frozen=True)
class Job:
    id: str
    owner: str
    status: JobStatus
    stage: str
    percent: float
    eta_s: float | None
    message: str
    error_code: str | None
    error_message: str | None
    filename: str
    content_type: str
    size_bytes: int
    source_key: str
    options: JobOptions
    run_id: str | None
    source_etag: str | None
    manifest_key: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class JobEvent:
    id: int
    job_id: str
    created_at: datetime
    status: JobStatus
    stage: str
    percent: float
    eta_s: float | None
    message: str


@dataclass(frozen=True)
class JobCommand:
    id: int
    job_id: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
