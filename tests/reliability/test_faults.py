"""Infrastructure faults: S3 throttling/errors/stalls, the job store down, ffmpeg crashing or
hanging, a full disk. Each is retried where that helps and otherwise ends in a clear failure."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import SensorResult, SkipReason

from lecture_assets.analysis.media.ffmpeg import MediaError, run_ffmpeg
from lecture_assets.assets.source import source_video
from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource, StorageError
from resources.workdir import WorkdirResource
from tests.reliability import media
from tests.reliability.conftest import Harness
from tests.reliability.fault_proxy import Faults, fault_proxy


def _through(storage: S3StorageResource, url: str, **kw: float) -> S3StorageResource:
    return S3StorageResource(
        bucket=storage.bucket,
        endpoint_url=url,
        access_key_id="testing",
        secret_access_key="testing",
        max_attempts=int(kw.get("max_attempts", 3)),
        timeout_s=kw.get("timeout_s", 5.0),
    )


@pytest.mark.parametrize("status", [503, 500])
def test_s3_errors_are_retried_with_backoff_then_succeed(
    storage: S3StorageResource, s3_endpoint: str, status: int
) -> None:
    faults = Faults(mode=status, left=2)
    with fault_proxy(s3_endpoint, faults) as url:
        flaky = _through(storage, url, max_attempts=3)
        flaky.put_bytes("jobs/x/probe.json", b"{}")
    assert (faults.failed, faults.seen) == (2, 3)
    assert storage.get_bytes("jobs/x/probe.json") == b"{}"


def test_s3_down_for_good_fails_after_the_last_attempt_saying_what_to_do(
    storage: S3StorageResource, s3_endpoint: str
) -> None:
    faults = Faults(mode=503, left=1000)
    with fault_proxy(s3_endpoint, faults) as url, pytest.raises(StorageError) as raised:
        _through(storage, url, max_attempts=2).get_bytes("jobs/x/anything.json")
    assert faults.seen == 2, "bounded retries, no retry storm"
    message = str(raised.value)
    assert "SlowDown" in message and "try again" in message


def test_s3_stall_times_out_and_retries_then_fails_clearly(
    storage: S3StorageResource, s3_endpoint: str
) -> None:
    storage.put_bytes("jobs/x/a.json", b"[]")
    faults = Faults(mode="stall", left=1, stall_s=1.5)
    with fault_proxy(s3_endpoint, faults) as url:
        assert _through(storage, url, max_attempts=2, timeout_s=0.5).get_bytes("jobs/x/a.json")
        faults.left = 1000
        started = time.monotonic()
        with pytest.raises(StorageError, match=r"did not answer.*try again"):
            _through(storage, url, max_attempts=2, timeout_s=0.5).get_bytes("jobs/x/a.json")
        assert time.monotonic() - started < 10


def test_run_against_throttling_s3_fails_the_job_with_a_retry_hint(
    harness: Harness, s3_endpoint: str, tmp_path: Path
) -> None:
    job_id = harness.upload(media.video(tmp_path / "v.mp4").read_bytes())
    assert harness.started(harness.tick()) == [job_id]
    with fault_proxy(s3_endpoint, Faults(mode=503, left=1000)) as url:
        flaky = _through(harness.storage, url, max_attempts=2)
        assert not harness.run([source_video], job_id, storage=flaky)
    error = harness.job(job_id)["error"]
    assert error["code"] == "STORAGE_ERROR"
    assert "try again" in error["message"] and "reprocess" in error["message"]


def test_sensor_survives_s3_outage_and_picks_the_upload_up_afterwards(
    harness: Harness, s3_endpoint: str, tmp_path: Path
) -> None:
    job_id = harness.upload(media.video(tmp_path / "v.mp4").read_bytes())
    with fault_proxy(s3_endpoint, Faults(mode=500, left=1000)) as url:
        healthy = harness.resources["storage"]
        harness.resources["storage"] = _through(harness.storage, url, max_attempts=2)
        try:
            assert isinstance(harness.tick(), SkipReason)
        finally:
            harness.resources["storage"] = healthy
    assert harness.started(harness.tick()) == [job_id]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sensor_survives_job_store_outage_and_loses_no_upload(
    harness: Harness, tmp_path: Path
) -> None:
    first = harness.upload(media.video(tmp_path / "v.mp4").read_bytes())
    second = harness.upload(b"")
    down = JobStoreResource(url=f"postgresql+psycopg2://x@127.0.0.1:{_closed_port()}/jobs")
    real = harness.resources["job_store"]
    harness.resources["job_store"] = down
    try:
        outage = harness.tick()
    finally:
        harness.resources["job_store"] = real
    assert isinstance(outage, SkipReason) and "unavailable" in (outage.skip_message or "")
    # nothing was consumed: the next tick, with the store back, handles both uploads
    recovered = harness.tick()
    assert isinstance(recovered, SensorResult)
    assert harness.started(recovered) == [first]
    assert harness.record(second).error_code == "EMPTY_FILE"


def test_ffmpeg_hanging_is_stopped_at_the_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(MediaError) as raised:
        run_ffmpeg(
            ["-re", "-f", "lavfi", "-i", "sine=duration=120", "-f", "null", "-"], timeout_s=1.0
        )
    assert raised.value.code == "FFMPEG_TIMEOUT"
    assert "re-encode" in raised.value.message
    assert time.monotonic() - started < 8


def _script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_a_hanging_ffmpeg_wrapper_and_its_children_are_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a wrapper that does not exec: killing only the shell would leave `sleep` holding the pipe
    monkeypatch.setenv("LECTURE_FFMPEG", _script(tmp_path / "ffmpeg", "sleep 30\nexit 0"))
    started = time.monotonic()
    with pytest.raises(MediaError) as raised:
        run_ffmpeg(["-i", "x", "-f", "null", "-"], timeout_s=1.0)
    assert raised.value.code == "FFMPEG_TIMEOUT"
    assert time.monotonic() - started < 8
    leftover = subprocess.run(["pgrep", "-f", "sleep 30"], capture_output=True, text=True)
    mine = [p for p in leftover.stdout.split() if _parent_is(tmp_path, p)]
    assert not mine


def _parent_is(tmp_path: Path, pid: str) -> bool:
    try:
        return str(tmp_path) in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


def test_ffmpeg_crash_fails_the_job_with_a_re_encode_hint(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = harness.upload(media.video(tmp_path / "v.mp4").read_bytes())
    harness.tick()
    monkeypatch.setenv(
        "LECTURE_FFMPEG", _script(tmp_path / "ffmpeg", "echo 'Segmentation fault' >&2\nexit 1")
    )
    assert not harness.run([source_video], job_id)
    error = harness.job(job_id)["error"]
    assert error["code"] == "FFMPEG_FAILED"
    assert "re-encode it" in error["message"] and "upload it again" in error["message"]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (we run as root in CI); skipped where mounting is not allowed."""
    root = tmp_path / "tiny"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def test_full_scratch_disk_fails_the_job_saying_so(harness: Harness, tiny_disk: Path) -> None:
    body = media.video(tiny_disk.parent / "big.mp4", size="1280x720", fps=10).read_bytes()
    assert len(body) > 1_100_000
    job_id = harness.upload(body)
    harness.tick()
    assert not harness.run([source_video], job_id, workdir=WorkdirResource(root=str(tiny_disk)))
    job = harness.job(job_id)
    assert job["status"] == "FAILED"
    assert job["error"]["code"] == "DISK_FULL"
    assert "disk" in job["error"]["message"] and "reprocess" in job["error"]["message"]
    assert not any(p.name.startswith(".part-") for p in tiny_disk.rglob("*")), os.listdir(tiny_disk)
    assert harness.record(job_id).status is JobStatus.FAILED
