"""Per-request GraphQL context: the authenticated owner, services and request-scoped loaders."""

from __future__ import annotations

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
        found = self.service.store.get_many(ids, self.owner)
        return [found.get(i) for i in ids]

    async def _load_manifests(self, ids: list[str]) -> list[dict[str, Any] | None]:
        jobs = await self.job_loader.load_many(ids)
        return [self.service.manifest(j) if j is not None else None for j in jobs]
