"""The real thing: `lecture-highlights serve` up, an upload through the API, clips out, Ctrl-C."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.stack import FINISHED, Stack, check_clip, left_running
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture


@pytest.mark.slow
def test_serve_processes_an_upload_and_stops_cleanly(tmp_path: Path) -> None:
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=16))
    stack = Stack(tmp_path)
    stack.start()
    try:
        job_id = stack.upload(lecture.path)
        job = stack.wait_job(job_id, FINISHED, seconds=1500)
        assert job["status"] == "DONE", (job, stack.tail())
        [clip] = job["clips"]
        check_clip(clip["videoUrl"], tmp_path / "clip.mp4")
    finally:
        children = stack.children()
        code = stack.ctrl_c()
    time.sleep(2)
    alive = left_running(children)
    assert alive == [], f"processes left running after Ctrl-C: {alive}"
    assert code == 0
