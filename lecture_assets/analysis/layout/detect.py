"""The layout agent: where the slides and the camera are over time, and when slides change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from lecture_assets.analysis.layout.regions import RegionDetector, WindowLayout
from lecture_assets.analysis.layout.slide_changes import SlideChangeDetector
from lecture_assets.analysis.media.frames import (
    GrayFrame,
    SampleGeometry,
    grab_frame_bgr,
    sample_geometry,
)
from lecture_assets.analysis.media.sparse_frames import iter_layout_frames
from lecture_assets.analysis.models import (
    LayoutKind,
    LayoutPeriod,
    Rect,
    ScreenLayout,
    SourceInfo,
    SpeakerPosition,
)

ProgressCallback = Callable[[float], None]


@dataclass(frozen=True)
class LayoutParams:
    """How the layout agent samples and decides.

    Args:
        sample_fps: frames analysed per second of video (slide-change precision ~1/fps).
        analysis_width: frames are scaled to this width before any analysis.
        window_s: length of the windows the layout is classified over.
        same_region_iou: windows whose regions overlap this much belong to one period.
        min_camera_share: a camera shown for less of the lecture is not the dominant one.
        timeout_s: longest the frame decoder may run.
    """

    sample_fps: float = 2.0
    analysis_width: int = 640
    window_s: float = 6.0
    same_region_iou: float = 0.7
    min_camera_share: float = 0.25
    timeout_s: float = 3600.0
    regions: RegionDetector = field(default_factory=RegionDetector)


@dataclass
class _Window:
    start: float
    end: float
    layout: WindowLayout
    switch_at: float | None  # when the picture turned into this window's layout, if it did
    times: list[float]  # its samples (still stretches of the video may be left out)
    mixed: bool = False  # a layout switch falls inside it: its regions are a blend


def detect_layout(
    video: Path,
    info: SourceInfo,
    params: LayoutParams | None = None,
    on_progress: ProgressCallback | None = None,
) -> ScreenLayout:
    """Analyse the picture of `video` and return regions in source (display) pixels."""
    params = params or LayoutParams()
    geo = sample_geometry(info, params.analysis_width)
    per_window = max(2, round(params.window_s * params.sample_fps))
    duration = max(1e-3, info.duration_s)
    slides = SlideChangeDetector()
    windows: list[_Window] = []
    buffer: list[tuple[float, GrayFrame]] = []
    # frames of the newest window wait for the next one, so a switch between the two is
    # known (and timed) before the slide detector sees them
    held: list[tuple[float, GrayFrame]] = []
    # the layout each stretch of frames is fed with: (from, layout, starts with a switch)
    stretches: list[tuple[float, WindowLayout, bool]] = []
    fed_layout: list[WindowLayout] = []

    def feed(frames: list[tuple[float, GrayFrame]]) -> None:
        for t, frame in frames:
            while stretches and stretches[0][0] <= t + 1e-6:
                at, layout, is_switch = stretches.pop(0)
                if is_switch:
                    slides.switch(at)
                fed_layout[:] = [layout]
            slides.feed(t, frame, fed_layout[0].screen, fed_layout[0].camera)

    def flush() -> None:
        nonlocal held
        if len(buffer) < 2 and windows:
            return
        frames = [f for _, f in buffer] if len(buffer) >= 2 else [buffer[0][1]] * 2
        prev = windows[-1].layout if windows else None
        hint = prev.face if prev is not None else None
        # no face in the last window: search the whole camera only every other window
        search = prev is None or prev.face is not None or not prev.face_searched
        found = params.regions.detect(frames, face_hint=hint, face_search=search)
        switch_at = None
        if windows and not _same(windows[-1].layout, found, params.same_region_iou):
            switch_at = _switch_time(held, buffer)
        if switch_at is None:
            stretches.append((buffer[0][0], found, False))
        else:
            # a window the switch falls into mixes both layouts: the slide detector gets the
            # layout of the frames after the switch alone
            after = [f for t, f in [*held, *buffer] if t >= switch_at]
            clean = params.regions.detect(after, face_hint=hint) if len(after) >= 4 else found
            before = [f for t, f in held if t < switch_at]
            if held and len(before) < len(held):
                # the held window mixes both layouts too: its frames before the switch get
                # the layout of those frames alone (or of the window before it)
                if len(before) >= 4:
                    old = params.regions.detect(before, face_hint=hint, face_search=False)
                else:
                    old = windows[-2].layout if len(windows) >= 2 else windows[-1].layout
                stretches[:] = [
                    (at, old, sw) if held[0][0] - 1e-6 <= at < switch_at else (at, lay, sw)
                    for at, lay, sw in stretches
                ]
            stretches.append((switch_at, clean, True))
            if switch_at < buffer[0][0]:
                stretches.append((buffer[0][0], found, False))
        feed(held)
        start = buffer[0][0]
        end = buffer[-1][0] + 1.0 / params.sample_fps
        mixed = switch_at is not None and switch_at > start + 1e-6
        if switch_at is not None and switch_at < start - 1e-6:
            windows[-1].mixed = True
        windows.append(_Window(start, end, found, switch_at, [t for t, _ in buffer], mixed))
        held = list(buffer)

    frames = iter_layout_frames(video, info, geo, params.sample_fps, params.timeout_s)
    for count, (t, frame) in enumerate(frames, start=1):
        buffer.append((t, frame))
        if len(buffer) == per_window:
            flush()
            buffer = []
        if on_progress is not None and count % 20 == 0:
            on_progress(min(0.99, t / duration))
    if buffer:
        flush()
    feed(held)
    periods = _periods(windows, params.same_region_iou, geo)
    changes = slides.finish()
    track = [
        SpeakerPosition(round(_sample_time(w.times, i), 3), cx * geo.scale_x, cy * geo.scale_y)
        for w in windows
        for i, cx, cy in w.layout.speaker
    ]
    screen, camera = _dominant(periods, params.min_camera_share)
    if on_progress is not None:
        on_progress(1.0)
    return ScreenLayout(
        width=geo.display_width,
        height=geo.display_height,
        screen=screen,
        camera=camera,
        periods=periods,
        slide_changes=changes,
        speaker_track=track,
    )


def _sample_time(times: list[float], i: float) -> float:
    """The time of (fractional) sample index `i` of a window."""
    k = max(0, min(len(times) - 1, int(i)))
    if k + 1 < len(times) and i > k:
        return times[k] + (i - k) * (times[k + 1] - times[k])
    return times[k]


def _same(a: WindowLayout, b: WindowLayout, iou: float) -> bool:
    if a.kind != b.kind:
        return False
    for ra, rb in ((a.screen, b.screen), (a.camera, b.camera)):
        if (ra is None) != (rb is None):
            return False
        if ra is not None and rb is not None and ra.iou(rb) < iou:
            return False
    return True


def _switch_time(
    before: list[tuple[float, GrayFrame]], after: list[tuple[float, GrayFrame]]
) -> float | None:
    """First sample that looks more like the new layout than the old one.

    Only pixels that hold still within each window yet differ between them are compared,
    so a slide change next to the switch cannot pass for the switch itself.
    """
    if not before or not after:
        return None
    a = np.stack([f for _, f in before]).astype(np.int16)
    b = np.stack([f for _, f in after]).astype(np.int16)
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    mask = (np.ptp(a, axis=0) < 10) & (np.ptp(b, axis=0) < 10) & (np.abs(mean_a - mean_b) > 30)
    if mask.mean() < 0.005:
        mask = np.ones_like(mask)
    for t, frame in [*before, *after]:
        f = frame.astype(np.float64)[mask]
        if np.abs(f - mean_b[mask]).mean() < np.abs(f - mean_a[mask]).mean():
            return t
    return after[0][0]


def _periods(windows: list[_Window], iou: float, geo: SampleGeometry) -> list[LayoutPeriod]:
    groups: list[list[_Window]] = []
    for window in windows:
        if groups and _same(groups[-1][-1].layout, window.layout, iou):
            groups[-1].append(window)
        else:
            groups.append([window])
    groups = _absorb_blips(groups)
    periods: list[LayoutPeriod] = []
    for n, group in enumerate(groups):
        start = group[0].start
        if n > 0 and group[0].switch_at is not None:
            start = group[0].switch_at
        if periods:
            prev = periods[-1]
            periods[-1] = LayoutPeriod(prev.start, start, prev.kind, prev.screen, prev.camera)
        kind: LayoutKind = group[0].layout.kind
        # windows a switch falls into blend two layouts: their regions only if all are so
        pure = [w for w in group if not w.mixed] or group
        periods.append(
            LayoutPeriod(
                start=round(start, 3),
                end=round(group[-1].end, 3),
                kind=kind,
                screen=_median_rect([w.layout.screen for w in pure], geo),
                camera=_median_rect([w.layout.camera for w in pure], geo),
            )
        )
    return periods


def _absorb_blips(groups: list[list[_Window]]) -> list[list[_Window]]:
    """A single odd window between two like ones is noise, not a layout switch."""
    merged: list[list[_Window]] = []
    for group in groups:
        if (
            len(merged) >= 2
            and len(merged[-1]) == 1
            and merged[-2][0].layout.kind == group[0].layout.kind
        ):
            blip = merged.pop()
            merged[-1].extend([*blip, *group])
        else:
            merged.append(list(group))
    return merged


def _median_rect(rects: list[Rect | None], geo: SampleGeometry) -> Rect | None:
    present = [r for r in rects if r is not None]
    if len(present) * 2 < len(rects) or not present:
        return None
    arr = np.array([[r.x, r.y, r.x + r.width, r.y + r.height] for r in present], dtype=float)
    x0, y0, x1, y1 = np.median(arr, axis=0)
    sx, sy = geo.scale_x, geo.scale_y
    left, top = round(x0 * sx), round(y0 * sy)
    right = min(geo.display_width, round(x1 * sx))
    bottom = min(geo.display_height, round(y1 * sy))
    return Rect(left, top, right - left, bottom - top)


def _dominant(periods: list[LayoutPeriod], min_camera_share: float) -> tuple[Rect | None, ...]:
    total = sum(p.end - p.start for p in periods) or 1.0
    result: list[Rect | None] = []
    for role in ("screen", "camera"):
        weight: dict[tuple[int, int, int, int], float] = defaultdict(float)
        for p in periods:
            rect = p.screen if role == "screen" else p.camera
            if rect is not None:
                weight[(rect.x, rect.y, rect.width, rect.height)] += p.end - p.start
        if not weight:
            result.append(None)
            continue
        key, seconds = max(weight.items(), key=lambda kv: kv[1])
        share = sum(weight.values()) / total
        needed = min_camera_share if len(result) == 1 else 0.0
        result.append(Rect(*key) if share >= needed and seconds > 0 else None)
    return tuple(result)


def render_layout_previews(video: Path, layout: ScreenLayout, out_dir: Path) -> list[Path]:
    """One small JPEG per layout period with the screen (green) and camera (orange) boxed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for n, period in enumerate(layout.periods):
        frame = grab_frame_bgr(video, (period.start + period.end) / 2)
        h, w = frame.shape[:2]
        sx, sy = w / max(1, layout.width), h / max(1, layout.height)
        thickness = max(2, w // 300)
        for rect, colour in ((period.screen, (60, 200, 60)), (period.camera, (0, 140, 255))):
            if rect is not None:
                p0 = (int(rect.x * sx), int(rect.y * sy))
                p1 = (int((rect.x + rect.width) * sx) - 1, int((rect.y + rect.height) * sy) - 1)
                cv2.rectangle(frame, p0, p1, colour, thickness)
        scale = 480 / max(w, h)
        small = cv2.resize(frame, (max(2, int(w * scale)), max(2, int(h * scale))))
        path = out_dir / f"period_{n}_{period.kind}.jpg"
        cv2.imwrite(str(path), small, [cv2.IMWRITE_JPEG_QUALITY, 85])
        paths.append(path)
    return paths
