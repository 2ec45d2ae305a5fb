"""Probing tells the truth about a file, and ffmpeg failures come back as clear errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lecture_assets.analysis.media.ffmpeg import MediaError, ffmpeg_exe, probe, run_ffmpeg


def _video(path: Path, *extra: str) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-c:v", "libx264",
         "-preset", "ultrafast", "-c:a", "aac", *extra, str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_probe_reads_streams_duration_and_rotation(tmp_path: Path) -> None:
    plain = _video(tmp_path / "plain.mp4")
    rotated = tmp_path / "rotated.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-display_rotation", "90", "-i", str(plain),
         "-c", "copy", str(rotated)],
        check=True,
    )  # fmt: skip
    info = probe(plain)
    assert (info.width, info.height, info.has_audio, info.has_video) == (320, 180, True, True)
    assert abs(info.duration_s - 2.0) < 0.1 and info.rotation == 0
    assert probe(rotated).rotation in (90, 270)


@pytest.mark.parametrize(
    ("content", "code"), [(b"", "EMPTY_FILE"), (b"<html>hello</html>" * 50, "UNREADABLE_MEDIA")]
)
def test_probe_refuses_non_videos_with_advice(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "upload.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaError) as err:
        probe(path)
    assert err.value.code == code and "upload" in err.value.message.lower()


def test_ffmpeg_that_hangs_is_stopped_and_reported(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as err:
        run_ffmpeg(
            ["-re", "-f", "lavfi", "-i", "sine=duration=60", "-f", "null", "-"], timeout_s=1.0
        )
    assert err.value.code == "FFMPEG_TIMEOUT"


def test_ffmpeg_failure_carries_its_log(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as err:
        run_ffmpeg(["-i", str(tmp_path / "missing.mp4"), "-f", "null", "-"], timeout_s=30)
    assert err.value.code == "FFMPEG_FAILED" and "missing.mp4" in err.value.message
