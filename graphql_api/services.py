"""What the API does, independent of GraphQL: uploads, job reads, clip URLs, commands."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from resources.job_store import JobStoreResource
from resources.jobs import Job, JobOptions
from resources.limits import ALLOWED_TYPES
from resources.settings import Settings
from resources.storage import StorageError, StorageResource


class ServiceError(Exception):
    """An expected failure the client can act on."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class UploadTicket:
    job: Job
    url: str
    headers: dict[str, str]
    expires_at: datetime


def sanitise_filename(name: str) -> str:
    """A display-safe base name: no directories, control characters or odd unicode forms."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/")
    base = PurePosixPath(name).name
    base = re.sub(r"[\x00-\x1f\x7f]", "", base)
    base = re.sub(r"[^\w.\- ()\[\]]", "_", base).strip(" .")
    return base[:200] or "lecture"


@dataclass
class JobService:
    """Job operations shared by the GraphQL resolvers (resolvers hold no logic)."""

    settings: Settings
    store: JobStoreResource
    storage: StorageResource

    def create_upload(
        self, owner: str, filename: str, content_type: str, size_bytes: int, options: JobOptions
    ) -> UploadTicket:
        """Validate the declared file, register a job and sign a PUT for its upload."""
        clean = sanitise_filename(filename)
        ext = PurePosixPath(clean).suffix.lower().lstrip(".")
        if ext not in ALLOWED_TYPES:
            raise ServiceError(
                "UNSUPPORTED_TYPE",
                f"'.{ext or '?'}' files are not accepted; upload one of: "
                + ", ".join(sorted(ALLOWED_TYPES)),
                "filename",
            )
        if content_type.lower() not in ALLOWED_TYPES[ext]:
            raise ServiceError(
                "UNSUPPORTED_TYPE",
                f"content type '{content_type}' does not match a .{ext} file; send "
                + " or ".join(sorted(ALLOWED_TYPES[ext])),
                "contentType",
            )
        if size_bytes <= 0:
            raise ServiceError("INVALID_SIZE", "sizeBytes must be the file's size (> 0)", "sizeBytes")
        if size_bytes > self.settings.max_upload_bytes:
            raise ServiceError(
                "TOO_LARGE",
                f"the file is {size_bytes / 1e9:.2f} GB; the limit is "
                f"{self.settings.max_upload_bytes / 1e9:.2f} GB. Compress or split it.",
                "sizeBytes",
            )
        _check_options(options)
        job = self.store.create_job(
            owner=owner,
            filename=clean,
            content_type=content_type.lower(),
            size_bytes=size_bytes,
            extension=ext,
            options=options,
        )
        expiry = self.settings.presign_expiry_s
        url, headers = self.storage.presign_put(job.source_key, job.content_type, expiry)
        return UploadTicket(job, url, headers, datetime.now(tz=UTC) + timedelta(seconds=expiry))

    def manifest(self, job: Job) -> dict[str, Any] | None:
        """The job's manifest, when its clips exist."""
        if not job.manifest_key:
            return None
        try:
            data = self.storage.get_json(job.manifest_key)
        except StorageError:
            return None
        return data if isinstance(data, dict) else None

    def url_for(self, job: Job, relative: str, download_name: str | None = None) -> str:
        """A presigned GET for a file named relative to the job's manifest."""
        key = f"jobs/{job.id}/{relative}"
        return self.storage.presign_get(key, self.settings.presign_expiry_s, download_name)


def _check_options(options: JobOptions) -> None:
    if options.max_clips is not None and not 1 <= options.max_clips <= 20:
        raise ServiceError("INVALID_OPTIONS", "maxClips must be between 1 and 20", "maxClips")
    lo = options.min_seconds if options.min_seconds is not None else 20.0
    hi = options.max_seconds if options.max_seconds is not None else 120.0
    if not 5 <= lo <= 600 or not 5 <= hi <= 600 or lo > hi:
        raise ServiceError(
            "INVALID_OPTIONS",
            "clip lengths must lie between 5 and 600 s with minSeconds ≤ maxSeconds",
            "minSeconds",
        )
    if options.layout not in {"auto", "split", "screen", "camera"}:
        raise ServiceError(
            "INVALID_OPTIONS", "layout must be one of auto, split, screen, camera", "layout"
        )
    if options.caption_style not in {"standard", "karaoke", "none"}:
        raise ServiceError(
            "INVALID_OPTIONS", "captionStyle must be standard, karaoke or none", "captionStyle"
        )
