"""The upload sensor: notice new uploads, validate them cheaply, start one run per upload."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dagster import (
    AddDynamicPartitionsRequest,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from sqlalchemy import exc as sa_exc

from resources.dagster_names import (
    JOB_ID_TAG,
    LECTURE_PARTITIONS,
    OWNER_TAG,
    PROCESS_LECTURE_JOB,
)
from resources.jobs import Job, JobStatus
from resources.jobs.store import JobStoreResource
from resources.limits import LimitsResource
from resources.storage import StorageError, StorageResource, StoredObject
from sensors.sniff import describe_non_video, sniff_container

SNIFF_BYTES = 4096
# the job store or S3 being unreachable: retried next tick (the upload itself may be fine);
# any other error is about one upload and must not hold back the ones after it
TRANSIENT_ERRORS = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    StorageError,
    ConnectionError,
    TimeoutError,
)


@dataclass
class UploadCursor:
    """Newest LastModified seen, plus every key seen at that instant (S3 has 1 s resolution)."""

    newest: float = 0.0
    keys_at_newest: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, raw: str | None) -> UploadCursor:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(float(data.get("newest", 0.0)), list(data.get("keys", [])))

    def dump(self) -> str:
        return json.dumps({"newest": self.newest, "keys": sorted(self.keys_at_newest)})

    def is_new(self, obj: StoredObject) -> bool:
        ts = obj.last_modified.timestamp()
        return ts > self.newest or (ts == self.newest and obj.key not in self.keys_at_newest)

    def advance(self, obj: StoredObject) -> None:
        ts = obj.last_modified.timestamp()
        if ts > self.newest:
            self.newest, self.keys_at_newest = ts, [obj.key]
        elif ts == self.newest and obj.key not in self.keys_at_newest:
            self.keys_at_newest.append(obj.key)


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(owner, job_id) from `uploads/<owner>/<job_id>/source.<ext>`, else None."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "uploads" or not parts[3].startswith("source."):
        return None
    return parts[1], parts[2]


def check_upload(
    obj: StoredObject, job: Job, storage: StorageResource, max_bytes: int
) -> tuple[str, str] | None:
    """A (code, message) when the upload is unusable, else None."""
    if obj.size == 0:
        return "EMPTY_FILE", "The upload is empty (0 bytes). Upload the video file again."
    if obj.size > max_bytes:
        return (
            "TOO_LARGE",
            f"The upload is {obj.size / 1e9:.2f} GB, over the {max_bytes / 1e9:.2f} GB limit. "
            "Compress or split the recording and upload it again.",
        )
    if obj.size > job.size_bytes:
        return (
            "SIZE_MISMATCH",
            f"The upload has {obj.size} bytes but {job.size_bytes} were declared. Start a new "
            "upload with the file's real size.",
        )
    head = storage.get_bytes(obj.key, (0, SNIFF_BYTES - 1))
    if sniff_container(head) is None:
        return (
            "NOT_A_VIDEO",
            f"The file named '{job.filename}' is {describe_non_video(head)}, not a video. "
            "Upload an mp4, mov, mkv, webm, avi or mpeg recording of the lecture.",
        )
    return None


def expire_stale_uploads(job_store: JobStoreResource, expiry_s: int, now: datetime) -> int:
    """Fail jobs whose presigned upload expired without a file arriving."""
    expired = 0
    grace = timedelta(seconds=expiry_s + 300)
    for job in job_store.jobs_with_status([JobStatus.QUEUED]):
        waited = now - job.created_at
        if job.stage == "upload" and job.source_etag is None and waited > grace:
            job_store.fail(
                job.id,
                "UPLOAD_EXPIRED",
                "No upload arrived before the upload link expired. Create a new upload.",
                stage="upload",
            )
            expired += 1
    return expired


def evaluate_uploads(
    context: SensorEvaluationContext,
    storage: StorageResource,
    job_store: JobStoreResource,
    max_bytes: int,
    presign_expiry_s: int,
) -> SensorResult | SkipReason:
    """The sensor's body, separated so tests can call it with any resources."""
    cursor = UploadCursor.parse(context.cursor)
    before = cursor.dump()
    try:
        fresh = sorted(
            (o for o in storage.list("uploads/") if cursor.is_new(o)),
            key=lambda o: (o.last_modified, o.key),
        )
    except TRANSIENT_ERRORS as exc:
        context.log.warning(f"uploads not listed this tick, retrying next tick: {exc}")
        return SkipReason(f"storage unavailable: {type(exc).__name__}")
    runs: list[RunRequest] = []
    partitions: list[str] = []
    outage: str | None = None
    for obj in fresh:
        try:
            request = _request_for(context, obj, storage, job_store, max_bytes)
        except TRANSIENT_ERRORS as exc:
            # the job store or S3 is briefly down: keep the cursor before this upload so the
            # next tick checks it again (advancing would lose it for good)
            outage = f"{type(exc).__name__}: {exc}"[:300]
            context.log.warning(f"upload {obj.key} will be retried next tick: {outage}")
            break
        except Exception as exc:  # one bad upload must never stop the sensor
            context.log.exception(f"upload {obj.key} could not be checked: {exc}")
            request = None
        cursor.advance(obj)
        if request is not None:
            runs.append(request)
            partitions.append(request.partition_key or "")
    expired = 0
    if outage is None:
        try:
            expired = expire_stale_uploads(job_store, presign_expiry_s, datetime.now(tz=UTC))
        except TRANSIENT_ERRORS as exc:
            outage = f"{type(exc).__name__}: {exc}"[:300]
            context.log.warning(f"stale uploads not checked this tick: {outage}")
    if not runs and not expired and cursor.dump() == before:
        return SkipReason(
            f"job store or storage unavailable: {outage}" if outage else "no new uploads"
        )
    return SensorResult(
        run_requests=runs,
        cursor=cursor.dump(),
        dynamic_partitions_requests=(
            [AddDynamicPartitionsRequest(LECTURE_PARTITIONS, partitions)] if partitions else []
        ),
    )


