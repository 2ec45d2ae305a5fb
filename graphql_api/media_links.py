"""Same-origin links (`/media/...`) to a job's files, for browsers: the studio's URLs."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_api.media_tokens import SOURCE, MediaSigner
from resources.jobs import Job

ABOUT = (
    "Same-origin links served by the API (`/media/...`) with a signed, short-lived token in "
    "the URL (for <video>, <img> and downloads, which cannot send the API token); they honour "
    "HTTP Range. The `...Url` fields are presigned object-store URLs for clients that "
    "download straight from storage."
)


@strawberry.type(description=ABOUT)
class ClipMedia:
    video: str = strawberry.field(description="The MP4, to play in the page.")
    video_download: str = strawberry.field(description="The MP4 as a download, named.")
    srt: str = strawberry.field(description="Its captions as SRT, named for download.")
    vtt: str = strawberry.field(description="Its captions as WebVTT, for a <track>.")
    thumbnail: str = strawberry.field(description="Its JPEG thumbnail.")


@strawberry.type(description=ABOUT)
class JobMedia:
    source: str | None = strawberry.field(description="The uploaded lecture, for previews.")
    edl: str | None = strawberry.field(description="The clips as an EDL (CMX 3600).")
    fcpxml: str | None = strawberry.field(description="The clips as Final Cut Pro XML.")
    chapters_vtt: str | None = strawberry.field(description="The chapters as WebVTT.")


def signer_of(info: strawberry.Info) -> MediaSigner:
    return MediaSigner.for_settings(info.context.service.settings)


def clip_media(signer: MediaSigner, job: Job, clip: dict[str, Any], stem: str) -> ClipMedia:
    """Links to one clip's files; the render version is in each URL, so a new render's differ."""
    version = int(clip.get("version", 1))
    name = f"{stem}-clip{clip['index']}"

    def link(path: str, download: str | None = None) -> str:
        return signer.url(job.owner, job.id, path, download=download, version=version)

    return ClipMedia(
        video=link(clip["video"]),
        video_download=link(clip["video"], f"{name}.mp4"),
        srt=link(clip["srt"], f"{name}.srt"),
        vtt=link(clip["vtt"], f"{name}.vtt"),
        thumbnail=link(clip["thumbnail"]),
    )


def job_media(signer: MediaSigner, job: Job, manifest: dict[str, Any] | None) -> JobMedia:
    """Links to the lecture itself and the job-wide exports that exist."""
    stem = job.filename.rsplit(".", 1)[0] or "lecture"
    manifest = manifest or {}
    chapters = (manifest.get("chapters") or {}).get("vtt")
    edl = manifest.get("edl")

    def link(path: str, download: str | None = None) -> str:
        return signer.url(job.owner, job.id, path, download=download)

    return JobMedia(
        source=link(SOURCE) if job.source_etag is not None else None,
        edl=link(edl, f"{stem}.edl") if edl else None,
        fcpxml=link("clips/edit.fcpxml", f"{stem}.fcpxml") if edl else None,
        chapters_vtt=link(chapters) if chapters else None,
    )
