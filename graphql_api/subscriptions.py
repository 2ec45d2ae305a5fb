"""The progress subscription: current state first, then every event, until a final status."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from graphql_api import types as t

POLL_INTERVAL_S = 0.25


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Live progress of a job, ending with its final status.")
    async def job_progress(
        self, info: strawberry.Info, job_id: strawberry.ID
    ) -> AsyncGenerator[t.ProgressEvent, None]:
        owner = info.context.owner
        store = info.context.service.store
        job = store.get(str(job_id), owner=owner) if owner else None
        if job is None:
            raise PermissionError(f"no job {job_id}")
        # the current state first, so reconnecting clients catch up at once
        yield t.ProgressEvent.from_domain(job)
        if job.status.terminal:
            return
        backlog = store.events_after(str(job_id), 0, limit=100_000)
        last_id = backlog[-1].id if backlog else 0
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            events = await asyncio.to_thread(store.events_after, str(job_id), last_id)
            for event in events:
                last_id = event.id
                yield t.ProgressEvent.from_domain(event)
                if event.status.terminal:
                    return
            if not events and store.get(str(job_id)) is None:
                return
