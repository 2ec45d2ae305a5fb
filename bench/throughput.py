"""Benchmark: lecture minutes processed per wall minute with 1 and 2 dagster-celery workers.

Every run goes through LECTURE_EXECUTOR=celery on the local Redis (an empty db is claimed), with
moto as S3 and SQLite for Dagster and the job store, as `pytest -m scale_out` does. The lectures
are submitted together; the wall clock runs from the first submission to the last run's end.
On a 2-core machine no speed-up is expected from a second worker: the point is distribution.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
from moto.server import ThreadedMotoServer

from tests.e2e.stack import free_port
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture
from tests.scale_out.cluster import celery_cluster

RESULTS = Path(__file__).parent / "results"
RUN_TIMEOUT_S = 1800.0


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a live process and its children (a worker and its pool process)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        # children: the pool's ffmpeg and finished pool processes, once reaped
        total += times.user + times.system + times.children_user + times.children_system
    return total


def measure(
    workers: int, videos: list[Path], seconds_of_lecture: float, s3: str
) -> dict[str, object]:
    """Process `videos` at once on `workers` worker processes; throughput and who ran what."""
    with (
        tempfile.TemporaryDirectory(prefix="throughput-") as tmp,
        celery_cluster(Path(tmp), visibility_timeout_s=3600) as cluster,
    ):
        cluster.env.update(
            LECTURE_S3_ENDPOINT_URL=s3, LECTURE_S3_BUCKET=f"bench-{uuid.uuid4().hex[:10]}"
        )
        names = [f"w{n}@throughput" for n in range(1, workers + 1)]
        for name in names:
            cluster.start_worker(name)
        cluster.wait_workers_ready(300)
        workers_cpu0 = sum(_tree_cpu_s(p.pid) for p in cluster.workers.values())
        cpu0, t0 = _children_cpu_s(), time.monotonic()
        runs = [cluster.submit(video) for video in videos]
        codes = []
        for run in runs:
            try:
                left = max(1.0, RUN_TIMEOUT_S - (time.monotonic() - t0))
                codes.append(run.proc.wait(timeout=left))
            except subprocess.TimeoutExpired:
                run.proc.kill()
                codes.append(run.proc.wait())
            if codes[-1] != 0:  # say why on the spot: the directory goes with the row
                print(run.output()[-3000:], file=sys.stderr)
        wall = time.monotonic() - t0
        # the runs' processes are reaped; the workers are measured alive (killed below)
        workers_cpu = sum(_tree_cpu_s(p.pid) for p in cluster.workers.values()) - workers_cpu0
        cpu = _children_cpu_s() - cpu0 + workers_cpu
        cluster.stop()
        steps = {name: cluster.worker_log(name).count("succeeded in") for name in names}
    return {
        "workers": workers,
        "lectures": len(videos),
        "lecture_minutes": round(seconds_of_lecture / 60, 2),
        "wall_minutes": round(wall / 60, 2),
        "lecture_min_per_wall_min": round(seconds_of_lecture / wall, 3),
        "cpu_seconds": round(cpu, 1),
        "runs_succeeded": sum(1 for code in codes if code == 0),
        "steps_per_worker": steps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lectures", type=int, default=2, help="submitted together per row")
    parser.add_argument("--sentences", type=int, default=4, help="per topic (4: about 1 minute)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args(argv)
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=args.sentences))
    videos = [lecture.path] * args.lectures
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    rows = []
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            row = measure(
                workers, videos, lecture.duration_s * len(videos), f"http://127.0.0.1:{port}"
            )
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        moto.stop()
    report = {"load_average": os.getloadavg(), "cores": os.cpu_count(), "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "throughput.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(r["runs_succeeded"] == r["lectures"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
