"""The studio's review mutations: updateClip, editCaptions, applyClipEdits, jobArchive."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from graphql_api import types as t
from graphql_api.archive import job_archive
from graphql_api.clip_edit_service import ClipEditService, CueText
from graphql_api.media_links import signer_of
from graphql_api.mutations import UNAUTHENTICATED, _job_error
from graphql_api.services import ServiceError
from lecture_assets.analysis.render.clip_edits import ClipEdit as DomainEdit


@strawberry.type(description="New text for one caption, in source seconds.")
class CaptionFix:
    source_start: float
    source_end: float
    text: str


@strawberry.type(description="What a reviewer changed on a clip, by whom and when.")
class ClipEdit:
    index: int
    author: str
    edited_at: str
    base_start: float = strawberry.field(description="The machine's cut this edit was made on.")
    base_end: float
    start: float | None
    end: float | None
    title: str | None
    caption_style: str | None
    layout: str | None
    captions: list[CaptionFix]
    status: str = strawberry.field(
        description="pending (saved, not rendered), applied, or replaced (a re-cut chose "
        "another range for the clip, so the edit no longer applies)."
    )
    note: str

    @classmethod
    def from_domain(cls, edit: DomainEdit) -> ClipEdit:
        return cls(
            index=edit.index,
            author=edit.author,
            edited_at=edit.edited_at,
            base_start=edit.base_start,
            base_end=edit.base_end,
            start=edit.start,
            end=edit.end,
            title=edit.title,
            caption_style=edit.caption_style,
            layout=edit.layout,
            captions=[
                CaptionFix(source_start=c.source_start, source_end=c.source_end, text=c.text)
                for c in edit.captions
            ],
            status=edit.status,
            note=edit.note,
        )


@strawberry.type
class ClipEditSaved:
    edit: ClipEdit


@strawberry.type
class JobArchive:
    url: str
    size_bytes: float
    media_url: str = strawberry.field(description="The zip on the API's own origin.")


@strawberry.input(description="A caption as shown in the clip: clip seconds and its new text.")
class CaptionCueInput:
    start: float
    end: float
    text: str


ClipEditResult = Annotated[
    ClipEditSaved | t.NotFoundError | t.ValidationError | t.QuotaExceededError | t.AuthError,
    strawberry.union("ClipEditResult"),
]
JobArchiveResult = Annotated[
    JobArchive | t.NotFoundError | t.ValidationError | t.AuthError,
    strawberry.union("JobArchiveResult"),
]


def _edits(info: strawberry.Info) -> ClipEditService:
    return ClipEditService(info.context.service)


@strawberry.type
class ClipEditMutation:
    @strawberry.mutation(
        description="Trim or extend a clip (start and end snap to sentence edges), retitle it "
        "or change its caption style or layout. Saved, not rendered: call applyClipEdits."
    )
    async def update_clip(
        self,
        info: strawberry.Info,
        job_id: strawberry.ID,
        index: int,
        start: float | None = None,
        end: float | None = None,
        title: str | None = None,
        caption_style: str | None = None,
        layout: str | None = None,
    ) -> ClipEditResult:
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
                caption_style,
                layout,
            )
        except ServiceError as exc:
            return _job_error(exc)
        return ClipEditSaved(edit=ClipEdit.from_domain(edit))

    @strawberry.mutation(
        description="Fix caption text (a misheard word): each cue's start and end are clip "
        "seconds as in the clip's SRT. Saved, not rendered: call applyClipEdits."
    )
    async def edit_captions(
        self,
        info: strawberry.Info,
        job_id: strawberry.ID,
        index: int,
        cues: list[CaptionCueInput],
    ) -> ClipEditResult:
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
        return ClipEditSaved(edit=ClipEdit.from_domain(edit))

    @strawberry.mutation(
        description="Re-render the clips with saved edits (or the clips listed): only those "
        "clips, from the stored transcript; the job reports progress as usual."
    )
    async def apply_clip_edits(
        self, info: strawberry.Info, job_id: strawberry.ID, indices: list[int] | None = None
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
    async def job_archive(self, info: strawberry.Info, job_id: strawberry.ID) -> JobArchiveResult:
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
        return JobArchive(url=archive.url, size_bytes=archive.size_bytes, media_url=media_url)
