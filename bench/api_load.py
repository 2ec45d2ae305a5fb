"""API load on loopback: createUpload at 50 clients, job(id) with 10k jobs, subscription latency."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import websockets

from bench.load_client import post_request, run_load
from resources.jobs import JobOptions, JobStatus
from resources.jobs.store import JobStoreResource
from resources.jobs.tables import jobs

AUTH = {"Authorization": "Bearer dev-token"}
BUCKET = "bench"
# load before the measured seconds, not counted
WARMUP_S = 3.0
# the API runs at this nice level so the load generator beside it on the same cores is not
# queued behind it: at equal priority its wake-ups waited for a server's time slice, and that
# wait was counted as API latency (createUpload p99 53-64 ms at equal priority, 41-42 ms
# with the server at nice 5 on the same 2 cores, at higher throughput)
SERVER_NICE = 5
CREATE = (
    "mutation($i: CreateUploadInput!) { createUpload(input: $i) { __typename "
    "... on UploadTicket { job { id } uploadUrl } ... on ValidationError { code message } } }"
)
JOB = "query($id: ID!) { job(id: $id) { status stage progress } }"
SUB = "subscription($id: ID!) { jobProgress(jobId: $id) { status stage percent message } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(s3: str, db: str, dagster_home: str) -> dict[str, str]:
    """The API's settings as a deployment gives them: environment variables."""
    return {
        **os.environ,
        "LECTURE_ENVIRONMENT": "test",
        "LECTURE_S3_ENDPOINT_URL": s3,
        "LECTURE_S3_BUCKET": BUCKET,
        "LECTURE_JOB_STORE_URL": f"sqlite:///{db}",
        "LECTURE_RATE_LIMIT_PER_MINUTE": str(10**9),
        "LECTURE_LOG_LEVEL": "WARNING",
        "LECTURE_API_TOKENS": "dev:dev-token",  # whatever a local .env says
        "DAGSTER_HOME": dagster_home,
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _summary(ms: list[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "p50_ms": round(_pct(ms, 0.50), 2),
        "p99_ms": round(_pct(ms, 0.99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan"),
    }


async def create_upload_load(
    url: str, clients: int, seconds: float, every_s: float = 0.0, warmup_s: float = WARMUP_S
) -> dict[str, Any]:
    """`clients` keep-alive connections posting createUpload for `seconds`: back to back
    (every_s=0, a closed loop, latency = clients / throughput) or one request per `every_s`
    each (paced users), after `warmup_s` of the same load that is not counted (a fresh
    process's first requests import and compile lazily). The client is bench.load_client,
    light enough to leave the server its CPU; its own CPU per request is reported beside the
    numbers."""
    parsed = urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    variables = {"i": {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10**8}}
    body = json.dumps({"query": CREATE, "variables": variables}).encode()
    headers = {**AUTH, "Content-Type": "application/json"}
    request = post_request(host, port, parsed.path, headers, body)

    def ticket(status: int, raw: bytes) -> bool:
        if status != 200:
            return False
        answer = json.loads(raw)
        return not answer.get("errors") and (
            answer["data"]["createUpload"]["__typename"] == "UploadTicket"
        )

    if warmup_s > 0:
        await run_load(host, port, request, clients, warmup_s, every_s, ok=ticket)
    load = await run_load(host, port, request, clients, seconds, every_s, ok=ticket)
    answered = max(1, len(load.latencies_ms))
    return {
        **_summary(load.latencies_ms),
        "clients": clients,
        "seconds": seconds,
        "every_s": every_s,
        "per_s": round(len(load.latencies_ms) / seconds, 1),
        "errors": load.errors,
        "client_cpu_ms_per_request": round(1000 * load.client_cpu_s / answered, 3),
    }


def insert_jobs(store: JobStoreResource, n: int) -> list[str]:
    """`n` jobs of owner dev in one transaction; returns their ids."""
    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in range(n)]
    rows: list[dict[str, object]] = []
    for job_id in ids:
        rows.append({
            "id": job_id, "owner": "dev", "status": JobStatus.DONE.value, "stage": "done",
            "percent": 100.0, "message": "done", "filename": "l.mp4", "content_type": "video/mp4",
            "size_bytes": 10**8, "source_key": f"uploads/dev/{job_id}/source.mp4",
            "options": JobOptions().to_json(), "created_at": now, "updated_at": now,
        })  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(jobs.insert(), rows)
    return ids


async def job_queries(url: str, ids: list[str], n: int) -> dict[str, float]:
    """`n` sequential job(id) queries on random ids."""
    latencies: list[float] = []
    async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
        for i in range(n):
            t0 = time.perf_counter()
            r = await client.post(
                url, json={"query": JOB, "variables": {"id": ids[i * 7919 % len(ids)]}}
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            assert r.json()["data"]["job"] is not None, r.text
    return _summary(latencies)


async def subscription_latency(
    ws_url: str, store: JobStoreResource, repeats: int
) -> dict[str, float]:
    """Time from record_progress in the store to the event arriving on the websocket."""
    job = store.create_job(owner="dev", filename="l.mp4", content_type="video/mp4",
                           size_bytes=1, extension="mp4", options=JobOptions())  # fmt: skip
    store.record_progress(job.id, status=JobStatus.RUNNING, stage="transcript", percent=1.0,
                          message="bench start")  # fmt: skip
    lat: list[float] = []
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": AUTH["Authorization"]}}
            )
        )
        await ws.recv()
        payload = {"query": SUB, "variables": {"id": job.id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        await ws.recv()  # the current state
        await asyncio.sleep(0.5)
        for i in range(repeats):
            message = f"bench event {i}"
            t0 = time.perf_counter()
            store.record_progress(job.id, status=JobStatus.RUNNING, stage="transcript",
                                  percent=2.0 + i, message=message)  # fmt: skip
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                if (
                    msg["type"] == "next"
                    and msg["payload"]["data"]["jobProgress"]["message"] == message
                ):
                    break
            lat.append(time.perf_counter() - t0)
            await asyncio.sleep(0.13 * (i % 3))  # land at different points of the poll cycle
    return {
        "n": len(lat),
        "mean_s": round(statistics.fmean(lat), 3),
        "p50_s": round(_pct(lat, 0.5), 3),
        "max_s": round(max(lat), 3),
    }


def run(
    clients: int = 50,
    seconds: float = 30.0,
    n_jobs: int = 10_000,
    workers: int = 2,
    server_nice: int = SERVER_NICE,
) -> dict[str, Any]:
    """Start moto and the API (`workers` processes, as `WEB_CONCURRENCY` would), run
    the measurements, stop everything."""
    from moto.server import ThreadedMotoServer

    from resources.storage import S3StorageResource

    s3_port, api_port = _free_port(), _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    moto.start()
    s3 = f"http://127.0.0.1:{s3_port}"
    S3StorageResource(
        bucket=BUCKET, endpoint_url=s3, access_key_id="testing", secret_access_key="testing"
    ).ensure_bucket()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "jobs.db")
        store = JobStoreResource(url=f"sqlite:///{db}")
        store.migrate()
        # the container's command (Dockerfile, docker-compose.yml), with --workers
        server = subprocess.Popen(
            ["nice", "-n", str(server_nice), sys.executable, "-m", "graphql_api.serve",
             "--host", "127.0.0.1", "--port", str(api_port), "--workers", str(workers),
             "--log-level", "warning", "--no-access-log"],
            env=_server_env(s3, db, tmp), cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{api_port}/graphql"
            _wait_up(url, server)
            t0 = time.monotonic()
            ids = insert_jobs(store, n_jobs)
            insert_s = time.monotonic() - t0
            result = {
                "api_workers": workers,
                "server_nice": server_nice,
                "create_upload": asyncio.run(create_upload_load(url, clients, seconds)),
                "create_upload_paced_1_per_s": asyncio.run(
                    create_upload_load(url, clients, seconds, every_s=1.0)
                ),
                "job_query": {
                    **asyncio.run(job_queries(url, ids, 500)),
                    "jobs_in_store": n_jobs,
                    "insert_s": round(insert_s, 2),
                },
                "subscription": asyncio.run(
                    subscription_latency(f"ws://127.0.0.1:{api_port}/graphql", store, 20)
                ),
            }
        finally:
            server.terminate()
            server.wait(timeout=10)
            moto.stop()
    return result


def _wait_up(url: str, server: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the API server exited; run `python -m bench.api_load` to see why")
        try:
            httpx.post(url, json={"query": "{ __typename }"}, headers=AUTH, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"the API did not answer on {url} within {timeout_s:.0f} s")


def main() -> None:
    """`python -m bench.api_load`: print the numbers and write bench/results/api_load.json."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--jobs", type=int, default=10_000)
    ap.add_argument(
        "--workers", type=int, default=2, help="API worker processes (graphql_api.serve)"
    )
    ap.add_argument(
        "--server-nice", type=int, default=SERVER_NICE, help="the API's nice level (0: equal)"
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args()
    result = run(args.clients, args.seconds, args.jobs, args.workers, args.server_nice)
    result["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "api_load.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
