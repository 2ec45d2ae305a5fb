"""Starting a job: the upload input with its options, and the ticket to PUT the file with."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graphql_api.media_links import signer_of
from graphql_api.types.enums import CaptionStyle, Layout
from graphql_api.types.errors import AuthError, QuotaExceededError, ValidationError
from graphql_api.types.job import Job
from graphql_api.types.scalars import Long


@strawberry.type(description="Where and how to PUT the lecture file; the job waits for it.")
class UploadTicket:
    job: Job = strawberry.field(description="The new job, QUEUED until the file arrives.")
    upload_url: str = strawberry.field(description="Presigned URL to PUT the file to.")
    upload_headers: JSON = strawberry.field(description="Headers the PUT must send, as given.")
    expires_at: datetime = strawberry.field(description="When the URL stops working.")

    @strawberry.field(
        description="The same upload on the API's own origin: PUT the file here with "
        "uploadHeaders (for pages whose Content-Security-Policy allows no other origin)."
    )
    def media_upload_url(self, info: strawberry.Info) -> str:
        owner: str = info.context.owner
        return signer_of(info).url(owner, str(self.job.id), "source", method="PUT")


CreateUploadResult = Annotated[
    UploadTicket | ValidationError | QuotaExceededError | AuthError,
    strawberry.union("CreateUploadResult", description="The ticket, or why it was refused."),
]


@strawberry.input(description="What the clips should be like; absent fields keep the defaults.")
class JobOptionsInput:
    max_clips: int | None = strawberry.field(
        default=None, description="How many clips at most, 1 to 20."
    )
    min_seconds: float | None = strawberry.field(
        default=None, description="Shortest clip in seconds, 5 to 600 (default 20)."
    )
    max_seconds: float | None = strawberry.field(
        default=None, description="Longest clip in seconds, 5 to 600 (default 120)."
    )
    layout: Layout | None = strawberry.field(
        default=None, description="How clips frame the recording (default AUTO)."
    )
    caption_style: CaptionStyle | None = strawberry.field(
        default=None, description="How the burned-in subtitles look (default STANDARD)."
    )
    language: str | None = strawberry.field(
        default=None,
        description="The spoken language as an ISO 639 code (e.g. en); detected " "when absent.",
    )
    glossary: list[str] | None = strawberry.field(
        default=None,
        description="Terms the lecture uses (names, jargon), up to 200 of up to 80 characters; "
        "the transcriber is primed with their spelling, like the text on the slides.",
    )


@strawberry.input(description="The lecture file to upload and the options of its job.")
class CreateUploadInput:
    filename: str = strawberry.field(description="The file's name, e.g. lecture-3.mp4.")
    content_type: str = strawberry.field(description="Its MIME type, e.g. video/mp4.")
    size_bytes: Long = strawberry.field(description="Size of the file in bytes.")
    options: JobOptionsInput | None = strawberry.field(
        default=None, description="What the clips should be like."
    )


def headers_json(headers: dict[str, str]) -> JSON:
    """Upload headers as the JSON scalar."""
    return json.loads(json.dumps(headers))  # type: ignore[no-any-return]
