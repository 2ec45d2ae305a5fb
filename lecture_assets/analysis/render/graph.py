"""Geometry and ffmpeg filter-graph text for one vertical clip: cuts, layout bands, captions."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from lecture_assets.analysis.models import (
    HighlightSegment,
    Interval,
    LayoutPeriod,
    Rect,
    ScreenLayout,
    SourceInfo,
    SpeakerPosition,
)
from lecture_assets.analysis.render.camera_band import (
    CAMERA_QP_OFFSET,
    enlarge,
    split_bands,
)
from lecture_assets.analysis.render.captions import to_output_time
from lecture_assets.analysis.render.frame import FILL, OUT_H, OUT_W, even
from lecture_assets.analysis.render.inset import screen_without_inset

AUDIO_RATE = 48000
# inputs closer than this are decoded through rather than re-seeked (a seek costs a GOP)
MERGE_GAP_S = 6.0
RenderLayout = Literal["split", "screen", "camera"]
LayoutPreference = Literal["auto", "split", "screen", "camera"]


@dataclass(frozen=True)
class InputGroup:
    """One `-ss/-t` input of the source and the kept pieces inside it, in frames from its start."""

    start: float
    duration: float
    pieces: list[tuple[int, int]]


def output_rate(info: SourceInfo) -> Fraction:
    """Constant output frame rate: the source's when sane, else 30 (also fixes VFR input)."""
    if 14.0 <= info.fps <= 61.0:
        return Fraction(info.fps).limit_denominator(1001)
    return Fraction(30)


def display_size(info: SourceInfo) -> tuple[int, int]:
    """Frame size after ffmpeg applies the rotation metadata."""
    if info.rotation % 180 == 90:
        return info.height, info.width
    return info.width, info.height


def group_inputs(keep: Sequence[Interval], rate: Fraction) -> list[InputGroup]:
    """Snap kept ranges to the frame grid and merge close ones into shared seeks."""
    groups: list[InputGroup] = []
    spans: list[list[Interval]] = []
    for k in sorted(keep, key=lambda k: k.start):
        if k.duration <= 0:
            continue
        if spans and k.start - spans[-1][-1].end <= MERGE_GAP_S:
            spans[-1].append(k)
        else:
            spans.append([k])
    for span in spans:
        start = max(0.0, span[0].start)
        pieces = []
        for k in span:
            a = round((k.start - start) * rate)
            b = round((k.end - start) * rate)
            if b > a:
                pieces.append((int(a), int(b)))
        if pieces:
            dur = float(Fraction(pieces[-1][1]) / rate) + 0.25
            groups.append(InputGroup(start, dur, pieces))
    return groups


def planned_duration(groups: Sequence[InputGroup], rate: Fraction) -> float:
    """Exact output length in seconds implied by the frame-snapped pieces."""
    return float(sum(Fraction(b - a) for g in groups for a, b in g.pieces) / rate)


def choose_period(layout: ScreenLayout, segment: HighlightSegment) -> LayoutPeriod | None:
    """The layout period overlapping the segment's kept time the most."""
    best: tuple[float, LayoutPeriod] | None = None
    for p in layout.periods:
        cover = sum(max(0.0, min(p.end, k.end) - max(p.start, k.start)) for k in segment.keep)
        if cover > 0 and (best is None or cover > best[0]):
            best = (cover, p)
    return best[1] if best else None


def _fit_rect(r: Rect | None, layout: ScreenLayout, size: tuple[int, int]) -> Rect | None:
    """Rescale a layout rect to the decoded frame size, clamp it and make it even."""
    if r is None or r.area <= 0:
        return None
    w, h = size
    sx = w / layout.width if layout.width > 0 else 1.0
    sy = h / layout.height if layout.height > 0 else 1.0
    x0 = min(max(0, round(r.x * sx)), w - 2)
    y0 = min(max(0, round(r.y * sy)), h - 2)
    x1 = min(w, round((r.x + r.width) * sx))
    y1 = min(h, round((r.y + r.height) * sy))
    x0, y0 = x0 - x0 % 2, y0 - y0 % 2
    cw, ch = max(2, x1 - x0), max(2, y1 - y0)
    return Rect(x0, y0, cw - cw % 2, ch - ch % 2)


