"""Read operations: one job, and a paginated list of the caller's jobs."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api import types as t
from graphql_api.arguments import JobId
from graphql_api.services import ServiceError


@strawberry.type(description="Reads of your jobs.")
class Query:
    @strawberry.field(description="One of your jobs, or null when it does not exist.")
    async def job(self, info: strawberry.Info, id: JobId) -> t.Job | None:
        if info.context.owner is None:
            return None
        job = await info.context.job_loader.load(str(id))
        return t.Job.from_domain(job) if job is not None else None

    @strawberry.field(description="Your jobs, newest first; pass pageInfo.endCursor as after.")
    async def jobs(
        self,
        info: strawberry.Info,
        status: Annotated[
            t.JobStatus | None, strawberry.argument(description="Only jobs with this status.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description="How many jobs per page, 1 to 100.")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> t.JobConnection:
        owner = info.context.owner
        if owner is None:
            return t.JobConnection(
                nodes=[], page_info=t.PageInfo(has_next_page=False, end_cursor=None)
            )
        try:
            service = info.context.service
            page, more = await service.on_store(
                service.list_jobs,
                owner,
                status.to_domain() if status else None,
                first,
                after,
            )
        except ServiceError:
            page, more = [], False
        for job in page:
            info.context.job_loader.prime(job.id, job)
        return t.JobConnection(
            nodes=[t.Job.from_domain(j) for j in page],
            page_info=t.PageInfo(has_next_page=more, end_cursor=page[-1].id if page else None),
        )
