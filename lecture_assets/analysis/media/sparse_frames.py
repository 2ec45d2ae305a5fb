"""Sample long-GOP H.264 lectures sparsely: skip the still middle of keyframe intervals.

`iter_layout_frames` yields the same samples as `frames.iter_gray_frames` wherever the
picture changes, but leaves out stretches whose picture holds still up to the next keyframe.
Decoding runs in a child process (`python -m lecture_assets.analysis.media.sparse_frames`) so it
overlaps the analysis on another core.
"""

from __future__ import annotations

import itertools
import json
import math
import struct
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import av.error
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

from lecture_assets.analysis.media.ffmpeg import MediaError
from lecture_assets.analysis.media.frames import (
    GrayFrame,
    SampleGeometry,
    iter_gray_frames,
    start_reader,
    video_codec,
)
from lecture_assets.analysis.models import SourceInfo

_Skip = Literal["BIDIR", "NONKEY"]


@dataclass(frozen=True)
class SparseDecode:
    """How `iter_layout_frames` may leave out the still middle of long keyframe intervals.

    Args:
        dense_gop_s: keyframe intervals up to this long are decoded whole.
        prefix_s: of a longer interval, the samples in this first stretch are decoded; the
            rest only when its closing keyframe differs from the stretch's last sample.
        moving_delta: grey-level change between samples that counts as movement.
        jump_share: two samples between which this share of the frame changes (and far
            more than between the two before) show a switch or a whole new picture.
        dense_after_jump_s: after such a jump the video is decoded whole this long.
        changed_delta: grey-level difference that counts as a changed pixel.
        max_still_changed: share of the frame that may change by the keyframe outside the
            moving pixels.
        max_moving_changed: share of the moving pixels that may differ at the keyframe (more
            means the picture was replaced, e.g. a camera by slides).
    """

    dense_gop_s: float = 4.0
    prefix_s: float = 2.5
    moving_delta: int = 3
    jump_share: float = 0.05
    dense_after_jump_s: float = 6.0
    changed_delta: int = 24
    max_still_changed: float = 0.0005
    max_moving_changed: float = 0.5


def iter_layout_frames(
    video: Path,
    info: SourceInfo,
    geo: SampleGeometry,
    sample_fps: float,
    timeout_s: float,
    sparse: SparseDecode | None = None,
) -> Iterator[tuple[float, GrayFrame]]:
    """Like `iter_gray_frames`, but long keyframe intervals whose picture holds still between
    a short decoded stretch and the next keyframe are not decoded past that stretch.

    Any change outside moving (camera) pixels, or a picture that is replaced, is seen at the
    next keyframe and then the whole interval is decoded, so every slide change and layout
    switch is still sampled at `sample_fps`; only unchanging stretches leave gaps in the
    times. Rotated videos and codecs other than H.264 take the plain path.
    """
    if info.rotation % 360 != 0 or (info.video_codec or video_codec(video)) != "h264":
        yield from iter_gray_frames(video, geo, sample_fps, timeout_s)
        return
    # a separate process decodes, so decoding runs beside the analysis on another core
    params = json.dumps([asdict(geo), sample_fps, timeout_s, asdict(sparse or SparseDecode())])
    cmd = [sys.executable, "-m", "lecture_assets.analysis.media.sparse_frames", str(video), params]
    proc, killer = start_reader(cmd, timeout_s)
    size = geo.width * geo.height
    n = 0
    try:
        assert proc.stdout is not None
        while True:
            head = proc.stdout.read(8)
            buf = proc.stdout.read(size) if len(head) == 8 else b""
            if len(buf) < size:
                break
            (t,) = struct.unpack("<d", head)
            yield t, np.frombuffer(buf, np.uint8).reshape(geo.height, geo.width)
            n += 1
    finally:
        killer.cancel()
        if proc.poll() is None:
            proc.kill()  # the consumer stopped early (or failed): the decoder is not needed
        if proc.stdout is not None:
            proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr is not None else ""
        if proc.stderr is not None:
            proc.stderr.close()
        code = proc.wait()
    if code > 0 or n == 0:
        raise MediaError(
            "NO_FRAMES" if n == 0 else "DECODE_FAILED",
            "The video could not be decoded for layout analysis "
            f"({err.strip()[-300:] or f'decoder exit code {code}'}). Re-encode the video and "
            "upload it again.",
        )


