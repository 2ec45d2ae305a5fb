"""`lecture-highlights process` writes a manifest that follows the contract, from the video."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_process_writes_manifest_and_clips_computed_from_the_video(tmp_path: Path) -> None:
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=16))
    out = tmp_path / "out"
    env = {**os.environ, "LECTURE_WHISPER_MODEL": "tiny.en", "LECTURE_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "lecture_assets.cli", "process", str(lecture.path),
         "--out", str(out), "--max-clips", "2", "--min-seconds", "15", "--max-seconds", "40"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "clips" in done.stdout and "manifest.json" in done.stdout  # one-line summary
    # a clean run logs no errors (e.g. sqlite connections finalised in a foreign thread)
    errors = [ln for ln in done.stderr.splitlines() if '"ERROR"' in ln or "Traceback" in ln]
    assert not errors, errors[:3]
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) >= {"job_id", "source", "speech", "silences", "transcript", "layout",
                             "topics", "clips"}  # fmt: skip
    source = manifest["source"]
    assert (source["width"], source["height"]) == (640, 360)
    assert abs(source["duration_s"] - lecture.duration_s) < 0.2
    # speech and silences tile the lecture and match what was spoken
    assert len(manifest["speech"]) >= len(lecture.sentences) // 2
    for pause in (p for p in lecture.pauses if p.duration >= 1.0):
        overlap = max(min(b, pause.end) - max(a, pause.start) for a, b in manifest["silences"])
        assert overlap >= 0.5 * pause.duration, pause
    spoken = " ".join(lecture.sentences).lower()
    words = manifest["transcript"]["text"].lower().split()
    assert sum(w.strip(".,") in spoken for w in words) / max(1, len(words)) > 0.8
    for segment in manifest["transcript"]["segments"]:
        times = [(w["start"], w["end"]) for w in segment["words"]]
        assert all(a <= b for a, b in times) and times == sorted(times)
    layout = manifest["layout"]
    assert layout["screen"] == {"x": 0, "y": 0, "width": 640, "height": 360}
    truth_camera = lecture.layout.periods[0].camera
    assert truth_camera is not None and layout["camera"] is not None
    assert abs(layout["camera"]["x"] - truth_camera.x) <= 8
    assert len(manifest["topics"]) >= 2
    assert 1 <= len(manifest["clips"]) <= 2
    for clip in manifest["clips"]:
        for key in ("video", "srt", "vtt", "thumbnail"):
            assert (out / clip[key]).stat().st_size > 0
        assert clip["start"] < clip["end"] and clip["title"]
    # a starting sentence of each clip is one that was spoken at that time
    starts = [s.start for s in lecture.sentence_times]
    assert all(min(abs(c["start"] - t) for t in starts) < 1.0 for c in manifest["clips"])
