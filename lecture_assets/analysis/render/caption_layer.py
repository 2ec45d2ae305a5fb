"""ffmpeg filter-graph text for burned-in captions: a strip drawn only when the captions change."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from lecture_assets.analysis.render.captions import BurnSchedule
from lecture_assets.analysis.render.frame import FILL, OUT_H, OUT_W


def escape_filter_path(path: str) -> str:
    """Escape a file path for use as a filter option value inside -filter_complex."""
    # level 1: the filter's option parser; level 2: the graph parser
    level1 = "".join("\\" + ch if ch in "\\':" else ch for ch in path)
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in level1)


def caption_change_frames(schedule: BurnSchedule, rate: Fraction, n_frames: int) -> list[int]:
    """Output frames at which the burned-in captions can look different from the frame before.

    libass shows an event on a frame whose whole-millisecond time t has start <= t < end, so
    the picture only changes at the first frame at or after each start and each end.
    """
    frames = {0}
    for start, end in schedule.events:
        for ms in (start, end):
            n = math.ceil(Fraction(ms) * rate / 1000)
            if 0 < n < n_frames:
                frames.add(n)
    return sorted(frames)


def frame_set_expr(frames: Sequence[int]) -> str:
    """An ffmpeg expression true exactly on the output frames `frames` (sorted, distinct).

    A binary search of nested `if(lt(n,k),..,..)`: ffmpeg evaluates only the branch taken,
    so a frame costs ~log2(len) comparisons, and the nesting is only that deep. (A flat sum
    of one `eq(n,k)` per frame fails to parse beyond ~130 terms: "Cannot allocate memory".)
    """
    if not frames:
        return "0"
    if len(frames) <= 4:
        return "+".join(f"eq(n,{k})" for k in frames)
    mid = len(frames) // 2
    left, right = frame_set_expr(frames[:mid]), frame_set_expr(frames[mid:])
    return f"if(lt(n,{frames[mid]}),{left},{right})"


def caption_layer(
    ass_path: str,
    fonts_dir: str | None,
    schedule: BurnSchedule,
    rate: Fraction,
    duration: float,
    opaque: bool = False,
) -> str:
    """Graph text for [caps]: the captions on a strip, drawn only when they change.

    libass renders onto a blank canvas just at the frames where the captions change; the
    consumer (an overlay, or vstack for an opaque strip) repeats the last picture in
    between: no libass blending of fill, outline and shadow onto every frame. The strip is
    transparent for an overlay, or the fill colour when it is a band of its own (`opaque`).
    """
    n_frames = math.ceil(duration * rate)
    changes = frame_set_expr(caption_change_frames(schedule, rate, n_frames))
    fonts = f":fontsdir={escape_filter_path(fonts_dir)}" if fonts_dir else ""
    if opaque:
        canvas, pix_fmt, alpha = FILL, "yuv420p", ""
    else:
        canvas, pix_fmt, alpha = "black@0", "yuva420p", ":alpha=1"
    return (
        f"color=c={canvas}:s={OUT_W}x{OUT_H}:r={rate.numerator}/{rate.denominator}:"
        f"d={duration + 1.0:.3f},format={pix_fmt},select='{changes}',"
        f"ass={escape_filter_path(ass_path)}{fonts}{alpha},"
        f"crop={OUT_W}:{schedule.band_h}:0:{schedule.band_y}[caps]"
    )