def _worker(argv: list[str]) -> int:
    """Entry of the decoding process: raw (time, grey frame) records on stdout."""
    video = Path(argv[0])
    geo_d, fps, timeout_s, sparse_d = json.loads(argv[1])
    geo, sparse = SampleGeometry(**geo_d), SparseDecode(**sparse_d)
    out = sys.stdout.buffer
    try:
        for t, frame in _sparse_frames(video, geo, float(fps), float(timeout_s), sparse):
            out.write(struct.pack("<d", t))
            out.write(frame.tobytes())
        out.flush()
    except (BrokenPipeError, KeyboardInterrupt):
        return 0
    except (MediaError, av.error.FFmpegError) as exc:
        sys.stderr.write(str(getattr(exc, "message", exc)))
        return 1
    return 0


def _sparse_frames(
    video: Path, geo: SampleGeometry, fps: float, timeout_s: float, sparse: SparseDecode
) -> Iterator[tuple[float, GrayFrame]]:
    """Samples of a long-GOP H.264 video, keyframe interval by keyframe interval."""
    deadline = time.monotonic() + timeout_s
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        base = stream.time_base
        if base is None:
            return
        start = float(stream.start_time * base) if stream.start_time is not None else 0.0
        main = _decoder(stream, "BIDIR")
        keys = _decoder(stream, "NONKEY")
        sampler = _Sampler(geo, fps, sparse)
        gop: list[av.Packet] = []
        for packet in container.demux(stream):
            if packet.pts is None and packet.dts is None:
                continue  # the demuxer's end-of-stream marker
            if packet.is_keyframe and gop:
                yield from _one_gop(gop, packet, main, keys, sampler, base, start, sparse)
                gop = []
                if time.monotonic() > deadline:
                    raise MediaError(
                        "LAYOUT_TIMEOUT",
                        "Decoding the video for layout analysis took too long. Re-encode it "
                        "at a lower resolution and upload it again.",
                    )
            gop.append(packet)
        if gop:
            yield from _one_gop(gop, None, main, keys, sampler, base, start, sparse)
        for frame in main.decode(None):
            yield from sampler.push(frame, base, start)
        yield from sampler.finish()


def _decoder(
    stream: av.video.stream.VideoStream, skip: _Skip
) -> av.video.codeccontext.VideoCodecContext:
    ctx = av.CodecContext.create(stream.codec_context.name, "r")
    assert isinstance(ctx, av.video.codeccontext.VideoCodecContext)
    extradata = stream.codec_context.extradata
    if extradata:
        ctx.extradata = extradata
    ctx.thread_count = 1  # no frame-thread latency; this process runs beside the analysis
    ctx.skip_frame = skip
    ctx.options = {"skip_loop_filter": "all"}
    return ctx


def _one_gop(
    gop: list[av.Packet],
    next_key: av.Packet | None,
    main: av.video.codeccontext.VideoCodecContext,
    keys: av.video.codeccontext.VideoCodecContext,
    sampler: _Sampler,
    base: Fraction,
    start: float,
    sparse: SparseDecode,
) -> Iterator[tuple[float, GrayFrame]]:
    """Decode one keyframe interval: whole, or its first stretch when the rest holds still."""
    first = _seconds(gop[0], base, start)
    end = _seconds(next_key, base, start) if next_key is not None else None
    short = end is None or first is None or end - first <= sparse.dense_gop_s
    if short or first is None or first < sampler.dense_until:
        for packet in gop:
            for frame in main.decode(packet):
                yield from sampler.push(frame, base, start)
        return
    prefix_end = first + sparse.prefix_s
    stretch: list[GrayFrame] = []
    used = 0
    for packet in gop:
        used += 1
        for frame in main.decode(packet):
            for item in sampler.push(frame, base, start):
                stretch.append(item[1])
                yield item
        if sampler.next_time > prefix_end:
            break
    jumped = sampler.dense_until > first
    rest = end is not None and used < len(gop) and not jumped
    if (
        rest
        and end is not None
        and _holds_still(stretch, _key_frame(keys, next_key, sampler), sparse)
    ):
        sampler.skip_to(end)
        return
    for packet in gop[used:]:
        for frame in main.decode(packet):
            yield from sampler.push(frame, base, start)


def _seconds(packet: av.Packet | None, base: Fraction, start: float) -> float | None:
    if packet is None:
        return None
    ts = packet.pts if packet.pts is not None else packet.dts
    return None if ts is None else float(ts * base) - start


