"""A reviewer's edits of a clip, the inputs that make them, and the job's zip download."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api.types.enums import CaptionStyle, ClipEditStatus, Layout
from graphql_api.types.errors import AuthError, NotFoundError, QuotaExceededError, ValidationError
from graphql_api.types.scalars import Long
from lecture_assets.analysis.render.clip_edits import ClipEdit as DomainEdit

if TYPE_CHECKING:
    from graphql_api.archive import Archive


@strawberry.type(description="New text for one caption, in source seconds.")
class CaptionFix:
    source_start: float = strawberry.field(description="When the caption starts, source seconds.")
    source_end: float = strawberry.field(description="When it ends, source seconds.")
    text: str = strawberry.field(description="Its new text.")


@strawberry.type(description="What a reviewer changed on a clip, by whom and when.")
class ClipEdit:
    index: int = strawberry.field(description="The clip it edits.")
    author: str = strawberry.field(description="Who saved it (the token's owner).")
    edited_at: str = strawberry.field(description="When it was saved, ISO 8601 UTC.")
    base_start: float = strawberry.field(description="The machine's cut this edit was made on.")
    base_end: float = strawberry.field(description="The end of that cut, source seconds.")
    start: float | None = strawberry.field(description="The new start, source seconds.")
    end: float | None = strawberry.field(description="The new end, source seconds.")
    title: str | None = strawberry.field(description="The new title.")
    caption_style: CaptionStyle | None = strawberry.field(description="The new caption style.")
    layout: Layout | None = strawberry.field(description="The new layout.")
    captions: list[CaptionFix] = strawberry.field(description="Captions whose text was fixed.")
    status: ClipEditStatus = strawberry.field(description="Whether the edit is in the clip.")
    note: str = strawberry.field(description="Why a replaced edit no longer applies; else empty.")

    @classmethod
    def from_domain(cls, edit: DomainEdit) -> ClipEdit:
        """From a stored edit of the render agent."""
        return cls(
            index=edit.index,
            author=edit.author,
            edited_at=edit.edited_at,
            base_start=edit.base_start,
            base_end=edit.base_end,
            start=edit.start,
            end=edit.end,
            title=edit.title,
            caption_style=CaptionStyle(edit.caption_style) if edit.caption_style else None,
            layout=Layout(edit.layout) if edit.layout else None,
            captions=[
                CaptionFix(source_start=c.source_start, source_end=c.source_end, text=c.text)
                for c in edit.captions
            ],
            status=ClipEditStatus(edit.status),
            note=edit.note,
        )


@strawberry.type(description="The edit was saved; call applyClipEdits to render it.")
class ClipEditSaved:
    edit: ClipEdit = strawberry.field(description="The clip's edit as now stored.")


@strawberry.type(description="The whole job as one zip file.")
class JobArchive:
    url: str = strawberry.field(description="Presigned download URL of the zip.")
    size_bytes: Long = strawberry.field(description="Size of the zip in bytes.")
    media_url: str = strawberry.field(description="The zip on the API's own origin.")

    @classmethod
    def from_domain(cls, archive: Archive, media_url: str) -> JobArchive:
        """From the archive the API built, with its same-origin link."""
        return cls(url=archive.url, size_bytes=Long(archive.size_bytes), media_url=media_url)


@strawberry.input(description="A caption as shown in the clip: clip seconds and its new text.")
class CaptionCueInput:
    start: float = strawberry.field(description="When it appears, clip seconds (as in the SRT).")
    end: float = strawberry.field(description="When it disappears, clip seconds.")
    text: str = strawberry.field(description="Its new text.")


ClipEditResult = Annotated[
    ClipEditSaved | NotFoundError | ValidationError | QuotaExceededError | AuthError,
    strawberry.union("ClipEditResult", description="The saved edit, or why it was refused."),
]
JobArchiveResult = Annotated[
    JobArchive | NotFoundError | ValidationError | AuthError,
    strawberry.union("JobArchiveResult", description="The zip, or why there is none."),
]
