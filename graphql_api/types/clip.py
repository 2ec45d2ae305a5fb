"""A rendered clip with its download URLs and captions, and the lecture's chapters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from graphql_api.media_links import ClipMedia, clip_media, signer_of
from resources.jobs import Job as DomainJob  # at runtime: strawberry resolves `files`

if TYPE_CHECKING:
    from graphql_api.services import JobService

SECONDS = "source seconds"


@strawberry.type(description="One caption of a clip, timed in clip seconds.")
class Cue:
    start: float = strawberry.field(description="When the caption appears, clip seconds.")
    end: float = strawberry.field(description="When it disappears, clip seconds.")
    text: str = strawberry.field(description="The caption's text on one line.")


@strawberry.type(description="A short vertical highlight clip cut from the lecture.")
class Clip:
    index: int = strawberry.field(description="Its number within the job, from 1.")
    start: float = strawberry.field(description=f"Where it starts in the lecture, {SECONDS}.")
    end: float = strawberry.field(description=f"Where it ends in the lecture, {SECONDS}.")
    duration: float = strawberry.field(description="Its length in seconds as rendered.")
    score: float = strawberry.field(description="How strong a highlight it is; higher is stronger.")
    title: str = strawberry.field(description="Its title, from the slides or what is said.")
    reason: str = strawberry.field(description="Why it was chosen, in a sentence.")
    video_url: str = strawberry.field(description="Presigned URL of the MP4 (9:16).")
    srt_url: str = strawberry.field(description="Presigned URL of its captions as SRT.")
    vtt_url: str = strawberry.field(description="Presigned URL of its captions as WebVTT.")
    thumbnail_url: str = strawberry.field(description="Presigned URL of its JPEG thumbnail.")
    version: int = strawberry.field(description="Goes up by one each time the clip is rendered.")
    edited: bool = strawberry.field(description="Whether a reviewer's edit is in this version.")
    srt_key: strawberry.Private[str] = ""
    # what `media` signs links from (the job and its manifest entry), only when asked for
    files: strawberry.Private[tuple[DomainJob, dict[str, Any], str] | None] = None

    @strawberry.field(description="Same-origin links to the clip's files.")
    def media(self, info: strawberry.Info) -> ClipMedia:
        assert self.files is not None, "Job.clips builds every Clip with its files"
        job, entry, stem = self.files
        return clip_media(signer_of(info), job, entry, stem)

    @classmethod
    def from_domain(cls, raw: dict[str, Any], job: DomainJob, service: JobService) -> Clip:
        """From one entry of the manifest's `clips`, with URLs signed for the job's owner."""
        stem, n = job.filename.rsplit(".", 1)[0], raw["index"]
        return cls(
            index=n,
            start=raw["start"],
            end=raw["end"],
            duration=raw.get("duration_s", raw["end"] - raw["start"]),
            score=raw["score"],
            title=raw["title"],
            reason=raw.get("reason", ""),
            video_url=service.url_for(job, raw["video"], f"{stem}-clip{n}.mp4"),
            srt_url=service.url_for(job, raw["srt"], f"{stem}-clip{n}.srt"),
            vtt_url=service.url_for(job, raw["vtt"], f"{stem}-clip{n}.vtt"),
            thumbnail_url=service.url_for(job, raw["thumbnail"]),
            version=int(raw.get("version", 1)),
            edited=bool(raw.get("edited", False)),
            srt_key=f"jobs/{job.id}/{raw['srt']}",
            files=(job, raw, stem),
        )

    @strawberry.field(description="The clip's captions (clip seconds), as in its SRT file.")
    async def cues(self, info: strawberry.Info) -> list[Cue]:
        from graphql_api.studio_fields import clip_cues

        return [Cue(start=a, end=b, text=x) for a, b, x in await clip_cues(info, self.srt_key)]


@strawberry.type(description="A chapter of the lecture, named like its slides.")
class Chapter:
    start: float = strawberry.field(description=f"Where it starts, {SECONDS}.")
    end: float = strawberry.field(description=f"Where it ends, {SECONDS}.")
    title: str = strawberry.field(description="Its title.")

    @classmethod
    def from_domain(cls, raw: dict[str, Any]) -> Chapter:
        """From one entry of the manifest's `topics`."""
        return cls(start=raw["start"], end=raw["end"], title=raw["title"])
