"""Reads the studio needs on a job: clip captions, transcript sentences, stored edits."""

from __future__ import annotations

import asyncio

import pysubs2
import strawberry

from graphql_api.clip_edit_service import ClipEditService
from lecture_assets.analysis.models import Sentence
from lecture_assets.analysis.render.clip_edits import ClipEdit
from resources.jobs import Job
from resources.storage import StorageError


async def clip_cues(info: strawberry.Info, srt_key: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each caption of a clip's SRT file (none when it is missing)."""
    storage = info.context.service.storage
    try:
        raw = await asyncio.to_thread(storage.get_bytes, srt_key)
    except StorageError:
        return []
    subs = pysubs2.SSAFile.from_string(raw.decode("utf-8"), format_="srt")
    return [(e.start / 1000.0, e.end / 1000.0, " ".join(e.plaintext.split())) for e in subs]


async def job_sentences(info: strawberry.Info, job: Job) -> list[Sentence]:
    """The sentences of the job's transcript."""
    return await asyncio.to_thread(ClipEditService(info.context.service).sentences, job)


async def job_edits(info: strawberry.Info, job: Job) -> list[ClipEdit]:
    """The job's stored clip edits."""
    edits = await asyncio.to_thread(ClipEditService(info.context.service).edits, job)
    return edits.edits


@strawberry.type(description="Reads the studio needs.")
class StudioQuery:
    @strawberry.field(description="The owner your token signs you in as (null: not signed in).")
    def me(self, info: strawberry.Info) -> str | None:
        owner: str | None = info.context.owner
        return owner
