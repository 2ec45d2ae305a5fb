"""Write operations: createUpload, reprocessJob, cancelJob, deleteJob."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from graphql_api import types as t
from graphql_api.arguments import JobId, Options
from graphql_api.services import ServiceError, invalid_options
from resources.jobs import JobOptions, OptionError

UNAUTHENTICATED = "send the header Authorization: Bearer <token>"


def options_from_input(raw: t.JobOptionsInput | None) -> JobOptions:
    """Domain options from the GraphQL input (absent fields keep server defaults); a value
    the options contract refuses raises ServiceError INVALID_OPTIONS naming the field."""
    if raw is None:
        return JobOptions()
    try:
        return JobOptions.parse(
            max_clips=raw.max_clips,
            min_seconds=raw.min_seconds,
            max_seconds=raw.max_seconds,
            layout=raw.layout.domain if raw.layout else None,
            caption_style=raw.caption_style.domain if raw.caption_style else None,
            language=raw.language,
            glossary=raw.glossary,
        )
    except OptionError as exc:
        raise invalid_options(exc) from exc


def _job_error(exc: ServiceError) -> t.NotFoundError | t.ValidationError | t.QuotaExceededError:
    if exc.code == "NOT_FOUND":
        return t.NotFoundError(code=exc.code, message=exc.message)
    if exc.code == "RATE_LIMITED":
        return t.QuotaExceededError(
            code=exc.code, message=exc.message, retry_after_seconds=int(exc.field or 60)
        )
    return t.ValidationError(code=exc.code, message=exc.message, field=exc.field)


@strawberry.type(description="Jobs: upload, reprocess, cancel, delete.")
class Mutation:
    @strawberry.mutation(description="Register a lecture and get a presigned URL to PUT it to.")
    async def create_upload(
        self,
        info: strawberry.Info,
        input: Annotated[
            t.CreateUploadInput, strawberry.argument(description="The file and the job's options.")
        ],
    ) -> t.CreateUploadResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        service = info.context.service
        try:
            args = (
                owner,
                input.filename,
                input.content_type,
                int(input.size_bytes),
                options_from_input(input.options),
            )
            # local work only (a SQLite insert, a signature) runs on the loop; network round
            # trips (database, rate limits, credentials) leave it
            if service.create_upload_on_loop:
                ticket = await service.create_upload_grouped(*args)
            else:
                ticket = await asyncio.to_thread(service.create_upload, *args)
        except ServiceError as exc:
            return _job_error(exc)  # type: ignore[return-value]
        return t.UploadTicket(
            job=t.Job.from_domain(ticket.job),
            upload_url=ticket.url,
            upload_headers=t.headers_json(ticket.headers),
            expires_at=ticket.expires_at,
        )

    @strawberry.mutation(
        description="Re-run one stage and everything after it (e.g. HIGHLIGHT_SEGMENTS with "
        "new clip lengths: no re-transcription), as a new run."
    )
    async def reprocess_job(
        self,
        info: strawberry.Info,
        id: JobId,
        from_stage: Annotated[
            t.Stage, strawberry.argument(description="The first stage to run again.")
        ],
        options: Options = None,
    ) -> t.JobMutationResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        try:
            parsed = options_from_input(options)
            job = await asyncio.to_thread(
                info.context.service.reprocess, owner, str(id), from_stage.domain, parsed
            )
        except ServiceError as exc:
            return _job_error(exc)
        return t.JobResult(job=t.Job.from_domain(job))

    @strawberry.mutation(description="Stop a queued or running job.")
    async def cancel_job(self, info: strawberry.Info, id: JobId) -> t.JobMutationResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        try:
            job = await asyncio.to_thread(info.context.service.cancel, owner, str(id))
        except ServiceError as exc:
            return _job_error(exc)
        return t.JobResult(job=t.Job.from_domain(job))

    @strawberry.mutation(description="Delete a job: its files, records and Dagster partition.")
    async def delete_job(self, info: strawberry.Info, id: JobId) -> t.DeleteResult:
        owner = info.context.owner
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        try:
            # Dagster and the object store (a delete per file): never on the event loop
            deleted = await asyncio.to_thread(info.context.service.delete, owner, str(id))
        except ServiceError as exc:
            return t.NotFoundError(code=exc.code, message=exc.message)
        return t.Deleted(id=strawberry.ID(deleted))
