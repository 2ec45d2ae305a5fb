"""A job (one uploaded lecture) with its status, progress, results and downloads."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphql_api import job_results
from graphql_api.media_links import JobMedia, job_media, signer_of
from graphql_api.types.clip import Chapter, Clip
from graphql_api.types.enums import JobStatus
from graphql_api.types.errors import AuthError, NotFoundError, QuotaExceededError, ValidationError
from graphql_api.types.slides import Slide
from graphql_api.types.timeline import Timeline
from graphql_api.types.transcript import Sentence, TranscriptPage
from resources.jobs import Job as DomainJob
from resources.jobs import JobEvent as DomainEvent

if TYPE_CHECKING:
    from graphql_api.types.edits import ClipEdit

STAGE = "The stage working or last worked on: a Stage value in lower case, or upload, queued, done."
ETA = "Estimated seconds until the job is done; null when unknown."


@strawberry.type(description="Why a job failed.")
class JobError:
    code: str = strawberry.field(description="A stable, machine-readable code, e.g. NO_AUDIO.")
    message: str = strawberry.field(description="What went wrong and what to do next.")


@strawberry.type(description="The uploaded video as probed.")
class SourceInfo:
    duration_s: float = strawberry.field(description="Its length in seconds.")
    width: int = strawberry.field(description="Frame width in pixels.")
    height: int = strawberry.field(description="Frame height in pixels.")
    fps: float = strawberry.field(description="Frames per second.")

    @classmethod
    def from_domain(cls, raw: dict[str, Any]) -> SourceInfo:
        """From the manifest's `source`."""
        return cls(
            duration_s=raw["duration_s"], width=raw["width"], height=raw["height"], fps=raw["fps"]
        )


@strawberry.type(description="One progress event in a job's log.")
class StageLogEntry:
    at: datetime = strawberry.field(description="When it was recorded.")
    status: JobStatus = strawberry.field(description="The job's status then.")
    stage: str = strawberry.field(description=STAGE)
    percent: float = strawberry.field(description="Progress of the whole job then, 0 to 100.")
    message: str = strawberry.field(description="What was happening, for a person.")

    @classmethod
    def from_domain(cls, event: DomainEvent) -> StageLogEntry:
        """From a job store event."""
        return cls(
            at=event.created_at,
            status=JobStatus.from_domain(event.status),
            stage=event.stage,
            percent=event.percent,
            message=event.message,
        )


@strawberry.type(description="A job's state as it changes, pushed by jobProgress.")
class ProgressEvent:
    status: JobStatus = strawberry.field(description="The job's status.")
    stage: str = strawberry.field(description=STAGE)
    percent: float = strawberry.field(description="Progress of the whole job, 0 to 100.")
    eta_seconds: float | None = strawberry.field(description=ETA)
    message: str = strawberry.field(description="What is happening, for a person.")

    @classmethod
    def from_domain(cls, event: DomainEvent | DomainJob) -> ProgressEvent:
        """From a job store event, or a job's current state."""
        return cls(
            status=JobStatus.from_domain(event.status),
            stage=event.stage,
            percent=event.percent,
            eta_seconds=event.eta_s,
            message=event.message,
        )


async def _job_and_manifest(
    info: strawberry.Info, job_id: strawberry.ID
) -> tuple[DomainJob | None, dict[str, Any] | None]:
    context = info.context
    job, manifest = await asyncio.gather(
        context.job_loader.load(str(job_id)), context.manifest_loader.load(str(job_id))
    )
    return job, manifest


