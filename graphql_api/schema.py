"""The Strawberry schema: queries, mutations and the progress subscription."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.extensions import ParserCache, ValidationCache

from graphql_api import types as t
from graphql_api.services import ServiceError
from resources.jobs import JobOptions
from resources.jobs import JobStatus as DomainStatus

POLL_INTERVAL_S = 0.25


def _owner(info: strawberry.Info) -> str | None:
    owner: str | None = info.context.owner
    return owner


def _options(raw: t.JobOptionsInput | None) -> JobOptions:
    if raw is None:
        return JobOptions()
    return JobOptions(
        max_clips=raw.max_clips,
        min_seconds=raw.min_seconds,
        max_seconds=raw.max_seconds,
        layout=raw.layout or "auto",
        caption_style=raw.caption_style or "standard",
        language=raw.language,
    )


@strawberry.type
class Query:
    @strawberry.field(description="One of your jobs, or null when it does not exist.")
    async def job(self, info: strawberry.Info, id: strawberry.ID) -> t.Job | None:
        if _owner(info) is None:
            return None
        job = await info.context.job_loader.load(str(id))
        return t.Job.from_domain(job) if job is not None else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a lecture and get a presigned URL to PUT it to.")
    def create_upload(self, info: strawberry.Info, input: t.CreateUploadInput) -> t.CreateUploadResult:
        owner = _owner(info)
        if owner is None:
            return t.AuthError(code="UNAUTHENTICATED", message="send Authorization: Bearer <token>")
        try:
            ticket = info.context.service.create_upload(
                owner, input.filename, input.content_type, int(input.size_bytes), _options(input.options)
            )
        except ServiceError as exc:
            return t.ValidationError(code=exc.code, message=exc.message, field=exc.field)
        return t.UploadTicket(
            job=t.Job.from_domain(ticket.job),
            upload_url=ticket.url,
            upload_headers=t.headers_json(ticket.headers),
            expires_at=ticket.expires_at,
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Live progress of a job, ending with its final status.")
    async def job_progress(
        self, info: strawberry.Info, job_id: strawberry.ID
    ) -> AsyncGenerator[t.ProgressEvent, None]:
        owner = _owner(info)
        store = info.context.service.store
        job = store.get(str(job_id), owner=owner) if owner else None
        if job is None:
            raise PermissionError("job not found")
        # the current state first, so reconnecting clients catch up at once
        yield t.ProgressEvent.from_domain(job)
        if job.status.terminal:
            return
        events = store.events_after(str(job_id))
        last_id = events[-1].id if events else 0
        try:
            while True:
                await asyncio.sleep(POLL_INTERVAL_S)
                for event in store.events_after(str(job_id), last_id):
                    last_id = event.id
                    yield t.ProgressEvent.from_domain(event)
                    if event.status in (DomainStatus.DONE, DomainStatus.FAILED, DomainStatus.CANCELLED):
                        return
                current = store.get(str(job_id))
                if current is None:
                    return
        finally:
            pass


def build_schema() -> strawberry.Schema:
    """The schema with depth, alias and token limits and parse/validation caches."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            QueryDepthLimiter(max_depth=8),
            MaxAliasesLimiter(max_alias_count=30),
            MaxTokensLimiter(max_token_count=2000),
            ParserCache(maxsize=256),
            ValidationCache(maxsize=256),
        ],
    )
