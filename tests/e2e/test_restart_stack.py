"""Restarts of the real stack: a processed job, kill -9, SIGTERM mid-run, start again, Ctrl-C.

Not yet verified end to end (the machine it was written on was too loaded to finish even one
lecture within the timeout), so it runs only with LECTURE_E2E_RESTART=1 until it has been.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import av
import httpx
import psutil
import pytest

from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id } uploadUrl uploadHeaders } } }"""
JOB = """query($id: ID!) { job(id: $id) { status stage progress message error { code message }
  clips { index duration videoUrl srtUrl } } }"""
AUTH = {"Authorization": "Bearer dev-token"}
ROOT = Path(__file__).resolve().parents[2]
# starts and runs take minutes when both cores are busy with other work
STARTUP_S = 300.0
PROCESSING_S = 900.0


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, seconds: float, serve: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert serve.poll() is None, f"serve exited with {serve.returncode} before {url} was up"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not come up within {seconds} s")


class Stack:
    """One data dir and one set of ports, started and stopped several times."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.api_port, self.s3_port, self.ui_port = _port(), _port(), _port()
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.env = {
            **os.environ,
            "LECTURE_DATA_DIR": str(tmp_path / "data"),
            "LECTURE_API_PORT": str(self.api_port),
            "LECTURE_DAGSTER_PORT": str(self.ui_port),
            "LECTURE_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "LECTURE_WHISPER_MODEL": "tiny.en",
        }
        self.starts = 0
        self.serve: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.tmp_path / f"serve-{self.starts}.log"

    def start(self) -> subprocess.Popen[bytes]:
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
        _wait(f"{self.api}/healthz", STARTUP_S, self.serve)
        _wait(f"http://127.0.0.1:{self.ui_port}/server_info", STARTUP_S, self.serve)
        return self.serve

    def gql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.api}/graphql",
            headers=AUTH,
            json={"query": query, "variables": variables},
            timeout=30,
        )
        return dict(answer.json()["data"])

    def upload(self, video: Path) -> str:
        options = {"maxClips": 1, "minSeconds": 10, "maxSeconds": 25}
        ticket = self.gql(
            CREATE,
            {
                "input": {
                    "filename": "lecture.mp4",
                    "contentType": "video/mp4",
                    "sizeBytes": video.stat().st_size,
                    "options": options,
                }
            },
        )["createUpload"]
        put = httpx.put(
            ticket["uploadUrl"], content=video.read_bytes(), headers=ticket["uploadHeaders"]
        )
        assert put.status_code == 200, put.text
        return str(ticket["job"]["id"])

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.gql(JOB, {"id": job_id})["job"])

    def wait_job(
        self, job_id: str, until: set[str], seconds: float = PROCESSING_S
    ) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if job["status"] in until:
                return job
            time.sleep(2)
        raise AssertionError(f"job {job_id} not {until} in {seconds} s: {job}\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _check_clip(url: str, dest: Path) -> bytes:
    data = httpx.get(url, timeout=60).raise_for_status().content
    dest.write_bytes(data)
    with av.open(str(dest)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1080, 1920)
        assert container.streams.audio
    return data


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.skipif(
    os.environ.get("LECTURE_E2E_RESTART") != "1", reason="set LECTURE_E2E_RESTART=1 to run"
)
def test_serve_processes_uploads_survives_restarts_and_stops_cleanly(tmp_path: Path) -> None:
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=16))
    stack = Stack(tmp_path)
    serve = stack.start()
    try:
        # 1. an upload is processed
        first = stack.upload(lecture.path)
        done = stack.wait_job(first, {"DONE", "FAILED", "CANCELLED"})
        assert done["status"] == "DONE", (done, stack.tail())
        [clip] = done["clips"]
        video = _check_clip(clip["videoUrl"], tmp_path / "clip.mp4")

        # 2. kill -9 of the supervisor: its services go with it, the next start sweeps the rest
        os.kill(serve.pid, signal.SIGKILL)
        serve.wait(timeout=60)
        serve = stack.start()
        again = stack.job(first)
        assert again["status"] == "DONE" and len(again["clips"]) == 1
        # the link handed out before the restart still works, and a fresh one too
        assert httpx.get(clip["videoUrl"], timeout=60).content == video
        assert httpx.get(again["clips"][0]["srtUrl"], timeout=60).status_code == 200

        # 3. SIGTERM while a second lecture is being processed: it is retried after the start
        second = stack.upload(lecture.path)
        stack.wait_job(second, {"RUNNING", "DONE", "FAILED"}, seconds=STARTUP_S)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=120) == 0, stack.tail()
        serve = stack.start()
        finished = stack.wait_job(second, {"DONE", "FAILED", "CANCELLED"})
        if finished["status"] == "FAILED":  # no retry left: the job says what to do
            assert finished["error"]["code"] == "PIPELINE_ERROR", finished
            assert "Reprocess" in finished["error"]["message"], finished
        else:
            assert finished["status"] == "DONE", (finished, stack.tail())
            _check_clip(finished["clips"][0]["videoUrl"], tmp_path / "clip2.mp4")
        assert stack.job(first)["status"] == "DONE"
    finally:
        children = psutil.Process(serve.pid).children(recursive=True)
        mark = stack.log.stat().st_size
        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C
        serve.wait(timeout=120)
    time.sleep(2)
    alive = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"processes left running after Ctrl-C: {[p.cmdline() for p in alive]}"
    assert serve.returncode == 0
    after_ctrl_c = stack.log.read_bytes()[mark:].decode(errors="replace")
    assert "Traceback" not in after_ctrl_c, after_ctrl_c[-3000:]
