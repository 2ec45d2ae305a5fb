"""Group commit for createUpload on SQLite: the jobs of one event-loop pass, one transaction."""

# under load every pass of the loop runs dozens of createUpload resolvers back to back; each used to
# open its own transaction, insert one row and commit: a quarter of a createUpload's CPU (py-spy),
# and with several API processes on one SQLite file each commit also waited for the others' write
# lock. Queued here, the pass's rows go to `JobStoreResource.create_jobs` in one transaction when
# the loop next gets to it, right after the pass, and each resolver resumes with its own job. A lone
# request pays one extra loop turn (microseconds).

from __future__ import annotations

import asyncio

from resources.jobs import Job
from resources.jobs.store import JobStoreResource, NewJob

# the jobs waiting for one loop's next transaction, each with the future its caller awaits
_Batch = list[tuple[NewJob, "asyncio.Future[Job]"]]


class GroupedJobInserts:
    """Collects `NewJob`s from coroutines on one event loop and inserts them together."""

    def __init__(self, store: JobStoreResource) -> None:
        self.store = store
        # per loop: a future is only ever resolved by its own loop (test clients run apps on
        # loops of their own threads; a server process has one)
        self._pending: dict[asyncio.AbstractEventLoop, _Batch] = {}

    async def create_job(self, request: NewJob) -> Job:
        """Register `request`'s job with the others of this loop pass; its stored record."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Job] = loop.create_future()
        pending = self._pending.setdefault(loop, [])
        pending.append((request, done))
        if len(pending) == 1:
            loop.call_soon(self._flush, loop)
        return await done

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._pending.pop(loop, [])
        try:
            created = self.store.create_jobs([request for request, _ in batch])
        except Exception as exc:  # every caller of the batch sees the store's error
            for _, done in batch:
                if not done.cancelled():
                    done.set_exception(exc)
            return
        for (_, done), job in zip(batch, created, strict=True):
            if not done.cancelled():
                done.set_result(job)
