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
from lecture_assets.analysis.render.captions import to_output_time

OUT_W, OUT_H = 1080, 1920
AUDIO_RATE = 48000
FILL = "0x16181d"
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


def _even(v: float) -> int:
    i = round(v)
    return i - i % 2


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
        return str(min(hi, max(lo, _even(centre - crop_w / 2.0))))
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
        w = min(region.width, _even(h * aspect))
        x = x_expr if x_expr is not None else str(region.x + (region.width - w) // 2)
        return w, h, x, region.y
    w = region.width
    h = min(region.height, _even(w / aspect))
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


# camera pictures are small and get enlarged several times: sensor noise would be enlarged
# with them and cost the encoder most of its bits, so it is smoothed first (cheap at that size)
DENOISE = "hqdn3d=8:6:12:9"
# the enlarged camera carries little real detail: x264 spends fewer bits there (higher QP)
# and more on slide text; this halves encode time at no visible cost (frames checked by eye)
CAMERA_QP_OFFSET = 0.3


# a camera band never shows the camera picture larger than this (a blown-up face is blocky)
MAX_ENLARGE = 2.5


def camera_box(camera: Rect, band_w: int, band_h: int) -> tuple[int, int]:
    """Size of the camera picture in a band of band_w x band_h: the whole band, unless that
    would enlarge the camera more than MAX_ENLARGE times; then the largest box that does not.

    The picture is a cover crop of the camera at the box's aspect, so its enlargement is
    box width / camera width or box height / camera height, whichever side is cropped.
    """
    limit = MAX_ENLARGE * 0.98  # even rounding of the crop must not push it over the limit
    w = min(band_w, _even(limit * camera.width - 1))
    h = min(band_h, _even(limit * camera.height - 1))
    return max(2, w), max(2, h)


@dataclass(frozen=True)
class SplitBands:
    """Rows of a split frame, top to bottom: fill, screen, caption strip, camera, fill."""

    above: int
    screen_h: int
    strip_h: int
    camera_w: int
    camera_h: int
    below: int


def split_bands(screen: Rect, camera: Rect, strip: int) -> SplitBands:
    """Band heights of a split frame: the camera band exactly as tall as its (at most
    MAX_ENLARGE times) picture, the slides up to their natural height at full width, and
    any rows left over shared evenly as fill above and below the whole stack.
    """
    natural = _even(OUT_W * screen.height / screen.width)
    top = min(max(natural, _even(OUT_H * 0.22)), _even(OUT_H * 0.6))
    pic_w, pic_h = camera_box(camera, OUT_W, OUT_H - top - strip)
    if natural > top:
        # a short camera band leaves room: tall (e.g. 4:3) slides get it, never cropped
        top = max(top, min(natural, OUT_H - strip - pic_h))
    spare = OUT_H - top - strip - pic_h
    above = _even(spare / 2)
    return SplitBands(above, top, strip, pic_w, pic_h, spare - above)


def _enlarge(w: int, h: int, rates: tuple[Fraction, Fraction] | None = None) -> str:
    """Denoise a small camera crop, then scale it up to its band.

    Bilinear, not bicubic: at 3-5x enlargement of a denoised face the two look the same
    (compared side by side on GRID footage), and bilinear costs ~40 % less.

    With `rates` (camera rate, clip rate) the camera keeps one picture in two (say) and holds
    it: the encoder skips the held frames' camera blocks, ~10 % less render CPU, and the
    denoiser and scaler see half the frames; the face moves less fluidly.
    """
    chain = f"{DENOISE},scale={w}:{h}:flags=bilinear,setsar=1"
    if rates is None:
        return chain
    camera_rate, clip_rate = rates
    return f"fps={_rate_text(camera_rate)},{chain},fps={_rate_text(clip_rate)}"


def _rate_text(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def camera_rates(camera_fps: float, clip_rate: Fraction) -> tuple[Fraction, Fraction] | None:
    """(camera band rate, clip rate) when `camera_fps` asks for a slower camera than the
    clip's rate, else None (0 or anything at or above the clip's rate: full rate)."""
    if camera_fps <= 0:
        return None
    camera_rate = Fraction(camera_fps).limit_denominator(1001)
    return (camera_rate, clip_rate) if camera_rate < clip_rate else None


# the inset's fill is worked out on a picture this many times smaller, then enlarged: the fill
# is a smooth blend of the picture around the inset either way, and delogo's per-pixel
# interpolation (64-bit divisions) costs ~5 % of a clip's render at full size
FILL_SCALE = 4
# picture around the inset that the fill is blended from (full-size pixels, per side)
FILL_MARGIN = 8


def _screen_without_inset(
    screen: Rect, camera: Rect, frame: tuple[int, int] | None, crop_s: str
) -> str:
    """Graph text from [s] (the whole frame) to [sc]: the screen crop, with a picture-in-picture
    camera inside it filled from the picture around it (the camera has its own band).

    The fill is delogo's blend of the inset's surroundings, computed on the frame before the
    crop: for an inset that runs over the screen's edge, the surroundings there are the real
    picture beyond the edge, not camera pixels smeared across the fill as streaks. Without
    `frame` (the decoded size) only the screen's own pixels are used.
    """
    plain = f"[s]{crop_s}[sc]"
    # the area to fill: the camera and two pixels of its edge, on the screen's part of it
    x0, y0 = camera.x - 2, camera.y - 2
    x1, y1 = camera.x + camera.width + 2, camera.y + camera.height + 2
    vx0, vy0 = max(x0, screen.x), max(y0, screen.y)
    vx1, vy1 = min(x1, screen.x + screen.width), min(y1, screen.y + screen.height)
    if vx1 - vx0 < 8 or vy1 - vy0 < 8 or (vx1 - vx0) * (vy1 - vy0) > 0.3 * screen.area:
        return plain
    bound = Rect(0, 0, frame[0], frame[1]) if frame is not None else screen
    f = FILL_SCALE if min(vx1 - vx0, vy1 - vy0) >= 16 * FILL_SCALE else 1
    step = 2 * f  # keeps the small picture's sizes and offsets even (4:2:0 chroma)
    bx0, by0 = bound.x, bound.y
    bx1, by1 = bound.x + bound.width, bound.y + bound.height
    # the fill area itself, inside the bound, and the region with surroundings around it
    ax0, ay0 = max(x0, bx0), max(y0, by0)
    ax1, ay1 = min(x1, bx1), min(y1, by1)
    rx0 = max(bx0, ax0 - FILL_MARGIN) // step * step
    ry0 = max(by0, ay0 - FILL_MARGIN) // step * step
    rx1 = min(bx1 - (bx1 - rx0) % step, -(-(ax1 + FILL_MARGIN) // step) * step)
    ry1 = min(by1 - (by1 - ry0) % step, -(-(ay1 + FILL_MARGIN) // step) * step)
    ax0, ay0, ax1, ay1 = _even(ax0), _even(ay0), min(rx1, _even(ax1)), min(ry1, _even(ay1))
    rw, rh = rx1 - rx0, ry1 - ry0
    if ax1 - ax0 < 8 or ay1 - ay0 < 8:
        return plain
    # delogo needs one pixel of real picture around the area on every side
    sw, sh = rw // f, rh // f
    dx0, dy0 = max(1, (ax0 - rx0) // f), max(1, (ay0 - ry0) // f)
    dx1, dy1 = min(sw - 1, -(-(ax1 - rx0) // f)), min(sh - 1, -(-(ay1 - ry0) // f))
    if dx1 - dx0 < 2 or dy1 - dy0 < 2:
        return plain
    small = f"scale={sw}:{sh}:flags=area," if f > 1 else ""
    enlarge = f"scale={rw}:{rh}:flags=bilinear," if f > 1 else ""
    return (
        f"[s]split=2[s_full][s_around];"
        f"[s_around]crop={rw}:{rh}:{rx0}:{ry0},{small}"
        f"delogo=x={dx0}:y={dy0}:w={dx1 - dx0}:h={dy1 - dy0},{enlarge}"
        f"crop={ax1 - ax0}:{ay1 - ay0}:{ax0 - rx0}:{ay0 - ry0}[s_fill];"
        f"[s_full]{crop_s}[s_crop];"
        f"[s_crop][s_fill]overlay={ax0 - screen.x}:{ay0 - screen.y}:format=yuv420[sc]"
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
        screen_graph = _screen_without_inset(screen, camera, frame, crop_s)
        camera_chain = f"{_crop(cw, ch, cx, cy)},{_enlarge(pic_w, pic_h, rates)}"
        if pic_w != OUT_W or sb.below:
            # a narrow camera is centred across the band; the fill below the stack joins it
            px = _even((OUT_W - pic_w) / 2)
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
        graph = f"[base]{_crop(cw, ch, cx, cy)},{_enlarge(OUT_W, OUT_H, rates)}[laid]"
        scale = round(max(OUT_W / cw, OUT_H / ch), 3)
        return graph, {"top_h": 0, "bottom_h": OUT_H, "camera_scale": scale}, False
    # screen only: the whole screen, as wide as the frame, a little above centre (leaving
    # the caption area below it clear) on the fill colour: each region is shown once
    fg_h = min(_even(OUT_W * screen.height / screen.width), _even(OUT_H * 0.7))
    fg_w = min(OUT_W, _even(fg_h * screen.width / screen.height))
    fg_y = _even(max(0, (OUT_H - fg_h) // 2 - 140))
    graph = (
        # keep the aspect even if the frame differs from the plan (e.g. unreported rotation)
        f"[base]{crop_s},scale={fg_w}:{fg_h}:force_original_aspect_ratio=decrease:"
        f"flags=bicubic,setsar=1,pad={OUT_W}:{OUT_H}:(ow-iw)/2:{fg_y}+({fg_h}-ih)/2:"
        f"color={FILL}[laid]"
    )
    return graph, {"top_h": fg_h, "bottom_h": 0}, False