def _key_frame(
    keys: av.video.codeccontext.VideoCodecContext, packet: av.Packet | None, sampler: _Sampler
) -> GrayFrame | None:
    """The picture of a keyframe packet, decoded on its own."""
    if packet is None:
        return None
    frames = list(keys.decode(packet))
    if not frames:
        frames = list(keys.decode(None))  # drain the reorder delay
        keys.flush_buffers()
    return sampler.gray(frames[-1]) if frames else None


def _holds_still(stretch: list[GrayFrame], key: GrayFrame | None, sparse: SparseDecode) -> bool:
    """Nothing but moving (camera) pixels changed between `stretch` and the keyframe after it."""
    if key is None or len(stretch) < 2 or key.shape != stretch[-1].shape:
        return False
    # pixels that move in two or more sample pairs are a camera picture (a slide change
    # moves its pixels once, and they must still be compared with the keyframe)
    moves = sum(
        (cv2.absdiff(b, a) > sparse.moving_delta).astype(np.uint8)
        for a, b in itertools.pairwise(stretch)
    )
    moving = np.asarray(moves) >= min(2, len(stretch) - 1)
    moving = cv2.dilate(moving.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    changed = cv2.absdiff(key, stretch[-1]) > sparse.changed_delta
    if np.count_nonzero(changed & ~moving) > sparse.max_still_changed * changed.size:
        return False
    n_moving = int(np.count_nonzero(moving))
    replaced = np.count_nonzero(changed & moving)
    return bool(n_moving == 0 or replaced <= sparse.max_moving_changed * n_moving)


class _Sampler:
    """Picks the frame for each sample time as ffmpeg's fps filter does, and notes big jumps
    between samples (a layout switch, a whole new picture): the video is decoded whole for
    a while after one, so the layout agent gets full windows of samples around it."""

    def __init__(self, geo: SampleGeometry, fps: float, sparse: SparseDecode) -> None:
        self.geo, self.fps, self.sparse = geo, fps, sparse
        self.n = 0
        self.last: tuple[float, av.VideoFrame] | None = None
        self.shown_until = 0.0  # when the last frame pushed stops being shown
        self.scaler = VideoReformatter()  # keeps its scaler between frames
        self.dense_until = 0.0
        self.prev: GrayFrame | None = None
        self.prev_share = 0.0

    def emit(self, t: float, frame: av.VideoFrame) -> tuple[float, GrayFrame]:
        """The sample at `t`, after checking it for a big jump from the one before."""
        gray = self.gray(frame)
        if self.prev is not None and self.prev.shape == gray.shape:
            changed = cv2.absdiff(gray, self.prev) > self.sparse.changed_delta
            share = float(np.count_nonzero(changed)) / changed.size
            if share >= self.sparse.jump_share and share > 3.0 * self.prev_share:
                self.dense_until = max(self.dense_until, t + self.sparse.dense_after_jump_s)
            self.prev_share = share
        self.prev = gray
        return t, gray

    @property
    def next_time(self) -> float:
        return self.n / self.fps

    def gray(self, frame: av.VideoFrame) -> GrayFrame:
        """The frame at the analysis size in grey, scaled as ffmpeg's `scale=...:flags=neighbor`."""
        img = self.scaler.reformat(
            frame,
            width=self.geo.width,
            height=self.geo.height,
            format="gray",
            interpolation="POINT",
        ).to_ndarray()
        return np.ascontiguousarray(img, dtype=np.uint8)

    def push(
        self, frame: av.VideoFrame, base: Fraction, start: float
    ) -> Iterator[tuple[float, GrayFrame]]:
        """Sample times settled by `frame`: each gets the last frame shown before half a
        sample period after it (ffmpeg's `fps=...:round=near`)."""
        if frame.pts is None:
            return
        t = float(frame.pts * base) - start
        half = 0.5 / self.fps
        while t >= self.next_time + half - 1e-9:
            chosen = self.last[1] if self.last is not None else frame
            yield self.emit(self.next_time, chosen)
            self.n += 1
        self.last = (t, frame)
        shown = float(frame.duration * base) if frame.duration else 0.0
        self.shown_until = t + (shown if shown > 0 else 1e-3)

    def skip_to(self, t: float) -> None:
        """Leave out the sample times before `t` (a stretch that was not decoded)."""
        self.n = max(self.n, math.ceil(t * self.fps - 1e-6))
        self.last = None

    def finish(self) -> Iterator[tuple[float, GrayFrame]]:
        # the last frame stands for the sample times near it while it is still shown
        if self.last is not None:
            t, frame = self.last
            while self.next_time <= t + 0.5 / self.fps and self.next_time < self.shown_until:
                yield self.emit(self.next_time, frame)
                self.n += 1
        self.last = None


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