def resolve_layout(
    layout: ScreenLayout,
    segment: HighlightSegment,
    info: SourceInfo,
    preference: LayoutPreference,
) -> tuple[RenderLayout, Rect, Rect]:
    """Pick split/screen/camera and the screen and camera rects (whole frame when unknown)."""
    size = display_size(info)
    full = Rect(0, 0, size[0] - size[0] % 2, size[1] - size[1] % 2)
    period = choose_period(layout, segment)
    kind = period.kind if period else "unknown"
    screen = _fit_rect(period.screen if period else layout.screen, layout, size)
    camera = _fit_rect(period.camera if period else layout.camera, layout, size)
    if period is None and screen and camera:
        kind = "pip"
    chosen: RenderLayout
    if preference == "split" or (preference == "auto" and kind in ("pip", "side_by_side")):
        chosen = "split" if screen and camera else ("screen" if screen or not camera else "camera")
    elif preference == "camera" or (preference == "auto" and kind == "camera"):
        chosen = "camera"
    else:
        chosen = "screen"
    return chosen, screen or full, camera or full


def _follow_expr(
    track: Sequence[SpeakerPosition],
    keep: Sequence[Interval],
    region: Rect,
    crop_w: int,
    duration: float,
) -> str:
    """Crop x as a smooth piecewise-linear function of output time that follows the speaker."""
    lo, hi = region.x, region.x + region.width - crop_w
    if hi <= lo:
        return str(lo)
    centre = region.x + region.width / 2.0
    bins: dict[int, list[float]] = {}
    for p in track:
        if not region.x <= p.cx <= region.x + region.width:
            continue
        t = to_output_time(p.t, keep)
        if t is not None:
            bins.setdefault(int(t), []).append(p.cx)
    if not bins:
        return str(min(hi, max(lo, even(centre - crop_w / 2.0))))
    # per-second median, a median of three seconds (one bad detection is no move), then a
    # dead zone and damping so small head moves do not shake the frame
    per_sec = {sec: statistics.median(v) for sec, v in bins.items()}
    smooth = {
        sec: statistics.median([per_sec.get(sec + d, v) for d in (-1, 0, 1)])
        for sec, v in per_sec.items()
    }
    keys: list[tuple[float, float]] = []
    held: float | None = None
    for sec in range(int(duration) + 1):
        target = smooth.get(sec, held)
        if target is None:
            continue
        if held is None or abs(target - held) > 0.12 * crop_w:
            held = target if held is None else held + 0.6 * (target - held)
        keys.append((float(sec) + 0.5, min(hi, max(lo, held - crop_w / 2.0))))
    if not keys:
        return str(lo)
    expr = f"{keys[0][1]:.1f}"
    for (t0, x0), (t1, x1) in itertools.pairwise(keys):
        if abs(x1 - x0) >= 1.0:
            expr += f"+({x1 - x0:.1f})*clip((t-{t0:.2f})/{t1 - t0:.2f},0,1)"
    return expr


