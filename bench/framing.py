"""Benchmark: per lecture shape, layout IoU and kind, the rendered clip, and a contact sheet.

`python -m bench.framing [name ...]` writes bench/results/framing_<shape>.png (per layout
period a row: the source frame, then three frames of the rendered clip) and
bench/results/framing.json, and prints per shape the screen and camera IoU, the share of
the lecture with the right kind and the camera band's enlargement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np

from lecture_assets.analysis.layout.detect import detect_layout
from lecture_assets.analysis.media.ffmpeg import probe
from lecture_assets.analysis.models import (
    HighlightSegment,
    Interval,
    LayoutPeriod,
    Rect,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.render.captions import build_cues, write_ass
from lecture_assets.analysis.render.compile import render_clip
from lecture_assets.analysis.render.plan import RenderOptions, plan_clip
from tests.fixtures.layout_shapes import SHAPES, Shape, realmedia_present
from tests.fixtures.layouts import cached_layout_video

HERE = Path(__file__).parent
RESULTS = HERE / "results"
OPTIONS = RenderOptions(preset="ultrafast", threads=2)
SHEET_H = 360  # height of each picture in a sheet row


def _iou(found: Rect | None, truth: Rect | None) -> float:
    if truth is None:
        return 1.0 if found is None else 0.0
    return 0.0 if found is None else round(found.iou(truth), 3)


def _transcript(duration: float) -> Transcript:
    text = "so the gradient points uphill and we step the other way until the loss stops falling"
    words = text.split()
    out = [
        Word(0.3 + i * 0.4, 0.6 + i * 0.4, words[i % len(words)])
        for i in range(int(duration / 0.4) - 1)
    ]
    return Transcript("en", [TranscriptSegment(0.0, duration, text, out)], "bench", duration)


def _frames_at(path: Path, times: list[float]) -> list[np.ndarray]:
    wanted, got = sorted(times), []
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            if wanted and f.time is not None and f.time >= wanted[0]:
                got.append(f.to_ndarray(format="bgr24"))
                wanted.pop(0)
    return got


def _row(source: np.ndarray, clip: list[np.ndarray]) -> np.ndarray:
    def fit(img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        return cv2.resize(img, (round(w * SHEET_H / h), SHEET_H), interpolation=cv2.INTER_AREA)

    gap = np.full((SHEET_H, 12, 3), 255, np.uint8)
    parts = [fit(source)]
    for frame in clip:
        parts += [gap, fit(frame)]
    return np.hstack(parts)


def run_shape(shape: Shape, work: Path) -> dict[str, object]:
    """Detect, score and render one shape; write its contact sheet."""
    path, truth = cached_layout_video(shape.spec, size=shape.size)
    info = probe(path)
    started = time.perf_counter()
    layout = detect_layout(path, info)
    layout_s = time.perf_counter() - started
    rows, periods = [], []
    for n, tp in enumerate(truth.periods):
        mid = (tp.start + tp.end) / 2
        found: LayoutPeriod | None = next(
            (p for p in layout.periods if p.start <= mid < p.end), None
        )
        a, b = tp.start + 1.0, tp.end - 1.0
        segment = HighlightSegment(n, a, b, 1.0, "t", "r", 0, [Interval(a, b)])
        cues = build_cues(_transcript(truth.duration_s), segment)
        ass = write_ass(cues, work / f"{shape.name}-{n}.ass")
        plan = plan_clip(path, info, layout, segment, ass, work / f"{shape.name}-{n}.mp4", OPTIONS)
        clip = render_clip(plan, timeout_s=600)
        length = clip.duration_s
        frames = _frames_at(clip.video_path, [length * 0.2, length * 0.5, length * 0.8])
        [source] = _frames_at(path, [a + (b - a) * 0.5])
        rows.append(_row(source, frames))
        periods.append(
            {
                "truth_kind": tp.kind,
                "found_kind": found.kind if found else None,
                "screen_iou": _iou(found.screen if found else None, tp.screen),
                "camera_iou": _iou(found.camera if found else None, tp.camera),
                "render": plan.layout,
                "camera_band_enlargement": (
                    plan.band_heights.get("camera_scale") if plan.layout == "split" else None
                ),
                "camera_crop_enlargement": (
                    plan.band_heights.get("camera_scale") if plan.layout == "camera" else None
                ),
            }
        )
    width = max(r.shape[1] for r in rows)
    sheet = np.vstack(
        [np.hstack([r, np.full((r.shape[0], width - r.shape[1], 3), 255, np.uint8)]) for r in rows]
    )
    RESULTS.mkdir(exist_ok=True)
    cv2.imwrite(str(RESULTS / f"framing_{shape.name}.png"), sheet)
    return {
        "shape": shape.name,
        "size": list(shape.size),
        "duration_s": truth.duration_s,
        "layout_s": round(layout_s, 2),
        "kind_share": _kind_share(layout.periods, truth.periods),
        "periods": periods,
    }


def _kind_share(found: list[LayoutPeriod], truth: list[LayoutPeriod], step: float = 0.1) -> float:
    hits = total = 0
    for tp in truth:
        t = tp.start + step / 2
        while t < tp.end:
            p = next((p for p in found if p.start <= t < p.end), None)
            hits += p is not None and p.kind == tp.kind
            total += 1
            t += step
    return round(hits / max(1, total), 3)


def _passes(result: dict[str, object]) -> bool:
    """The acceptance targets: kind right >= 95 %, IoU >= 0.9, band enlargement <= 2.5x."""
    periods: list[dict[str, float | None]] = result["periods"]  # type: ignore[assignment]
    kind_ok = float(result["kind_share"]) >= 0.95  # type: ignore[arg-type]
    return kind_ok and all(
        (p["screen_iou"] or 0) >= 0.9
        and (p["camera_iou"] or 0) >= 0.9
        and (p["camera_band_enlargement"] or 0) <= 2.5
        for p in periods
    )


def main() -> None:
    """Run every shape (or those named) and write the sheets and bench/results/framing.json."""
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", help="shape names (substrings); all by default")
    args = ap.parse_args()
    work = HERE / ".cache" / "framing"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for shape in SHAPES:
        if args.names and not any(n in shape.name for n in args.names):
            continue
        if shape.needs_realmedia and not realmedia_present():
            print(f"{shape.name}: skipped (no ../shared/realmedia/video/grid)")
            continue
        r = run_shape(shape, work)
        results.append(r)
        for p in r["periods"]:  # type: ignore[attr-defined]
            enl = p["camera_band_enlargement"]
            print(
                f"{shape.name:32s} {p['truth_kind']:>12s} -> {p['found_kind']!s:12s} "
                f"screen IoU {p['screen_iou']:.2f}  camera IoU {p['camera_iou']:.2f}  "
                f"render {p['render']:6s} band enlargement "
                f"{'-' if enl is None else f'{enl:.2f}x'}  kind share {r['kind_share']:.3f}",
                flush=True,
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "framing.json").write_text(json.dumps(results, indent=2))
    failed = [r["shape"] for r in results if not _passes(r)]
    print("all shapes pass" if not failed else f"below target: {failed}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
