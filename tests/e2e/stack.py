"""The embedded stack (`lecture-highlights serve`) for end-to-end tests: start, query, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id } uploadUrl uploadHeaders } } }"""
JOB = """query($id: ID!) { job(id: $id) { status stage progress message error { code message }
  clips { index duration videoUrl srtUrl vttUrl thumbnailUrl } } }"""
AUTH = {"Authorization": "Bearer dev-token"}
FINISHED = {"DONE", "FAILED", "CANCELLED"}
# generous for a machine whose cores are busy with other work; a stack that died fails at once
STARTUP_S = 600.0
PROCESSING_S = 900.0
# the shortest clip options that still give the synthetic lectures a clip
SHORT_CLIP = {"maxClips": 1, "minSeconds": 10, "maxSeconds": 25}


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, seconds: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Until `url` answers 200; fails at once when `proc` exits, after `seconds` otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not come up within {seconds} s")


class Stack:
    """One data dir and one set of ports: started, stopped and started again as a user would."""

    def __init__(self, tmp_path: Path, tokens: str | None = None) -> None:
        self.tmp_path = tmp_path
        self.api_port, self.s3_port, self.ui_port = free_port(), free_port(), free_port()
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.s3 = f"http://127.0.0.1:{self.s3_port}"
        self.ui = f"http://127.0.0.1:{self.ui_port}"
        self.env = {
            **os.environ,
            "LECTURE_DATA_DIR": str(tmp_path / "data"),
            "LECTURE_API_PORT": str(self.api_port),
            "LECTURE_DAGSTER_PORT": str(self.ui_port),
            "LECTURE_S3_ENDPOINT_URL": self.s3,
            "LECTURE_WHISPER_MODEL": "tiny.en",
        }
        if tokens is not None:
            self.env["LECTURE_API_TOKENS"] = tokens
        self.starts = 0
        self.serve: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        """The output of the latest start (one file per start)."""
        return self.tmp_path / f"serve-{self.starts}.log"

    def start(self, *, wait_dagster: bool = True) -> subprocess.Popen[bytes]:
        """`serve` in its own session; returns once the API (and the Dagster UI) answer."""
        self.starts += 1
        with self.log.open("wb") as log:
            self.serve = subprocess.Popen(
                [sys.executable, "-m", "lecture_assets.cli", "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_http(f"{self.api}/healthz", STARTUP_S, self.serve)
        if wait_dagster:
            # the daemon (sensors, run queue) starts with the UI in `dagster dev`
            wait_http(f"{self.ui}/server_info", STARTUP_S, self.serve)
        return self.serve

    def kill(self, signum: signal.Signals) -> int:
        """Send `signum` to the supervisor only (as `kill` would); its exit code."""
        assert self.serve is not None, "start the stack first"
        self.serve.send_signal(signum)
        return self.serve.wait(timeout=180)

    def ctrl_c(self, timeout_s: float = 120.0) -> int:
        """SIGINT to the whole session, as a terminal's Ctrl-C; SIGKILL if it hangs."""
        assert self.serve is not None, "start the stack first"
        if self.serve.poll() is not None:
            return self.serve.returncode
        os.killpg(self.serve.pid, signal.SIGINT)
        try:
            return self.serve.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.serve.pid, signal.SIGKILL)
            self.serve.wait()
            raise AssertionError(f"serve ignored Ctrl-C for {timeout_s} s\n{self.tail()}") from None

    def children(self) -> list[psutil.Process]:
        """Every process below the supervisor right now."""
        assert self.serve is not None, "start the stack first"
        try:
            return list(psutil.Process(self.serve.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            return []

    def gql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.api}/graphql",
            headers=AUTH,
            json={"query": query, "variables": variables},
            timeout=60,
        )
        body = answer.json()
        assert "errors" not in body, body
        return dict(body["data"])

    def upload(self, video: Path, options: dict[str, Any] | None = None) -> str:
        """createUpload, then the presigned PUT; the new job's id."""
        ticket = self.gql(
            CREATE,
            {
                "input": {
                    "filename": "lecture.mp4",
                    "contentType": "video/mp4",
                    "sizeBytes": video.stat().st_size,
                    "options": options or SHORT_CLIP,
                }
            },
        )["createUpload"]
        assert ticket["__typename"] == "UploadTicket", ticket
        put = httpx.put(
            ticket["uploadUrl"],
            content=video.read_bytes(),
            headers=ticket["uploadHeaders"],
            timeout=120,
        )
        assert put.status_code == 200, put.text
        return str(ticket["job"]["id"])

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.gql(JOB, {"id": job_id})["job"])

    def wait_job(
        self, job_id: str, until: set[str], seconds: float = PROCESSING_S
    ) -> dict[str, Any]:
        """Poll the job until its status is one of `until`; fails with the log after `seconds`."""
        deadline = time.monotonic() + seconds
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            assert self.serve is None or self.serve.poll() is None, self.tail()
            job = self.job(job_id)
            if job["status"] in until:
                return job
            time.sleep(2)
        raise AssertionError(f"job {job_id} not {until} in {seconds} s: {job}\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@contextmanager
def running_stack(
    tmp: Path, tokens: str | None = None, wait_dagster: bool = True
) -> Iterator[Stack]:
    """A started stack on free ports; Ctrl-C (SIGINT) on the way out."""
    stack = Stack(tmp, tokens=tokens)
    try:
        stack.start(wait_dagster=wait_dagster)
        yield stack
    finally:
        if stack.serve is not None and stack.serve.poll() is None:
            stack.ctrl_c()


def check_clip(url: str, dest: Path) -> bytes:
    """Download a clip: a 1080x1920 video with sound; its bytes."""
    data = httpx.get(url, timeout=60).raise_for_status().content
    dest.write_bytes(data)
    with av.open(str(dest)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1080, 1920)
        assert container.streams.audio
    return data


def left_running(procs: list[psutil.Process]) -> list[str]:
    """Command lines of the processes still alive (zombies do not count)."""
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(" ".join(proc.cmdline()))
        except psutil.NoSuchProcess:
            continue
    return alive