def _cover_crop(
    region: Rect, aspect: float, x_expr: str | None, face_y: float | None
) -> tuple[int, int, str, int]:
    """Largest window of `aspect` (w/h) inside region: (w, h, x expression, y)."""
    if region.width / region.height > aspect:
        h = region.height
        w = min(region.width, even(h * aspect))
        x = x_expr if x_expr is not None else str(region.x + (region.width - w) // 2)
        return w, h, x, region.y
    w = region.width
    h = min(region.height, even(w / aspect))
    cy = face_y if face_y is not None else region.y + region.height * 0.4
    # keep the face in the upper part of the window
    y = int(min(region.y + region.height - h, max(region.y, cy - 0.4 * h)))
    return w, h, str(region.x + (region.width - w) // 2), y - y % 2


def _face_y(track: Sequence[SpeakerPosition], region: Rect) -> float | None:
    ys = [p.cy for p in track if region.y <= p.cy <= region.y + region.height]
    return statistics.median(ys) if ys else None


def _crop(w: int, h: int, x: str, y: int) -> str:
    """Crop that never fails on a frame smaller than planned (crop clamps x and y itself)."""
    return f"crop='min({w},iw)':'min({h},ih)':'{x}':{y}"


def _fit(w: int, h: int, above: int = 0) -> str:
    """Scale into w x h keeping aspect, then pad with the fill colour (never crops), with
    `above` more rows of fill on top."""
    return (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bicubic,"
        f"pad={w}:{h + above}:(ow-iw)/2:{above}+({h}-ih)/2:color={FILL},setsar=1"
    )


def layout_filters(
    chosen: RenderLayout,
    screen: Rect,
    camera: Rect,
    track: Sequence[SpeakerPosition],
    keep: Sequence[Interval],
    duration: float,
    caption_h: int = 0,
    frame: tuple[int, int] | None = None,
    rates: tuple[Fraction, Fraction] | None = None,
) -> tuple[str, dict[str, float], bool]:
    """Graph text from [base] to [laid]; also the band geometry for checks and metadata.

    `frame` is the decoded frame size (rects are in its pixels); without it an inset that
    runs over the screen's edge is filled from inside the screen crop only. `rates` (see
    `camera_rates`) slows the camera picture down; the screen keeps the clip's rate.

    `caption_h` > 0 asks for burned-in captions that tall. A split layout gives them a strip
    of their own between the screen and camera bands, so they cover neither slide text nor
    the speaker's face: the graph then reads [caps] as that opaque strip and the third value
    is True. Otherwise the caller overlays [caps] on [laid].
    """
    crop_s = _crop(screen.width, screen.height, str(screen.x), screen.y)
    if chosen == "split":
        # the screen at full width (never cropped), the caption strip, the camera picture
        # at most MAX_ENLARGE times its size, the stack centred on the fill colour
        sb = split_bands(screen, camera, caption_h)
        pic_w, pic_h = sb.camera_w, sb.camera_h
        cw, ch, _, _ = _cover_crop(camera, pic_w / pic_h, None, None)
        x = _follow_expr(track, keep, camera, cw, duration)
        cw, ch, cx, cy = _cover_crop(camera, pic_w / pic_h, x, _face_y(track, camera))
        screen_graph = screen_without_inset(screen, camera, frame, crop_s)
        camera_chain = f"{_crop(cw, ch, cx, cy)},{enlarge(pic_w, pic_h, rates)}"
        if pic_w != OUT_W or sb.below:
            # a narrow camera is centred across the band; the fill below the stack joins it
            px = even((OUT_W - pic_w) / 2)
            camera_chain += f",pad={OUT_W}:{pic_h + sb.below}:{px}:0:color={FILL}"
        camera_y = sb.above + sb.screen_h + sb.strip_h
        roi = f"addroi=0:{camera_y}:{OUT_W}:{pic_h}:qoffset={CAMERA_QP_OFFSET}"
        bands: dict[str, float] = {
            "top_y": sb.above,
            "top_h": sb.screen_h,
            "caption_y": sb.above + sb.screen_h,
            "caption_h": sb.strip_h,
            "camera_y": camera_y,
            "bottom_h": pic_h,
            "fill_below": sb.below,
            "camera_w": pic_w,
            "camera_h": pic_h,
            "camera_scale": round(max(pic_w / cw, pic_h / ch), 3),
        }
        stack = "[top][caps][bot]vstack=3" if sb.strip_h else "[top][bot]vstack=2"
        graph = (
            f"[base]split=2[s][c];{screen_graph};[sc]{_fit(OUT_W, sb.screen_h, sb.above)}[top];"
            f"[c]{camera_chain}[bot];{stack},{roi}[laid]"
        )
        return graph, bands, bool(sb.strip_h)
    if chosen == "camera":
        cw, ch, _, _ = _cover_crop(camera, OUT_W / OUT_H, None, None)
        x = _follow_expr(track, keep, camera, cw, duration)
        cw, ch, cx, cy = _cover_crop(camera, OUT_W / OUT_H, x, _face_y(track, camera))
        graph = f"[base]{_crop(cw, ch, cx, cy)},{enlarge(OUT_W, OUT_H, rates)}[laid]"
        scale = round(max(OUT_W / cw, OUT_H / ch), 3)
        return graph, {"top_h": 0, "bottom_h": OUT_H, "camera_scale": scale}, False
    # screen only: the whole screen, as wide as the frame, a little above centre (leaving
    # the caption area below it clear) on the fill colour: each region is shown once
    fg_h = min(even(OUT_W * screen.height / screen.width), even(OUT_H * 0.7))
    fg_w = min(OUT_W, even(fg_h * screen.width / screen.height))
    fg_y = even(max(0, (OUT_H - fg_h) // 2 - 140))
    graph = (
        # keep the aspect even if the frame differs from the plan (e.g. unreported rotation)
        f"[base]{crop_s},scale={fg_w}:{fg_h}:force_original_aspect_ratio=decrease:"
        f"flags=bicubic,setsar=1,pad={OUT_W}:{OUT_H}:(ow-iw)/2:{fg_y}+({fg_h}-ih)/2:"
        f"color={FILL}[laid]"
    )
    return graph, {"top_h": fg_h, "bottom_h": 0}, False
