"""Cheap frame sampling: one ffmpeg process, B-frames skipped, small grey frames streamed."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.media import MediaError, ffmpeg_exe
from lecture_assets.analysis.models import SourceInfo

GrayFrame = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class SampleGeometry:
    """Display size of the source and the size frames are analysed at."""

    display_width: int
    display_height: int
    width: int
    height: int

    @property
    def scale_x(self) -> float:
        return self.display_width / self.width

    @property
    def scale_y(self) -> float:
        return self.display_height / self.height


def sample_geometry(info: SourceInfo, analysis_width: int) -> SampleGeometry:
    """Analysis size for a source: at most `analysis_width` wide, even sides, aspect kept."""
    w, h = info.width, info.height
    if info.rotation in (90, 270):
        w, h = h, w
    if w <= 0 or h <= 0:
        raise MediaError("NO_VIDEO", "The file has no picture to analyse; upload a video.")
    width = min(analysis_width, w)
    width -= width % 2
    height = max(2, round(h * width / w))
    height -= height % 2
    return SampleGeometry(w, h, max(2, width), max(2, height))


def iter_gray_frames(
    path: object, geometry: SampleGeometry, fps: float, timeout_s: float = 3600.0
) -> Iterator[tuple[float, GrayFrame]]:
    """Yield (time, grey frame) at `fps` from the start; B-frames and deblocking are skipped.

    Skipping non-reference B-frames roughly halves decoding cost, while P-frames still come
    every few frames, so sampling at 1-4 fps loses nothing a layout detector needs.
    """
    w, h = geometry.width, geometry.height
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-flags2", "fast", "-skip_frame", "bidir", "-skip_loop_filter", "all",
        "-i", str(path), "-an", "-sn", "-dn",
        "-vf", f"fps={fps},scale={w}:{h}:flags=neighbor",
        "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
    ]  # fmt: skip
    size = w * h
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killer = _Killer(proc, timeout_s)
    try:
        assert proc.stdout is not None
        index = 0
        while True:
            buf = proc.stdout.read(size)
            if len(buf) < size:
                break
            frame = np.frombuffer(buf, dtype=np.uint8).reshape(h, w)
            yield index / fps, frame
            index += 1
    finally:
        killer.cancel()
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
    if index == 0:
        detail = (err or b"").decode(errors="replace").strip()[-300:]
        raise MediaError(
            "NO_VIDEO_FRAMES",
            "No picture could be decoded from the video stream"
            + (f" ({detail})" if detail else "")
            + ". Re-encode the file (e.g. to H.264 mp4) and upload it again.",
        )


def grab_frame_bgr(path: object, t: float, timeout_s: float = 60.0) -> npt.NDArray[np.uint8]:
    """One full-size BGR frame at time t (for previews), decoded with a fast seek."""
    import cv2

    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-ss", f"{max(0.0, t):.3f}",
        "-i", str(path), "-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "pipe:1",
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False).stdout
    img = cv2.imdecode(np.frombuffer(out, np.uint8), cv2.IMREAD_COLOR) if out else None
    if img is None:
        raise MediaError("FRAME_GRAB_FAILED", f"could not decode a frame at {t:.1f} s")
    return np.asarray(img, dtype=np.uint8)


class _Killer:
    """Kill a subprocess that outlives its timeout."""

    def __init__(self, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
        import threading

        self._timer = threading.Timer(timeout_s, proc.kill)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()