@strawberry.type(description="One uploaded lecture and what the pipeline made of it.")
class Job:
    id: strawberry.ID = strawberry.field(description="The job's id (a UUID).")
    status: JobStatus = strawberry.field(description="Where the job is in its life.")
    stage: str = strawberry.field(description=STAGE)
    progress: float = strawberry.field(description="Progress of the whole job, 0 to 100.")
    eta_seconds: float | None = strawberry.field(description=ETA)
    message: str = strawberry.field(description="What is happening, for a person.")
    filename: str = strawberry.field(description="The uploaded file's name.")
    created_at: datetime = strawberry.field(description="When the upload was registered.")
    updated_at: datetime = strawberry.field(description="When the job last changed.")
    error: JobError | None = strawberry.field(description="Why it failed; null unless FAILED.")

    @classmethod
    def from_domain(cls, job: DomainJob) -> Job:
        """From a job store record."""
        error = None
        if job.error_code:
            error = JobError(code=job.error_code, message=job.error_message or "")
        return cls(
            id=strawberry.ID(job.id),
            status=JobStatus.from_domain(job.status),
            stage=job.stage,
            progress=job.percent,
            eta_seconds=job.eta_s,
            message=job.message,
            filename=job.filename,
            created_at=job.created_at,
            updated_at=job.updated_at,
            error=error,
        )

    @strawberry.field(description="Rendered clips with presigned download URLs.")
    async def clips(self, info: strawberry.Info) -> list[Clip]:
        job, manifest = await _job_and_manifest(info, self.id)
        if not manifest or job is None:
            return []
        service = info.context.service
        return [Clip.from_domain(c, job, service) for c in manifest.get("clips", [])]

    @strawberry.field(description="Chapters of the lecture, with titles.")
    async def chapters(self, info: strawberry.Info) -> list[Chapter]:
        manifest = await info.context.manifest_loader.load(str(self.id))
        return [Chapter.from_domain(t) for t in (manifest or {}).get("topics", [])]

    @strawberry.field(description="Slides read from the screen: title, text and lines of each.")
    async def slides(self, info: strawberry.Info) -> list[Slide]:
        job = await info.context.job_loader.load(str(self.id))
        if job is None:
            return []
        service = info.context.service
        data = await asyncio.to_thread(job_results.slides, service, job)
        return [Slide.from_domain(s) for s in data]

    @strawberry.field(description="Duration, size and frame rate of the uploaded video.")
    async def source(self, info: strawberry.Info) -> SourceInfo | None:
        manifest = await info.context.manifest_loader.load(str(self.id))
        src = (manifest or {}).get("source")
        return SourceInfo.from_domain(src) if src else None

    @strawberry.field(description="Progress events of the job, oldest first.")
    async def stage_log(
        self,
        info: strawberry.Info,
        last: Annotated[
            int, strawberry.argument(description="How many of the newest events, 1 to 1000.")
        ] = 100,
    ) -> list[StageLogEntry]:
        job = await info.context.job_loader.load(str(self.id))
        if job is None:
            return []
        service = info.context.service
        events = await service.on_store(service.stage_log, job, max(1, min(last, 1000)))
        return [StageLogEntry.from_domain(e) for e in events]

    @strawberry.field(description="The transcript, a page of segments at a time.")
    async def transcript(
        self,
        info: strawberry.Info,
        offset: Annotated[int, strawberry.argument(description="The first segment's index.")] = 0,
        limit: Annotated[
            int, strawberry.argument(description="Segments per page, 1 to 500.")
        ] = 100,
    ) -> TranscriptPage | None:
        job = await info.context.job_loader.load(str(self.id))
        if job is None:
            return None
        service = info.context.service
        data = await asyncio.to_thread(job_results.transcript, service, job)
        return TranscriptPage.from_domain(data, offset, limit) if data else None

    @strawberry.field(description="Speech, silences, layout periods and slide changes.")
    async def timeline(self, info: strawberry.Info) -> Timeline | None:
        job = await info.context.job_loader.load(str(self.id))
        if job is None:
            return None
        service = info.context.service
        speech, layout = await asyncio.to_thread(job_results.timeline, service, job)
        if not speech and not layout:
            return None
        return Timeline.from_domain(speech, layout)

    @strawberry.field(description="Chapters as YouTube description lines: `00:00 Title` each.")
    async def chapters_text(self, info: strawberry.Info) -> str | None:
        manifest = await info.context.manifest_loader.load(str(self.id))
        return None if not manifest else str(manifest.get("chapters_text") or "")

    @strawberry.field(description="Presigned URL of the chapters as WebVTT (kind=chapters).")
    async def chapters_vtt_url(self, info: strawberry.Info) -> str | None:
        job, manifest = await _job_and_manifest(info, self.id)
        key = ((manifest or {}).get("chapters") or {}).get("vtt")
        if not key or job is None:
            return None
        return str(info.context.service.url_for(job, key))

    @strawberry.field(description="Presigned URL of the CMX3600 edit decision list.")
    async def edl_url(self, info: strawberry.Info) -> str | None:
        job, manifest = await _job_and_manifest(info, self.id)
        if not manifest or not manifest.get("edl") or job is None:
            return None
        return str(info.context.service.url_for(job, manifest["edl"]))

    @strawberry.field(description="Presigned URL of the Final Cut Pro XML timeline.")
    async def fcpxml_url(self, info: strawberry.Info) -> str | None:
        job, manifest = await _job_and_manifest(info, self.id)
        if not manifest or job is None:
            return None
        # manifests written before the FCPXML was listed have it beside the EDL
        key = manifest.get("fcpxml") or ("clips/edit.fcpxml" if manifest.get("edl") else None)
        return str(info.context.service.url_for(job, key)) if key else None

    @strawberry.field(description="Presigned URL of the uploaded lecture, for previews.")
    async def source_url(self, info: strawberry.Info) -> str | None:
        job = await info.context.job_loader.load(str(self.id))
        if job is None or job.source_etag is None:
            return None
        service = info.context.service
        return str(service.storage.presign_get(job.source_key, service.settings.presign_expiry_s))

    @strawberry.field(description="Same-origin links to the lecture and the job's exports.")
    async def media(self, info: strawberry.Info) -> JobMedia | None:
        manifest = await info.context.manifest_loader.load(str(self.id))
        job = await info.context.job_loader.load(str(self.id))
        return None if job is None else job_media(signer_of(info), job, manifest)

    @strawberry.field(description="The transcript's sentences: the edges clip trims snap to.")
    async def sentences(self, info: strawberry.Info) -> list[Sentence]:
        from graphql_api.studio_fields import job_sentences

        job = await info.context.job_loader.load(str(self.id))
        found = await job_sentences(info, job) if job is not None else []
        return [Sentence.from_domain(s) for s in found]

    @strawberry.field(description="Reviewers' edits of the clips, with their status.")
    async def edits(
        self, info: strawberry.Info
    ) -> list[Annotated[ClipEdit, strawberry.lazy("graphql_api.types.edits")]]:
        from graphql_api.studio_fields import job_edits
        from graphql_api.types.edits import ClipEdit as EditType

        job = await info.context.job_loader.load(str(self.id))
        found = await job_edits(info, job) if job is not None else []
        return [EditType.from_domain(e) for e in found]


@strawberry.type(description="Where the next page of jobs starts.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more jobs follow.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type(description="A page of your jobs, newest first.")
class JobConnection:
    nodes: list[Job] = strawberry.field(description="The jobs of this page.")
    page_info: PageInfo = strawberry.field(description="Where the next page starts.")


@strawberry.type(description="The job as it is after the operation.")
class JobResult:
    job: Job = strawberry.field(description="The job, with its new status.")


@strawberry.type(description="The job was deleted.")
class Deleted:
    id: strawberry.ID = strawberry.field(description="The deleted job's id.")


JobMutationResult = Annotated[
    JobResult | NotFoundError | ValidationError | QuotaExceededError | AuthError,
    strawberry.union("JobMutationResult", description="The job, or why it was refused."),
]
DeleteResult = Annotated[
    Deleted | NotFoundError | AuthError,
    strawberry.union("DeleteResult", description="The deleted id, or why it was refused."),
]