def _request_for(
    context: SensorEvaluationContext,
    obj: StoredObject,
    storage: StorageResource,
    job_store: JobStoreResource,
    max_bytes: int,
) -> RunRequest | None:
    parsed = parse_upload_key(obj.key)
    if parsed is None:
        context.log.warning(f"ignoring {obj.key}: not an upload key this service issued")
        return None
    owner, job_id = parsed
    job = job_store.get(job_id, owner=owner)
    if job is None or job.source_key != obj.key:
        context.log.warning(f"ignoring {obj.key}: no job {job_id} for owner {owner}")
        return None
    if job.source_etag is not None or job.status is not JobStatus.QUEUED:
        if job.source_etag != obj.etag:
            # one job, one upload: a later overwrite is never run (source_video refuses it too)
            context.log.warning(f"ignoring {obj.key}: job {job_id} already has its upload")
        return None
    problem = check_upload(obj, job, storage, max_bytes)
    # the etag is written last: if the store fails in between, the next tick sees the upload
    # as unhandled and does the whole step again (the run key makes a repeat harmless)
    if problem is not None:
        job_store.fail(job_id, problem[0], problem[1], stage="upload")
        job_store.update(job_id, source_etag=obj.etag)
        return None
    job_store.record_progress(
        job_id,
        status=JobStatus.QUEUED,
        stage="queued",
        percent=0.0,
        message="upload received; waiting for a worker",
    )
    job_store.update(job_id, source_etag=obj.etag)
    return RunRequest(
        run_key=f"{job_id}:{obj.etag}",
        partition_key=job_id,
        tags={JOB_ID_TAG: job_id, OWNER_TAG: owner},
    )


@sensor(
    job_name=PROCESS_LECTURE_JOB,
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
)
def upload_sensor(
    context: SensorEvaluationContext,
    storage: StorageResource,
    job_store: JobStoreResource,
    limits: LimitsResource,
) -> SensorResult | SkipReason:
    """Start one `process_lecture` run for each new, plausible upload."""
    return evaluate_uploads(
        context, storage, job_store, limits.max_upload_bytes, limits.presign_expiry_s
    )
