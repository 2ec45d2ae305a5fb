"""The whole camera picture around a moving seed: the rectangle its straight edges draw."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.models import Rect

F32 = npt.NDArray[np.float32]
Bools = npt.NDArray[np.bool_]


def content_area(mean: F32, bar_level: float = 32.0) -> Rect:
    """The frame without uniform dark bars on its edges (letterbox or pillarbox)."""
    h, w = mean.shape
    flat_rows = (np.ptp(mean, axis=1) < 12) & (mean.mean(axis=1) < bar_level)
    flat_cols = (np.ptp(mean, axis=0) < 12) & (mean.mean(axis=0) < bar_level)
    top, bottom = _trim(flat_rows)
    left, right = _trim(flat_cols)
    if bottom - top < 0.3 * h or right - left < 0.3 * w:
        return Rect(0, 0, w, h)
    return Rect(left, top, right - left, bottom - top)


def _trim(bars: Bools) -> tuple[int, int]:
    start, end = 0, len(bars)
    while start < end and bars[start]:
        start += 1
    while end > start and bars[end - 1]:
        end -= 1
    return start, end


def looks_like_slides(mean: F32, area: Rect) -> bool:
    """A slide is mostly one flat background colour; a camera picture is not."""
    sub = mean[area.y : area.y + area.height, area.x : area.x + area.width]
    if sub.size == 0:
        return False
    hist = np.bincount(np.clip(sub, 0, 255).astype(np.int64).ravel(), minlength=256)
    # share of the picture within a few grey levels of its most common level
    window = np.convolve(hist, np.ones(7), mode="same")
    return float(window.max()) / sub.size >= 0.5


class _Edges:
    """Where each column and row boundary of a few grey frames has a step (in any of them)."""

    def __init__(self, frames: Sequence[F32], moving: Bools, threshold: float) -> None:
        h, w = frames[0].shape
        sx = np.zeros((h, w + 1), np.bool_)
        sy = np.zeros((h + 1, w), np.bool_)
        for frame in frames:
            m = frame.astype(np.float32)
            # boundary b lies between pixels b-1 and b; the step compares two pixels on each
            # side (scaled-down edges are smeared over ~2 pixels)
            vx = np.abs((m[:, 2:-1] + m[:, 3:]) - (m[:, :-3] + m[:, 1:-2])) / 2
            vy = np.abs((m[2:-1, :] + m[3:, :]) - (m[:-3, :] + m[1:-2, :])) / 2
            sx[:, 2:-2] |= vx >= threshold
            sy[2:-2, :] |= vy >= threshold
        # a picture's border holds still: a step between two moving pixels is part of the
        # moving person (the edge of a swaying neck), not a border
        sx[:, 1:w] &= ~(moving[:, :-1] & moving[:, 1:])
        sy[1:h, :] &= ~(moving[:-1, :] & moving[1:, :])
        # a line may wander by one pixel (scaling, compression)
        self.vertical: Bools = sx | np.roll(sx, 1, axis=1) | np.roll(sx, -1, axis=1)
        self.horizontal: Bools = sy | np.roll(sy, 1, axis=0) | np.roll(sy, -1, axis=0)

    def column(self, b: int, y0: int, y1: int) -> float:
        """Share of rows y0..y1 with a step at column boundary b."""
        return float(self.vertical[y0:y1, b].mean()) if y1 > y0 else 0.0

    def row(self, b: int, x0: int, x1: int) -> float:
        """Share of columns x0..x1 with a step at row boundary b."""
        return float(self.horizontal[b, x0:x1].mean()) if x1 > x0 else 0.0


def enclose_picture(
    seed: Rect,
    frames: Sequence[F32],
    moving: Bools,
    content: Rect,
    min_area: float = 0.0,
    threshold: float = 5.0,
    cover: float = 0.7,
) -> Rect:
    """The smallest rectangle around `seed` whose four sides are straight edges of the frame.

    Each side scans outward from the seed to the first boundary with a step along most of
    the seed's span; the rectangle is kept once every side is a step along its whole length
    (a line behind a person is broken by the person, an inset's border never is); a side
    that finds none stops at the content's edge. Returns `content` when nothing closes.
    A step in any of `frames` counts: the slide behind an inset's border changes colour,
    and in some frames the two may look alike; a step between two `moving` pixels does
    not. A rectangle under `min_area` pixels is inside the picture (around the person's
    head, say): the search goes on outward from it.
    """
    edges = _Edges(frames, moving, threshold)
    cx0, cy0 = content.x, content.y
    cx1, cy1 = content.x + content.width, content.y + content.height
    # where each side's scan starts: the seed's own sides (snapped to edges already)
    scan = {
        "left": seed.x,
        "right": seed.x + seed.width,
        "top": seed.y,
        "bottom": seed.y + seed.height,
    }
    span = (seed.x, seed.y, seed.x + seed.width, seed.y + seed.height)
    sides = {name: _scan(edges, name, start, span, content, cover) for name, start in scan.items()}
    for _ in range(24):
        x0, y0, x1, y1 = sides["left"], sides["top"], sides["right"], sides["bottom"]
        failing = [
            name
            for name, ok in (
                ("left", x0 <= cx0 or edges.column(x0, y0, y1) >= cover),
                ("right", x1 >= cx1 or edges.column(x1, y0, y1) >= cover),
                ("top", y0 <= cy0 or edges.row(y0, x0, x1) >= cover),
                ("bottom", y1 >= cy1 or edges.row(y1, x0, x1) >= cover),
            )
            if not ok
        ]
        if not failing and (x1 - x0) * (y1 - y0) >= min_area:
            return Rect(x0, y0, x1 - x0, y1 - y0)
        if not failing:
            failing = ["left", "right", "top", "bottom"]
        for name in failing:
            step = -1 if name in ("left", "top") else 1
            sides[name] = _scan(edges, name, sides[name] + step, (x0, y0, x1, y1), content, cover)
    return content


def _scan(
    edges: _Edges,
    side: str,
    start: int,
    span: tuple[int, int, int, int],
    content: Rect,
    cover: float,
) -> int:
    """First boundary from `start` outward (toward `side`) with a step along `span`."""
    x0, y0, x1, y1 = span
    if side in ("left", "right"):
        lo, hi = content.x, content.x + content.width
        step = -1 if side == "left" else 1
        b = start
        while lo < b < hi:
            if edges.column(b, y0, y1) >= cover:
                return _peak(lambda k: edges.column(k, y0, y1), b, step, lo, hi)
            b += step
        return lo if side == "left" else hi
    lo, hi = content.y, content.y + content.height
    step = -1 if side == "top" else 1
    b = start
    while lo < b < hi:
        if edges.row(b, x0, x1) >= cover:
            return _peak(lambda k: edges.row(k, x0, x1), b, step, lo, hi)
        b += step
    return lo if side == "top" else hi


def _peak(score: Callable[[int], float], b: int, step: int, lo: int, hi: int) -> int:
    """The middle of the run of boundaries (jitter makes a line ~3 wide) starting at `b`."""
    first = score(b)
    end = b
    while lo < end + step < hi and score(end + step) >= first:
        end += step
    return (b + end) // 2 if step > 0 else -(-(b + end) // 2)
