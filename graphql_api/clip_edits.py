"""The studio's review mutations: updateClip, editCaptions, applyClipEdits, jobArchive."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from graphql_api import types as t
from graphql_api.archive import job_archive
from graphql_api.arguments import ClipIndex, JobId, NewCaptionStyle, NewLayout, NewTitle, SourceTime
from graphql_api.clip_edit_service import ClipEditService, CueText
from graphql_api.media_links import signer_of
from graphql_api.mutations import UNAUTHENTICATED, _job_error
from graphql_api.services import ServiceError


def _edits(info: strawberry.Info) -> ClipEditService:
    return ClipEditService(info.context.service)


@strawberry.type(description="The studio's review mutations.")
class ClipEditMutation:
    @strawberry.mutation(
        description="Trim or extend a clip (start and end snap to sentence edges), retitle it "
        "or change its caption style or layout. Saved, not rendered: call applyClipEdits."
    )
    async def update_clip(
        self,
        info: strawberry.Info,
        job_id: JobId,
        index: ClipIndex,
        start: SourceTime = None,
        end: SourceTime = None,
        title: NewTitle = None,
        caption_style: NewCaptionStyle = None,
        layout: NewLayout = None,
    ) -> t.ClipEditResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        try:
            edit = await asyncio.to_thread(
                _edits(info).update_clip,
                owner,
                str(job_id),
                index,
                start,
                end,
                title,
                caption_style.domain if caption_style else None,
                layout.domain if layout else None,
            )
        except ServiceError as exc:
            return _job_error(exc)
        return t.ClipEditSaved(edit=t.ClipEdit.from_domain(edit))

    @strawberry.mutation(
        description="Fix caption text (a misheard word): each cue's start and end are clip "
        "seconds as in the clip's SRT. Saved, not rendered: call applyClipEdits."
    )
    async def edit_captions(
        self,
        info: strawberry.Info,
        job_id: JobId,
        index: ClipIndex,
        cues: Annotated[
            list[t.CaptionCueInput], strawberry.argument(description="The captions to fix.")
        ],
    ) -> t.ClipEditResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        texts = [CueText(c.start, c.end, c.text) for c in cues]
        try:
            edit = await asyncio.to_thread(
                _edits(info).edit_captions, owner, str(job_id), index, texts
            )
        except ServiceError as exc:
            return _job_error(exc)
        return t.ClipEditSaved(edit=t.ClipEdit.from_domain(edit))

    @strawberry.mutation(
        description="Re-render the clips with saved edits (or the clips listed): only those "
        "clips, from the stored transcript; the job reports progress as usual."
    )
    async def apply_clip_edits(
        self,
        info: strawberry.Info,
        job_id: JobId,
        indices: Annotated[
            list[int] | None,
            strawberry.argument(description="The clips to re-render; default: the edited ones."),
        ] = None,
    ) -> t.JobMutationResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        try:
            job = await asyncio.to_thread(_edits(info).apply, owner, str(job_id), indices)
        except ServiceError as exc:
            return _job_error(exc)
        return t.JobResult(job=t.Job.from_domain(job))

    @strawberry.mutation(description="A download URL of the whole job as one zip file.")
    async def job_archive(self, info: strawberry.Info, job_id: JobId) -> t.JobArchiveResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        try:
            archive = await asyncio.to_thread(job_archive, info.context.service, owner, str(job_id))
        except ServiceError as exc:
            if exc.code == "NOT_FOUND":
                return t.NotFoundError(code=exc.code, message=exc.message)
            return t.ValidationError(code=exc.code, message=exc.message, field=exc.field)
        relative = archive.key.removeprefix(f"jobs/{job_id}/")
        media_url = signer_of(info).url(
            owner, str(job_id), relative, download=archive.download_name
        )
        return t.JobArchive.from_domain(archive, media_url)
