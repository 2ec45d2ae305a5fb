"""Per-request GraphQL context: the authenticated owner, services and request-scoped loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from graphql_api.auth import TokenRegistry
from graphql_api.services import JobService
from resources.jobs import Job


@dataclass
class AppState:
    """Long-lived objects the app builds once at start-up."""

    service: JobService
    tokens: TokenRegistry


class Context(BaseContext):
    """What resolvers see: `owner` is None for anonymous requests."""

    def __init__(self, state: AppState, owner: str | None) -> None:
        super().__init__()
        self.state = state
        self.owner = owner
        self.job_loader: DataLoader[str, Job | None] = DataLoader(load_fn=self._load_jobs)
        self.manifest_loader: DataLoader[str, dict[str, Any] | None] = DataLoader(
            load_fn=self._load_manifests
        )

    @property
    def service(self) -> JobService:
        return self.state.service

    async def _load_jobs(self, ids: list[str]) -> list[Job | None]:
        if self.owner is None:
            return [None for _ in ids]
        found = await self.service.on_store(self.service.store.get_many, ids, self.owner)
        return [found.get(i) for i in ids]

    async def _load_manifests(self, ids: list[str]) -> list[dict[str, Any] | None]:
        jobs = await self.job_loader.load_many(ids)

        async def fetch(job: Job | None) -> dict[str, Any] | None:
            if job is None or not job.manifest_key:
                return None
            return await asyncio.to_thread(self.service.manifest, job)

        # each manifest is an object-store GET: all of a page's at once, on worker threads, so
        # the event loop keeps answering other requests while S3 responds
        return list(await asyncio.gather(*(fetch(j) for j in jobs)))
