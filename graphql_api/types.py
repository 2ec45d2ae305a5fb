"""GraphQL types, each built from a domain object by `from_domain` so nothing else leaks."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

if TYPE_CHECKING:
    from graphql_api.clip_edits import ClipEdit

from graphql_api import job_results
from graphql_api.slide_types import Slide
from resources.jobs import Job as DomainJob
from resources.jobs import JobEvent as DomainEvent


@strawberry.enum
class JobStatus(Enum):
    # lower-case values on the wire: scripts compare against `queued ... cancelled`
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


@strawberry.type
class JobError:
    code: str
    message: str


@strawberry.type
class Clip:
    index: int
    start: float
    end: float
    duration: float
    score: float
    title: str
    reason: str
    video_url: str
    srt_url: str
    vtt_url: str
    thumbnail_url: str
    version: int = strawberry.field(description="Goes up by one each time the clip is rendered.")
    edited: bool = strawberry.field(description="Whether a reviewer's edit is in this version.")
    srt_key: strawberry.Private[str] = ""

    @strawberry.field(description="The clip's captions (clip seconds), as in its SRT file.")
    async def cues(self, info: strawberry.Info) -> list[Cue]:
        from graphql_api.studio_fields import clip_cues

        return [Cue(start=a, end=b, text=x) for a, b, x in await clip_cues(info, self.srt_key)]


@strawberry.type
class Cue:
    start: float
    end: float
    text: str


@strawberry.type
class Sentence:
    start: float
    end: float
    text: str


@strawberry.type
class Chapter:
    start: float
    end: float
    title: str


@strawberry.type
class SourceInfo:
    duration_s: float
    width: int
    height: int
    fps: float


@strawberry.type
class Job:
    id: strawberry.ID
    status: JobStatus
    stage: str
    progress: float
    eta_seconds: float | None
    message: str
    filename: str
    created_at: datetime
    updated_at: datetime
    error: JobError | None

    @classmethod
    def from_domain(cls, job: DomainJob) -> Job:
        error = None
        if job.error_code:
            error = JobError(code=job.error_code, message=job.error_message or "")
        return cls(
            id=strawberry.ID(job.id),
            status=JobStatus(job.status.value),
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
        manifest = await info.context.manifest_loader.load(str(self.id))
        job = await info.context.job_loader.load(str(self.id))
        if not manifest or job is None:
            return []
        service = info.context.service
        stem = job.filename.rsplit(".", 1)[0]
        return [
            Clip(
                index=c["index"],
                start=c["start"],
                end=c["end"],
                duration=c.get("duration_s", c["end"] - c["start"]),
                score=c["score"],
                title=c["title"],
                reason=c.get("reason", ""),
                video_url=service.url_for(job, c["video"], f"{stem}-clip{c['index']}.mp4"),
                srt_url=service.url_for(job, c["srt"], f"{stem}-clip{c['index']}.srt"),
                vtt_url=service.url_for(job, c["vtt"], f"{stem}-clip{c['index']}.vtt"),
                thumbnail_url=service.url_for(job, c["thumbnail"]),
                version=int(c.get("version", 1)),
                edited=bool(c.get("edited", False)),
                srt_key=f"jobs/{job.id}/{c['srt']}",
            )
            for c in manifest.get("clips", [])
        ]

    @strawberry.field(description="Chapters of the lecture, with titles.")
    async def chapters(self, info: strawberry.Info) -> list[Chapter]:
        manifest = await info.context.manifest_loader.load(str(self.id))
        topics: list[dict[str, Any]] = (manifest or {}).get("topics", [])
        return [Chapter(start=t["start"], end=t["end"], title=t["title"]) for t in topics]

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
        if not src:
            return None
        return SourceInfo(
            duration_s=src["duration_s"], width=src["width"], height=src["height"], fps=src["fps"]
        )

    @strawberry.field(description="Progress events of the job, oldest first.")
    async def stage_log(self, info: strawberry.Info, last: int = 100) -> list[StageLogEntry]:
        job = await info.context.job_loader.load(str(self.id))
        if job is None:
            return []
        service = info.context.service
        events = await service.on_store(service.stage_log, job, max(1, min(last, 1000)))
        return [
            StageLogEntry(
                at=e.created_at,
                status=JobStatus(e.status.value),
                stage=e.stage,
                percent=e.percent,
                message=e.message,
            )
            for e in events
        ]

    @strawberry.field(description="The transcript, a page of segments at a time.")
    async def transcript(
        self, info: strawberry.Info, offset: int = 0, limit: int = 100
    ) -> TranscriptPage | None:
        job = await info.context.job_loader.load(str(self.id))
        if job is None:
            return None
        service = info.context.service
        data = await asyncio.to_thread(job_results.transcript, service, job)
        if not data:
            return None
        segments = data.get("segments", [])
        offset, limit = max(0, offset), max(1, min(limit, 500))
        return TranscriptPage(
            language=data.get("language", ""),
            total_segments=len(segments),
            offset=offset,
            segments=[
                TranscriptSegment(
                    start=s["start"],
                    end=s["end"],
                    text=s["text"].strip(),
                    words=[
                        TranscriptWord(start=w["start"], end=w["end"], word=w["word"].strip())
                        for w in s.get("words", [])
                    ],
                )
                for s in segments[offset : offset + limit]
            ],
        )

    @strawberry.field(description="Speech, silences, layout periods and slide changes.")
    async def timeline(self, info: strawberry.Info) -> Timeline | None:
        job = await info.context.job_loader.load(str(self.id))
        if job is None:
            return None
        service = info.context.service
        speech, layout = await asyncio.to_thread(job_results.timeline, service, job)
        if not speech and not layout:
            return None
        return Timeline(
            speech=[TimeRange(start=i["start"], end=i["end"]) for i in speech.get("speech", [])],
            silences=[
                TimeRange(start=i["start"], end=i["end"]) for i in speech.get("silences", [])
            ],
            layout_periods=[
                LayoutPeriod(
                    start=p["start"],
                    end=p["end"],
                    kind=p["kind"],
                    screen=region(p.get("screen")),
                    camera=region(p.get("camera")),
                )
                for p in layout.get("periods", [])
            ],
            slide_changes=list(layout.get("slide_changes", [])),
        )

    @strawberry.field(description="Chapters as YouTube description lines: `00:00 Title` each.")
    async def chapters_text(self, info: strawberry.Info) -> str | None:
        manifest = await info.context.manifest_loader.load(str(self.id))
        return None if not manifest else str(manifest.get("chapters_text") or "")

    @strawberry.field(description="Presigned URL of the chapters as WebVTT (kind=chapters).")
    async def chapters_vtt_url(self, info: strawberry.Info) -> str | None:
        manifest = await info.context.manifest_loader.load(str(self.id))
        job = await info.context.job_loader.load(str(self.id))
        key = ((manifest or {}).get("chapters") or {}).get("vtt")
        if not key or job is None:
            return None
        return str(info.context.service.url_for(job, key))

    @strawberry.field(description="Presigned URL of the CMX3600 edit decision list.")
    async def edl_url(self, info: strawberry.Info) -> str | None:
        manifest = await info.context.manifest_loader.load(str(self.id))
        job = await info.context.job_loader.load(str(self.id))
        if not manifest or not manifest.get("edl") or job is None:
            return None
        return str(info.context.service.url_for(job, manifest["edl"]))

    @strawberry.field(description="Presigned URL of the Final Cut Pro XML timeline.")
    async def fcpxml_url(self, info: strawberry.Info) -> str | None:
        manifest = await info.context.manifest_loader.load(str(self.id))
        job = await info.context.job_loader.load(str(self.id))
        if not manifest or not manifest.get("edl") or job is None:
            return None
        return str(info.context.service.url_for(job, "clips/edit.fcpxml"))

    @strawberry.field(description="Presigned URL of the uploaded lecture, for previews.")
    async def source_url(self, info: strawberry.Info) -> str | None:
        job = await info.context.job_loader.load(str(self.id))
        if job is None or job.source_etag is None:
            return None
        service = info.context.service
        return str(service.storage.presign_get(job.source_key, service.settings.presign_expiry_s))

    @strawberry.field(description="The transcript's sentences: the edges clip trims snap to.")
    async def sentences(self, info: strawberry.Info) -> list[Sentence]:
        from graphql_api.studio_fields import job_sentences

        job = await info.context.job_loader.load(str(self.id))
        found = await job_sentences(info, job) if job is not None else []
        return [Sentence(start=s.start, end=s.end, text=s.text) for s in found]

    @strawberry.field(description="Reviewers' edits of the clips, with their status.")
    async def edits(
        self, info: strawberry.Info
    ) -> list[Annotated[ClipEdit, strawberry.lazy("graphql_api.clip_edits")]]:
        from graphql_api.clip_edits import ClipEdit as EditType
        from graphql_api.studio_fields import job_edits

        job = await info.context.job_loader.load(str(self.id))
        found = await job_edits(info, job) if job is not None else []
        return [EditType.from_domain(e) for e in found]


@strawberry.type
class UploadTicket:
    job: Job
    upload_url: str
    upload_headers: JSON
    expires_at: datetime


@strawberry.type
class ProgressEvent:
    status: JobStatus
    stage: str
    percent: float
    eta_seconds: float | None
    message: str

    @classmethod
    def from_domain(cls, event: DomainEvent | DomainJob) -> ProgressEvent:
        percent = event.percent
        return cls(
            status=JobStatus(event.status.value),
            stage=event.stage,
            percent=percent,
            eta_seconds=event.eta_s,
            message=event.message,
        )


@strawberry.type
class ValidationError:
    code: str
    message: str
    field: str | None = None


@strawberry.type
class NotFoundError:
    code: str
    message: str


@strawberry.type
class QuotaExceededError:
    code: str
    message: str
    retry_after_seconds: int


@strawberry.type
class AuthError:
    code: str
    message: str


CreateUploadResult = Annotated[
    UploadTicket | ValidationError | QuotaExceededError | AuthError,
    strawberry.union("CreateUploadResult"),
]


@strawberry.input
class JobOptionsInput:
    max_clips: int | None = None
    min_seconds: float | None = None
    max_seconds: float | None = None
    layout: str | None = None
    caption_style: str | None = None
    language: str | None = None
    glossary: list[str] | None = strawberry.field(
        default=None,
        description="Terms the lecture uses (names, jargon), up to 200 of up to 80 characters; "
        "the transcriber is primed with their spelling, like the text on the slides.",
    )


@strawberry.input
class CreateUploadInput:
    filename: str
    content_type: str
    size_bytes: float = strawberry.field(description="Size of the file in bytes.")
    options: JobOptionsInput | None = None


def headers_json(headers: dict[str, str]) -> JSON:
    return json.loads(json.dumps(headers))  # type: ignore[no-any-return]


@strawberry.type
class StageLogEntry:
    at: datetime
    status: JobStatus
    stage: str
    percent: float
    message: str


@strawberry.type
class TranscriptWord:
    start: float
    end: float
    word: str


@strawberry.type
class TranscriptSegment:
    start: float
    end: float
    text: str
    words: list[TranscriptWord]


@strawberry.type
class TranscriptPage:
    language: str
    total_segments: int
    offset: int
    segments: list[TranscriptSegment]


@strawberry.type
class TimeRange:
    start: float
    end: float


@strawberry.type
class Region:
    x: int
    y: int
    width: int
    height: int


@strawberry.type
class LayoutPeriod:
    start: float
    end: float
    kind: str
    screen: Region | None
    camera: Region | None


@strawberry.type
class Timeline:
    speech: list[TimeRange]
    silences: list[TimeRange]
    layout_periods: list[LayoutPeriod]
    slide_changes: list[float]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class JobConnection:
    nodes: list[Job]
    page_info: PageInfo


@strawberry.enum
class Stage(Enum):
    source_video = "source_video"
    silence_map = "silence_map"
    transcript = "transcript"
    screen_layout = "screen_layout"
    slides = "slides"
    content_scores = "content_scores"
    highlight_segments = "highlight_segments"
    highlight_clips = "highlight_clips"


@strawberry.type
class JobResult:
    job: Job


@strawberry.type
class Deleted:
    id: strawberry.ID


JobMutationResult = Annotated[
    JobResult | NotFoundError | ValidationError | QuotaExceededError | AuthError,
    strawberry.union("JobMutationResult"),
]
DeleteResult = Annotated[Deleted | NotFoundError | AuthError, strawberry.union("DeleteResult")]


def region(raw: dict[str, Any] | None) -> Region | None:
    return (
        None if raw is None else Region(**{k: int(raw[k]) for k in ("x", "y", "width", "height")})
    )
