"""The layout agent finds whole camera pictures in lectures shaped like real recordings."""

from __future__ import annotations

import pytest

from lecture_assets.analysis.layout.detect import detect_layout
from lecture_assets.analysis.media.ffmpeg import probe
from lecture_assets.analysis.models import Rect, ScreenLayout
from tests.fixtures.layout_shapes import SHAPES, Shape, realmedia_present
from tests.fixtures.layouts import LayoutTruth, cached_layout_video


def kind_share(layout: ScreenLayout, truth: LayoutTruth, step: float = 0.1) -> float:
    """Share of the lecture's duration whose reported kind is the true one."""
    hits = total = 0
    for tp in truth.periods:
        t = tp.start + step / 2
        while t < tp.end:
            found = next((p for p in layout.periods if p.start <= t < p.end), None)
            hits += found is not None and found.kind == tp.kind
            total += 1
            t += step
    return hits / max(1, total)


def _iou(found: Rect | None, truth: Rect | None) -> float:
    if truth is None:
        return 1.0 if found is None else 0.0
    return 0.0 if found is None else found.iou(truth)


def _params() -> list[object]:
    marks = [pytest.mark.realmedia, pytest.mark.skipif(not realmedia_present(), reason="no GRID")]
    return [pytest.param(s, id=s.name, marks=marks if s.needs_realmedia else ()) for s in SHAPES]


@pytest.mark.parametrize("shape", _params())
def test_every_shape_gives_whole_pictures_and_the_right_kind(shape: Shape) -> None:
    path, truth = cached_layout_video(shape.spec, size=shape.size)
    layout = detect_layout(path, probe(path))
    assert kind_share(layout, truth) >= 0.95, [(p.kind, p.start) for p in layout.periods]
    for tp in truth.periods:
        # regions of each true period, read in its middle (away from a switch)
        mid = (tp.start + tp.end) / 2
        period = next(p for p in layout.periods if p.start <= mid < p.end)
        assert _iou(period.screen, tp.screen) >= 0.9, (tp.kind, period.screen, tp.screen)
        assert _iou(period.camera, tp.camera) >= 0.9, (tp.kind, period.camera, tp.camera)
        if tp.camera is not None and tp.screen is not None:
            # the screen region never takes the camera panel in with it
            assert tp.kind == "pip" or not _overlap(period.screen, period.camera)


def _overlap(a: Rect | None, b: Rect | None) -> bool:
    if a is None or b is None:
        return False
    return max(a.x, b.x) < min(a.x + a.width, b.x + b.width) and max(a.y, b.y) < min(
        a.y + a.height, b.y + b.height
    )
