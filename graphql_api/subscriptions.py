"""The progress subscription: current state first, then every event, until a final status."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from graphql_api import types as t

POLL_INTERVAL_S = 0.25


@strawberry.type(description="Live updates of your jobs.")
class Subscription:
    @strawberry.subscription(description="Live progress of a job, ending with its final status.")
    async def job_progress(
        self,
        info: strawberry.Info,
        job_id: Annotated[strawberry.ID, strawberry.argument(description="The job to follow.")],
    ) -> AsyncGenerator[t.ProgressEvent, None]:
        owner = info.context.owner
        service = info.context.service
        store = service.store
        if owner is None:
            raise PermissionError(f"no job {job_id}")
        # note the newest event before reading the state: anything recorded after this point
        # is sent, so no event can slip between the snapshot and the stream
        last_id = await service.on_store(store.last_event_id, str(job_id))
        job = await service.on_store(store.get, str(job_id), owner)
        if job is None:
            raise PermissionError(f"no job {job_id}")
        # the current state first, so reconnecting clients catch up at once
        yield t.ProgressEvent.from_domain(job)
        if job.status.terminal:
            return
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            events = await asyncio.to_thread(store.events_after, str(job_id), last_id)
            for event in events:
                last_id = event.id
                yield t.ProgressEvent.from_domain(event)
                if event.status.terminal:
                    return
            if not events and await service.on_store(store.get, str(job_id)) is None:
                return
