"""Group commit: concurrent createUploads on one loop share a transaction, each gets its job."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest
import sqlalchemy as sa

from graphql_api.grouped_inserts import GroupedJobInserts
from resources.jobs import Job, JobOptions
from resources.jobs.store import JobStoreResource, NewJob


class CountingStore(JobStoreResource):
    """The SQLite store, counting its transactions of new jobs."""

    def model_post_init(self, context: object) -> None:
        super().model_post_init(context)
        object.__setattr__(self, "batches", [])

    def create_jobs(self, requests: Sequence[NewJob]) -> list[Job]:
        self.batches.append(len(requests))  # type: ignore[attr-defined]
        return super().create_jobs(requests)


def _request(owner: str, n: int) -> NewJob:
    return NewJob(owner, f"lecture-{n}.mp4", "video/mp4", 1000 + n, "mp4", JobOptions())


def test_one_loop_pass_of_uploads_is_one_transaction_and_each_gets_its_own_job(
    tmp_path: object,
) -> None:
    store = CountingStore(url=f"sqlite:///{tmp_path}/jobs.db")
    store.migrate()
    inserts = GroupedJobInserts(store)

    async def burst() -> list[Job]:
        requests = [_request("alice" if n % 2 else "bob", n) for n in range(25)]
        return await asyncio.gather(*(inserts.create_job(r) for r in requests))

    jobs = asyncio.run(burst())
    assert store.batches == [25]  # type: ignore[attr-defined]
    assert len({job.id for job in jobs}) == 25
    for n, job in enumerate(jobs):
        stored = store.get(job.id)
        assert stored is not None and stored.filename == f"lecture-{n}.mp4"
        assert stored.owner == ("alice" if n % 2 else "bob")
        assert stored.size_bytes == 1000 + n
        assert stored.source_key == f"uploads/{stored.owner}/{job.id}/source.mp4"

    async def one_at_a_time() -> list[Job]:
        return [await inserts.create_job(_request("carol", n)) for n in range(3)]

    asyncio.run(one_at_a_time())
    assert store.batches == [25, 1, 1, 1]  # type: ignore[attr-defined]


def test_a_failed_transaction_fails_every_upload_in_it_and_the_next_pass_works(
    sqlite_store: JobStoreResource,
) -> None:
    store = sqlite_store
    inserts = GroupedJobInserts(store)
    with store.engine.begin() as conn:  # a schema the insert cannot satisfy
        conn.execute(sa.text("ALTER TABLE jobs RENAME TO jobs_moved"))

    async def burst() -> list[Job | BaseException]:
        return await asyncio.gather(
            *(inserts.create_job(_request("alice", n)) for n in range(4)), return_exceptions=True
        )

    failures = asyncio.run(burst())
    assert all(isinstance(f, sa.exc.OperationalError) for f in failures)
    with store.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE jobs_moved RENAME TO jobs"))
        assert conn.execute(sa.text("SELECT count(*) FROM jobs")).scalar() == 0  # all or none
    job = asyncio.run(inserts.create_job(_request("alice", 9)))
    assert store.get(job.id) is not None


@pytest.mark.parametrize("n", [1, 7])
def test_create_jobs_keeps_the_order_it_was_given(sqlite_store: JobStoreResource, n: int) -> None:
    store = sqlite_store
    jobs = store.create_jobs([_request("alice", i) for i in range(n)])
    assert [job.filename for job in jobs] == [f"lecture-{i}.mp4" for i in range(n)]
    newest_first = store.list_jobs("alice", first=n)
    assert [job.id for job in newest_first] == [job.id for job in reversed(jobs)]


def test_loops_in_two_threads_each_get_their_own_jobs(sqlite_store: JobStoreResource) -> None:
    # a test client runs the app on a loop of its own thread: batches never mix loops
    inserts = GroupedJobInserts(sqlite_store)
    results: dict[str, list[Job]] = {}

    def burst(owner: str) -> None:
        async def many() -> list[Job]:
            return await asyncio.gather(
                *(inserts.create_job(_request(owner, n)) for n in range(30))
            )

        results[owner] = asyncio.run(many())

    threads = [threading.Thread(target=burst, args=(owner,)) for owner in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for owner in ("alice", "bob"):
        assert [job.owner for job in results[owner]] == [owner] * 30
        assert [job.filename for job in results[owner]] == [f"lecture-{n}.mp4" for n in range(30)]
        assert len(sqlite_store.list_jobs(owner, first=100)) == 30
