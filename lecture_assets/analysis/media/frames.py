"""Stream small grey frames from one ffmpeg process at a low sample rate, display-oriented."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import cv2
import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.media.ffmpeg import MediaError, ffmpeg_exe
from lecture_assets.analysis.models import SourceInfo

GrayFrame = npt.NDArray[np.uint8]
BgrFrame = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class SampleGeometry:
    """Display size of the source and the analysis size frames are scaled to."""

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
    """Analysis size for `info` (rotation applied); raise MediaError when there is no picture."""
    if not info.has_video or info.width <= 0 or info.height <= 0:
        raise MediaError(
            "NO_VIDEO",
            "The file has no video stream, so there is no layout to find. Upload the lecture "
            "video (not only its audio).",
        )
    dw, dh = info.width, info.height
    if info.rotation % 180 == 90:
        dw, dh = dh, dw
    # never upscale; keep even sizes for the scaler and at least a few pixels
    w = max(8, min(analysis_width, dw) // 2 * 2)
    h = max(8, round(dh * w / dw) // 2 * 2)
    return SampleGeometry(dw, dh, w, h)


def start_reader(
    cmd: list[str], timeout_s: float
) -> tuple[subprocess.Popen[bytes], threading.Timer]:
    """Start a frame-producing process (stdout/stderr piped, own session) and a timer that
    kills it after `timeout_s`; the caller cancels the timer when it is done reading."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    killer = threading.Timer(timeout_s, proc.kill)
    killer.daemon = True
    killer.start()
    return proc, killer


def iter_gray_frames(
    video: Path, geo: SampleGeometry, sample_fps: float, timeout_s: float
) -> Iterator[tuple[float, GrayFrame]]:
    """Yield (time, grey frame) pairs at `sample_fps`; ffmpeg applies rotation metadata."""
    # h264 encoders never reference b-frames from i/p frames, so dropping them halves the
    # decode work and the fps filter takes the nearest kept frame (a few frames off at most);
    # other codecs (hevc, av1) build on b-frames and are decoded whole
    skip = "bidir" if video_codec(video) == "h264" else "default"
    vf = f"fps={sample_fps:g}:round=near,scale={geo.width}:{geo.height}:flags=neighbor,format=gray"
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
           "-skip_loop_filter", "all", "-skip_frame", skip, "-threads", "0", "-i", str(video),
           "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", vf, "-f", "rawvideo", "pipe:1"]  # fmt: skip
    proc, killer = start_reader(cmd, timeout_s)
    size = geo.width * geo.height
    n = 0
    try:
        assert proc.stdout is not None
        while True:
            buf = proc.stdout.read(size)
            if len(buf) < size:
                break
            frame = np.frombuffer(buf, np.uint8).reshape(geo.height, geo.width)
            yield n / sample_fps, frame
            n += 1
    finally:
        killer.cancel()
        if proc.stdout is not None:
            proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr is not None else ""
        if proc.stderr is not None:
            proc.stderr.close()
        proc.wait()
    if n == 0:
        raise MediaError(
            "NO_FRAMES",
            "No video frame could be decoded for layout analysis "
            f"({err.strip()[-300:] or 'empty video stream'}). Re-encode the video and upload it "
            "again.",
        )


def video_codec(video: Path) -> str | None:
    """Name of the first video stream's codec (e.g. h264), or None when unreadable."""
    try:
        with av.open(str(video)) as container:
            streams = container.streams.video
            return str(streams[0].codec_context.name) if streams else None
    except av.error.FFmpegError:
        return None


def grab_frame_bgr(video: Path, t: float, width: int = 640) -> BgrFrame:
    """One colour frame near time `t` (seek by keyframe, then exact), at most `width` wide."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", f"{t:.3f}",
           "-i", str(video), "-map", "0:v:0", "-frames:v", "1",
           "-vf", f"scale='min({width},iw)':-2", "-f", "image2pipe", "-vcodec", "png",
           "pipe:1"]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if out.returncode != 0 or not out.stdout:
        cmd[cmd.index("-ss") + 1] = "0"
        out = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    data = np.frombuffer(out.stdout, np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if img is None:
        return np.zeros((180, 320, 3), np.uint8)
    return np.asarray(img, dtype=np.uint8)
