"""Tiny hostile and odd media files made with the real ffmpeg (lavfi), cached per session."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lecture_assets.analysis.media.ffmpeg import ffmpeg_exe

# a small picture with a moving element and a tone: cheap to encode, valid H.264/AAC
_VIDEO = "testsrc2=size={size}:rate={fps}:duration={d}"
_TONE = "sine=frequency=440:sample_rate=16000:duration={d}"
_SILENCE = "anullsrc=channel_layout=mono:sample_rate=16000:d={d}"


def _ffmpeg(*args: str) -> None:
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    subprocess.run(cmd, check=True, timeout=120)


def video(
    out: Path,
    *,
    seconds: float = 6.0,
    size: str = "160x90",
    fps: int = 10,
    audio: str | None = "tone",
    faststart: bool = True,
) -> Path:
    """An H.264 (+ AAC) mp4; audio is "tone", "silence" or None."""
    args = ["-f", "lavfi", "-i", _VIDEO.format(size=size, fps=fps, d=seconds)]
    if audio == "tone":
        args += ["-f", "lavfi", "-i", _TONE.format(d=seconds)]
    elif audio == "silence":
        args += ["-f", "lavfi", "-i", _SILENCE.format(d=seconds)]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "32k", "-shortest"]
    if faststart:
        args += ["-movflags", "+faststart"]
    _ffmpeg(*args, str(out))
    return out


def audio_only(out: Path, seconds: float = 6.0) -> Path:
    """An AAC track in an mp4 (m4a) container: no picture at all."""
    _ffmpeg("-f", "lavfi", "-i", _TONE.format(d=seconds), "-c:a", "aac", str(out))
    return out


def truncated(out: Path, work: Path) -> Path:
    """A real mp4 written without +faststart, its tail (and so its moov atom) cut off."""
    whole = video(work / "whole-no-faststart.mp4", faststart=False)
    data = whole.read_bytes()
    assert data.find(b"moov") > len(data) // 2, "moov must sit at the end for this case"
    out.write_bytes(data[: len(data) * 2 // 3])
    return out


def corrupted_middle(out: Path, work: Path) -> Path:
    """A faststart mp4 whose media data has garbage written over its middle third."""
    whole = bytearray(video(work / "whole-faststart.mp4", seconds=8.0).read_bytes())
    start, end = len(whole) // 3, 2 * len(whole) // 3
    whole[start:end] = bytes((n * 131 + 7) % 256 for n in range(end - start))
    out.write_bytes(bytes(whole))
    return out
