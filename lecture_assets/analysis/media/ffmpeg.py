"""Probe media files and run ffmpeg with timeouts and progress, using imageio-ffmpeg's binary."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import av.error

from lecture_assets.analysis.models import SourceInfo

ProgressCallback = Callable[[float], None]


class MediaError(Exception):
    """A media file could not be read or processed; the message says what to do."""

    def __init__(self, code: str, message: str, log: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.log = log  # the tail of the tool's own log, when a tool failed


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (LECTURE_FFMPEG overrides imageio-ffmpeg's bundled one)."""
    override = os.environ.get("LECTURE_FFMPEG")
    if override:
        return override
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def probe(path: Path) -> SourceInfo:
    """Read container and stream facts with PyAV; raise MediaError on anything unusable."""
    size = path.stat().st_size if path.exists() else 0
    if size == 0:
        raise MediaError("EMPTY_FILE", "The uploaded file is empty (0 bytes). Upload it again.")
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            video = next(iter(container.streams.video), None)
            audio = next(iter(container.streams.audio), None)
            duration = _duration_seconds(container, video, audio)
            width = int(video.codec_context.width) if video is not None else 0
            height = int(video.codec_context.height) if video is not None else 0
            fps = _frame_rate(video)
            rotation = _rotation(video) or _first_frame_rotation(container, video)
            return SourceInfo(
                duration_s=duration,
                width=width,
                height=height,
                fps=fps,
                has_video=video is not None and width > 0 and height > 0,
                has_audio=audio is not None,
                container=str(container.format.name),
                video_codec=video.codec_context.name if video is not None else None,
                audio_codec=audio.codec_context.name if audio is not None else None,
                rotation=rotation,
                size_bytes=size,
            )
    except av.error.FFmpegError as exc:
        raise MediaError(
            "UNREADABLE_MEDIA",
            "The file is not a readable video (the container could not be opened: "
            f"{exc.strerror or exc}). Check that the upload finished and that it is an "
            "mp4, mov, mkv, webm, avi or mpeg file, then upload it again.",
        ) from exc


def _duration_seconds(
    container: av.container.InputContainer,
    video: av.video.stream.VideoStream | None,
    audio: av.audio.stream.AudioStream | None,
) -> float:
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / 1_000_000.0
    best = 0.0
    for stream in (video, audio):
        if stream is not None and stream.duration is not None and stream.time_base is not None:
            best = max(best, float(stream.duration * stream.time_base))
    return best


def _frame_rate(video: av.video.stream.VideoStream | None) -> float:
    if video is None:
        return 0.0
    for rate in (video.average_rate, video.guessed_rate, video.base_rate):
        if rate is not None and float(rate) > 0:
            return round(float(rate), 3)
    return 0.0


def _rotation(video: av.video.stream.VideoStream | None) -> int:
    if video is None:
        return 0
    raw = video.metadata.get("rotate")
    if raw is not None:
        try:
            return int(float(raw)) % 360
        except ValueError:
            return 0
    for side in getattr(video, "side_data", {}) or {}:
        text = str(side)
        match = re.search(r"(-?\d+(?:\.\d+)?) degrees", text)
        if match:
            return int(-float(match.group(1))) % 360
    return 0


def _first_frame_rotation(
    container: av.container.InputContainer, video: av.video.stream.VideoStream | None
) -> int:
    """Display rotation as the decoder applies it (newer containers keep it in side data)."""
    if video is None:
        return 0
    try:
        for frame in container.decode(video):
            return int(getattr(frame, "rotation", 0) or 0) % 360
    except (av.error.FFmpegError, ValueError):
        return 0
    return 0


@dataclass(frozen=True)
class FfmpegResult:
    returncode: int
    stderr_tail: str


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout_s: float,
    expected_duration_s: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> FfmpegResult:
    """Run ffmpeg with `args` (no binary, no -y), report progress in [0, 1], enforce a timeout.

    Raises MediaError with the tail of ffmpeg's log when it fails or hangs.
    """
    with tempfile.TemporaryFile(mode="w+") as errlog:
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", *args]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=errlog, text=True, start_new_session=True
        )
        try:
            _follow_progress(proc, expected_duration_s, on_progress, timeout_s)
            proc.wait(timeout=max(1.0, timeout_s))
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            proc.wait()
            raise MediaError(
                "FFMPEG_TIMEOUT",
                f"ffmpeg did not finish within {timeout_s:.0f} s and was stopped. The file may "
                "be damaged; re-encode it or raise LECTURE_FFMPEG_TIMEOUT_S.",
            ) from exc
        finally:
            if proc.stdout is not None:
                proc.stdout.close()
        errlog.seek(0)
        tail = errlog.read()[-2000:]
    if proc.returncode != 0 and "No space left on device" in tail:
        raise OSError(errno.ENOSPC, "No space left on device (ffmpeg output)")
    if proc.returncode != 0:
        raise MediaError(
            "FFMPEG_FAILED",
            f"ffmpeg failed (exit {proc.returncode}). The file may be damaged or use a codec "
            "we cannot read: re-encode it as H.264/AAC mp4 and upload it again; if that fails "
            f"too, send the operator this log: {tail.strip()[-600:]}",
            log=tail,
        )
    return FfmpegResult(proc.returncode, tail)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill ffmpeg and anything it started (it runs in its own session), so no pipe stays open."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _follow_progress(
    proc: subprocess.Popen[str],
    expected_duration_s: float | None,
    on_progress: ProgressCallback | None,
    timeout_s: float,
) -> None:
    import threading

    fired = threading.Event()

    def stop() -> None:
        fired.set()
        _kill_group(proc)

    killer = threading.Timer(timeout_s, stop)
    killer.daemon = True
    killer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if on_progress is None or not expected_duration_s:
                continue
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and value.isdigit():
                done = int(value) / 1_000_000.0
                on_progress(min(1.0, max(0.0, done / expected_duration_s)))
    finally:
        killer.cancel()
    # the flag, not the clock or the exit code: a killed process may not be reaped yet
    if fired.is_set():
        raise subprocess.TimeoutExpired(proc.args, timeout_s)
