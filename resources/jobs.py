"""Job records as the API and the pipeline see them: status, progress, options, errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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
class JobOptions:
    """What the uploader asked for; None means the server default."""

    max_clips: int | None = None
    min_seconds: float | None = None
    max_seconds: float | None = None
    layout: str = "auto"
    caption_style: str = "standard"
    language: str | None = None
    # terms the lecture uses (names, jargon): they prime the transcriber with their spelling
    glossary: tuple[str, ...] | None = None

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v is not None})

    @classmethod
    def from_json(cls, raw: str | None) -> JobOptions:
        data: dict[str, Any] = json.loads(raw or "{}")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("glossary"), list):
            known["glossary"] = tuple(str(t) for t in known["glossary"])
        return cls(**known)

    def merged(self, other: JobOptions) -> JobOptions:
        """These options with every field `other` sets replacing ours."""
        values = dict(self.__dict__)
        defaults = JobOptions()
        for key, value in other.__dict__.items():
            if value is not None and value != getattr(defaults, key):
                values[key] = value
        return JobOptions(**values)


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
