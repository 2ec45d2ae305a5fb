"""The real thing: `lecture-highlights serve` up, an upload through the API, clips out, Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import av
import httpx
import psutil
import pytest

from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id } uploadUrl uploadHeaders } } }"""
JOB = """query($id: ID!) { job(id: $id) { status stage progress error { code message }
  clips { index duration videoUrl } } }"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, seconds: float, serve: subprocess.Popen[bytes]) -> None:
    # generous for a loaded machine, but a stack that died fails at once
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert serve.poll() is None, f"serve exited with {serve.returncode} before {url} answered"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not come up within {seconds} s")


@pytest.mark.slow
def test_serve_processes_an_upload_and_stops_cleanly(tmp_path: Path) -> None:
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=16))
    api_port, s3_port, ui_port = _port(), _port(), _port()
    env = {
        **os.environ,
        "LECTURE_DATA_DIR": str(tmp_path / "data"),
        "LECTURE_API_PORT": str(api_port),
        "LECTURE_DAGSTER_PORT": str(ui_port),
        "LECTURE_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "LECTURE_WHISPER_MODEL": "tiny.en",
    }
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "lecture_assets.cli", "serve"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{api_port}"
    try:
        _wait(f"{api}/healthz", 600, serve)
        _wait(f"http://127.0.0.1:{ui_port}/server_info", 600, serve)
        auth = {"Authorization": "Bearer dev-token"}
        ticket = httpx.post(
            f"{api}/graphql",
            headers=auth,
            json={
                "query": CREATE,
                "variables": {
                    "input": {
                        "filename": "lecture.mp4",
                        "contentType": "video/mp4",
                        "sizeBytes": lecture.path.stat().st_size,
                        "options": {"maxClips": 1, "minSeconds": 10, "maxSeconds": 25},
                    }
                },
            },
        ).json()["data"]["createUpload"]
        put = httpx.put(
            ticket["uploadUrl"], content=lecture.path.read_bytes(), headers=ticket["uploadHeaders"]
        )
        assert put.status_code == 200
        job_id = ticket["job"]["id"]
        deadline = time.monotonic() + 1500
        job: dict = {}
        while time.monotonic() < deadline:
            job = httpx.post(
                f"{api}/graphql", headers=auth, json={"query": JOB, "variables": {"id": job_id}}
            ).json()["data"]["job"]
            if job["status"] in ("DONE", "FAILED", "CANCELLED"):
                break
            time.sleep(3)
        assert job["status"] == "DONE", (job, (tmp_path / "serve.log").read_text()[-3000:])
        [clip] = job["clips"]
        video = tmp_path / "clip.mp4"
        video.write_bytes(httpx.get(clip["videoUrl"]).raise_for_status().content)
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.width, stream.codec_context.height) == (1080, 1920)
            assert container.streams.audio
    finally:
        children = psutil.Process(serve.pid).children(recursive=True)
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(timeout=60)
        finally:
            log.close()
    time.sleep(2)
    alive = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"processes left running after Ctrl-C: {[p.cmdline() for p in alive]}"
    assert serve.returncode == 0
