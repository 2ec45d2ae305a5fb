"""What the API does, independent of GraphQL: uploads, job reads, clip URLs, commands."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, TypeVar

from graphql_api.dagster_control import DagsterControl
from graphql_api.grouped_inserts import GroupedJobInserts
from graphql_api.offload import in_place_or_thread
from graphql_api.presign import PutPresigner
from graphql_api.rate_limit import RateLimiter
from lecture_assets.clip_edit_store import load_edits
from lecture_assets.stages import STAGES
from resources.jobs import ClipLimits, Job, JobEvent, JobOptions, JobStatus, OptionError
from resources.jobs.store import JobStoreResource, NewJob
from resources.limits import ALLOWED_TYPES
from resources.settings import Settings
from resources.storage import S3StorageResource, StorageError, StorageResource

T = TypeVar("T")


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
    if len(base) > 200:  # shorten the stem, never the extension that decides the type
        suffix = PurePosixPath(base).suffix[:16]
        base = base[: 200 - len(suffix)] + suffix
    return base or "lecture"


@dataclass
class JobService:
    """Job operations shared by the GraphQL resolvers (resolvers hold no logic)."""

    settings: Settings
    store: JobStoreResource
    storage: StorageResource
    dagster: DagsterControl
    limiter: RateLimiter
    # where createUpload runs: on the event loop when everything it touches is local (a SQLite
    # job store, in-memory rate limits, signing without botocore's credential refreshes), on
    # a worker thread otherwise (PostgreSQL, Redis, credentials from the environment: network
    # round trips). A SQLite insert is ~0.1 ms (WAL, synchronous=NORMAL: no fsync per
    # commit) while the hop to a thread and back cost ~0.5 ms of CPU per request in GIL
    # handoffs and wake-ups (bench.api_load: 1.7 -> 1.15 ms of server CPU per createUpload).
    # On the loop, the inserts of one loop pass share a transaction (`grouped_inserts`).
    # The other mutations run on the loop; job reads do on SQLite (`store_is_local`), and
    # manifests (object-store GETs) are always fetched on worker threads.
    create_upload_on_loop: bool = field(init=False)
    store_is_local: bool = field(init=False)
    # signs upload URLs: the storage itself, or for S3 with static keys a SigV4 signer that
    # gives botocore's URL at a tenth of the CPU (see graphql_api.presign)
    put_signer: StorageResource | PutPresigner = field(init=False, repr=False)
    grouped_inserts: GroupedJobInserts = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.put_signer = PutPresigner.for_storage(self.storage)
        self.grouped_inserts = GroupedJobInserts(self.store)
        self.store_is_local = self.store.url.startswith("sqlite")
        self.create_upload_on_loop = (
            self.store_is_local
            and self.limiter.in_process
            and not isinstance(self.put_signer, S3StorageResource)
        )

    async def on_store(self, method: Callable[..., T], *args: Any) -> T:
        """Call a method that reads or writes the job store from async code: in place on a
        local SQLite file, on a worker thread when the store is a network database."""
        return await in_place_or_thread(self.store_is_local, method, *args)

    def check_rate(self, action: str, owner: str) -> None:
        """Raise RATE_LIMITED when this owner calls `action` too often."""
        if not self.limiter.allow(action, owner):
            retry = self.limiter.retry_after_s(action, owner)
            raise ServiceError(
                "RATE_LIMITED", f"too many {action} calls; try again in {retry} s", str(retry)
            )

    def create_upload(
        self, owner: str, filename: str, content_type: str, size_bytes: int, options: JobOptions
    ) -> UploadTicket:
        """Validate the declared file, register a job and sign a PUT for its upload."""
        request = self._upload_request(owner, filename, content_type, size_bytes, options)
        self.check_rate("createUpload", owner)
        return self._ticket(self.store.create_jobs([request])[0])

    async def create_upload_grouped(
        self, owner: str, filename: str, content_type: str, size_bytes: int, options: JobOptions
    ) -> UploadTicket:
        """`create_upload` on the event loop, its job inserted with the others of this loop
        pass in one transaction (a local SQLite store only: `create_upload_on_loop`)."""
        request = self._upload_request(owner, filename, content_type, size_bytes, options)
        self.check_rate("createUpload", owner)
        return self._ticket(await self.grouped_inserts.create_job(request))

    def _upload_request(
        self, owner: str, filename: str, content_type: str, size_bytes: int, options: JobOptions
    ) -> NewJob:
        """The job a createUpload declares, or the ServiceError saying what to fix."""
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
            raise ServiceError(
                "INVALID_SIZE", "sizeBytes must be the file's size (> 0)", "sizeBytes"
            )
        if size_bytes > self.settings.max_upload_bytes:
            raise ServiceError(
                "TOO_LARGE",
                f"the file is {size_bytes / 1e9:.2f} GB; the limit is "
                f"{self.settings.max_upload_bytes / 1e9:.2f} GB. Compress or split it.",
                "sizeBytes",
            )
        _check_options(options, self.settings)
        return NewJob(owner, clean, content_type.lower(), size_bytes, ext, options)

    def _ticket(self, job: Job) -> UploadTicket:
        """A presigned PUT for the job's upload, valid for the configured time."""
        expiry = self.settings.presign_expiry_s
        url, headers = self.put_signer.presign_put(
            job.source_key, job.content_type, expiry, job.size_bytes
        )
        return UploadTicket(job, url, headers, datetime.now(tz=UTC) + timedelta(seconds=expiry))

    def owned(self, owner: str, job_id: str) -> Job:
        """The owner's job, or NOT_FOUND (also for other owners' jobs: no existence leaks)."""
        job = self.store.get(job_id, owner=owner)
        if job is None:
            raise ServiceError("NOT_FOUND", f"no job {job_id}", "id")
        return job

    def cancel(self, owner: str, job_id: str) -> Job:
        """Stop a queued or running job; its runs are terminated."""
        job = self.owned(owner, job_id)
        if job.status.terminal:
            raise ServiceError(
                "NOT_CANCELLABLE", f"the job is already {job.status.value}; nothing to cancel"
            )
        self.store.record_progress(
            job.id,
            status=JobStatus.CANCELLED,
            stage=job.stage,
            percent=job.percent,
            message="cancelled by the owner",
        )
        self.dagster.cancel_runs(job.id)
        return self.owned(owner, job_id)

    def delete(self, owner: str, job_id: str) -> str:
        """Stop the job, remove its objects, its records and its Dagster partition."""
        job = self.owned(owner, job_id)
        self.dagster.cancel_runs(job.id)
        self.storage.delete_prefix(f"jobs/{job.id}/")
        self.storage.delete_prefix(f"uploads/{job.owner}/{job.id}/")
        self.dagster.delete_partition(job.id)
        self.store.delete(job.id)
        return job.id

    def reprocess(self, owner: str, job_id: str, from_stage: str, options: JobOptions) -> Job:
        """Queue a new run of `from_stage` and everything after it, with merged options."""
        job = self.owned(owner, job_id)
        self.check_rate("reprocessJob", owner)
        if from_stage not in STAGES:
            raise ServiceError("INVALID_STAGE", f"fromStage must be one of {', '.join(STAGES)}")
        if not job.status.terminal:
            raise ServiceError(
                "JOB_BUSY", f"the job is {job.status.value}; wait for it or cancel it first"
            )
        if job.source_etag is None:
            raise ServiceError("NO_UPLOAD", "the job has no uploaded video to reprocess")
        try:
            merged = job.options.merged(options)
        except OptionError as exc:
            raise invalid_options(exc) from exc
        _check_options(merged, self.settings)
        self.store.update(job.id, options=merged, manifest_key=job.manifest_key)
        self.store.record_progress(
            job.id,
            status=JobStatus.QUEUED,
            stage="queued",
            percent=0.0,
            message=f"reprocessing from {from_stage}" + self._edits_warning(job, from_stage),
        )
        self.store.add_command(job.id, "reprocess", {"from": from_stage})
        return self.owned(owner, job_id)

    def _edits_warning(self, job: Job, from_stage: str) -> str:
        """For a re-cut: which reviewers' edits it may replace (kept where a clip's cut stays)."""
        if from_stage == "highlight_clips":
            return ""
        live = [e.index for e in load_edits(self.storage, job.id).edits if e.status != "replaced"]
        if not live:
            return ""
        names = ", ".join(str(i) for i in live)
        return (
            f"; this re-cut may replace your edits of clip{'s' if len(live) > 1 else ''} {names}: "
            "edits stay on clips whose range is unchanged, the job says which were replaced"
        )

    def list_jobs(
        self, owner: str, status: JobStatus | None, first: int, after: str | None
    ) -> tuple[list[Job], bool]:
        """A page of the owner's jobs, newest first, and whether more follow."""
        cursor = None
        if after:
            anchor = self.store.get(after, owner=owner)
            if anchor is None:
                raise ServiceError("INVALID_CURSOR", "the `after` cursor is not one of your jobs")
            cursor = (anchor.created_at, anchor.id)
        first = max(1, min(first, 100))
        page = self.store.list_jobs(owner, status=status, first=first + 1, after=cursor)
        return page[:first], len(page) > first

    def stage_log(self, job: Job, limit: int = 200) -> list[JobEvent]:
        """The newest progress events of a job, oldest first."""
        events = self.store.events_after(job.id, 0, limit=5000)
        return events[-limit:]

    def artifact(self, job: Job, asset: str, name: str) -> Any | None:
        """An intermediate artifact of a job, once its stage has run."""
        try:
            return self.storage.get_json(f"jobs/{job.id}/{asset}/{name}")
        except StorageError:
            return None

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


def invalid_options(exc: OptionError) -> ServiceError:
    """The API's error for an option the contract refuses: its message, the input's field."""
    field = exc.field.split("_")
    return ServiceError(
        "INVALID_OPTIONS", exc.message, field[0] + "".join(w.title() for w in field[1:])
    )


def _check_options(options: JobOptions, settings: Settings) -> None:
    # JobOptions checked each value when built; here, the lengths against the server defaults
    try:
        options.clip_limits(ClipLimits.from_settings(settings))
    except OptionError as exc:
        raise invalid_options(exc) from exc
