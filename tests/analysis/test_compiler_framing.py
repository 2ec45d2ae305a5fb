"""Each lecture shape renders as its kind asks: no split for a talking head, no blown-up face."""

from __future__ import annotations

from pathlib import Path

import pytest

from lecture_assets.analysis.compiler import RenderOptions, plan_clip, render_clip
from lecture_assets.analysis.compiler_graph import MAX_ENLARGE, _follow_expr, camera_box
from lecture_assets.analysis.layout import detect_layout
from lecture_assets.analysis.media import probe
from lecture_assets.analysis.models import HighlightSegment, Interval, Rect, SpeakerPosition
from tests.fixtures.layout_shapes import SHAPES
from tests.fixtures.layouts import cached_layout_video

FAST = RenderOptions(preset="ultrafast", threads=2)


@pytest.mark.parametrize(
    ("camera", "band", "fills"),
    [
        (Rect(0, 0, 96, 54), (1080, 900), False),  # a 15 % inset of a 640 px frame
        (Rect(0, 0, 460, 620), (1080, 900), True),  # a big side panel fills the band
        (Rect(0, 0, 320, 180), (1080, 900), False),
        (Rect(0, 0, 100, 600), (1080, 700), False),  # tall and narrow
    ],
)
def test_camera_box_never_enlarges_beyond_the_limit(
    camera: Rect, band: tuple[int, int], fills: bool
) -> None:
    w, h = camera_box(camera, *band)
    assert w <= band[0] and h <= band[1] and ((w, h) == band) == fills
    # the cover crop of the camera at the box's aspect is enlarged by at most the limit
    aspect = w / h
    crop_w = min(camera.width, camera.height * aspect)
    crop_h = min(camera.height, camera.width / aspect)
    assert 0.9 * MAX_ENLARGE <= max(w / crop_w, h / crop_h) <= MAX_ENLARGE or fills


def test_one_bad_detection_does_not_move_the_crop() -> None:
    region = Rect(0, 0, 1280, 720)
    track = [SpeakerPosition(t / 2, 640.0, 300.0) for t in range(40)]
    track[21] = SpeakerPosition(10.5, 1200.0, 300.0)  # one face found on a poster
    expr = _follow_expr(track, [Interval(0, 20)], region, 404, 20.0)
    assert "clip(" not in expr  # a constant position: no move at all


SHAPE_RENDERS = ["pip-still-tl-15", "side-sensor-left-720p", "camera-still", "slides-letterbox"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPE_RENDERS)
def test_each_shape_renders_as_its_kind(name: str, tmp_path: Path) -> None:
    shape = next(s for s in SHAPES if s.name == name)
    path, truth = cached_layout_video(shape.spec, size=shape.size)
    info = probe(path)
    layout = detect_layout(path, info)
    segment = HighlightSegment(0, 4.0, 10.0, 1.0, "t", "r", 0, [Interval(4.0, 10.0)])
    plan = plan_clip(path, info, layout, segment, None, tmp_path / "c.mp4", FAST)
    kind = truth.periods[0].kind
    expected = {"pip": "split", "side_by_side": "split", "camera": "camera", "slides": "screen"}
    assert plan.layout == expected[kind]
    if plan.layout == "split":
        assert plan.band_heights["camera_scale"] <= MAX_ENLARGE
    clip = render_clip(plan, timeout_s=600)
    assert (clip.width, clip.height) == (1080, 1920)
