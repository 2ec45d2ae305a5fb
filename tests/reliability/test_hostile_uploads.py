"""Hostile and odd uploads, each driven API → presigned PUT → sensor → Dagster run.

Every case ends with a job a user can act on: failed with a code and a message that says
what to do, or processed sensibly; the sensor keeps ticking and a good upload sent in the
same tick is untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lecture_assets.assets.audio import silence_map
from lecture_assets.assets.source import source_video
from resources.jobs import JobStatus
from tests.reliability import media
from tests.reliability.conftest import Harness

Maker = Callable[[Path], bytes]


@dataclass(frozen=True)
class Case:
    name: str
    make: Maker
    outcome: str  # "sensor": refused before any run; "run": the run fails; "ok": processed
    code: str | None = None
    hint: str = ""  # words of the message that tell the user what to do
    filename: str = "lecture.mp4"
    content_type: str = "video/mp4"
    extra_declared: int = 0


def _file(fn: Callable[[Path, Path], Path]) -> Maker:
    return lambda d: fn(d / "out.bin", d).read_bytes()


CASES = [
    Case("zero-bytes", lambda d: b"", "sensor", "EMPTY_FILE", "upload the video file again"),
    Case(
        "text-named-mp4",
        lambda d: b"my lecture notes\n" * 40,
        "sensor",
        "NOT_A_VIDEO",
        "upload an mp4",
    ),
    Case(
        "html-named-mp4",
        lambda d: b"<!DOCTYPE html><html><body>404</body></html>",
        "sensor",
        "NOT_A_VIDEO",
        "upload an mp4",
    ),
    Case(
        "pdf-named-mp4",
        lambda d: b"%PDF-1.7\n" + b"0" * 2000,
        "sensor",
        "NOT_A_VIDEO",
        "upload an mp4",
    ),
    Case(
        "larger-than-declared",
        lambda d: media.video(d / "v.mp4").read_bytes(),
        "sensor",
        "SIZE_MISMATCH",
        "start a new upload",
        extra_declared=-1000,
    ),
    Case(
        "truncated-no-moov",
        _file(lambda o, d: media.truncated(o, d)),
        "run",
        "UNREADABLE_MEDIA",
        "upload it again",
    ),
    Case(
        "audio-only",
        lambda d: media.audio_only(d / "a.mp4").read_bytes(),
        "run",
        "NO_VIDEO",
        "upload the lecture recording with its picture",
    ),
    Case(
        "video-without-audio",
        lambda d: media.video(d / "n.mp4", audio=None).read_bytes(),
        "run",
        "NO_AUDIO",
        "upload a recording that includes",
    ),
    Case(
        "one-second",
        lambda d: media.video(d / "s.mp4", seconds=1.0).read_bytes(),
        "run",
        "TOO_SHORT",
        "upload the full recording",
    ),
    # the extension says mkv, the bytes are mp4: ffmpeg reads the real container, so the
    # lecture is processed (refusing a playable file over its name would only annoy users)
    Case(
        "declared-mkv-really-mp4",
        lambda d: media.video(d / "m.mp4").read_bytes(),
        "ok",
        filename="lecture.mkv",
        content_type="video/x-matroska",
    ),
    Case("portrait", lambda d: media.video(d / "p.mp4", size="90x160").read_bytes(), "ok"),
    Case(
        "4k",
        lambda d: media.video(d / "k.mp4", seconds=5.5, size="3840x2160", fps=2).read_bytes(),
        "ok",
    ),
    # garbage over the middle third: ffmpeg conceals the broken frames and decodes the rest
    Case("corrupted-middle", _file(lambda o, d: media.corrupted_middle(o, d)), "ok"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload_ends_in_an_actionable_state(
    harness: Harness, case: Case, tmp_path: Path
) -> None:
    body = case.make(tmp_path)
    good = media.video(tmp_path / "bystander.mp4").read_bytes()
    job_id = harness.upload(
        body,
        declared=max(1, len(body) + case.extra_declared),
        filename=case.filename,
        content_type=case.content_type,
    )
    bystander = harness.upload(good)

    tick = harness.tick()
    started = harness.started(tick)
    assert bystander in started, "a bad upload must not stop the good one in the same tick"
    assert harness.record(bystander).error_code is None

    if case.outcome == "sensor":
        assert job_id not in started, "no run is spent on an upload refused at the door"
    else:
        assert started.count(job_id) == 1
        ok = harness.run([source_video, silence_map], job_id)
        assert ok is (case.outcome == "ok"), harness.record(job_id)

    seen = harness.job(job_id)
    if case.outcome == "ok":
        assert seen["status"] == "RUNNING" and seen["error"] is None
        assert harness.storage.head(f"jobs/{job_id}/silence_map/silence_map.json") is not None
    else:
        assert seen["status"] == "FAILED"
        assert seen["error"]["code"] == case.code
        assert case.hint in seen["error"]["message"].lower(), seen["error"]["message"]
    # the bystander is untouched, and the sensor keeps ticking afterwards
    assert harness.record(bystander).status is JobStatus.QUEUED
    assert harness.started(harness.tick()) == []
