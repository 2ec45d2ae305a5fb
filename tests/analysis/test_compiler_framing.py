"""Each lecture shape renders as its kind asks: no split for a talking head, no blown-up face."""

from __future__ import annotations

from pathlib import Path

import pytest

from lecture_assets.analysis.layout.detect import detect_layout
from lecture_assets.analysis.media.ffmpeg import probe
from lecture_assets.analysis.models import HighlightSegment, Interval, Rect, SpeakerPosition
from lecture_assets.analysis.render.camera_band import MAX_ENLARGE, camera_box, split_bands
from lecture_assets.analysis.render.compile import render_clip
from lecture_assets.analysis.render.frame import OUT_H, OUT_W
from lecture_assets.analysis.render.graph import _follow_expr
from lecture_assets.analysis.render.plan import RenderOptions, plan_clip
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


@pytest.mark.parametrize(
    ("screen", "camera", "strip"),
    [
        (Rect(0, 0, 640, 360), Rect(528, 288, 96, 54), 240),  # 15 % inset, 640 px source
        (Rect(0, 0, 720, 404), Rect(0, 0, 180, 100), 300),  # 25 % inset, 720 px source
        (Rect(0, 0, 1280, 720), Rect(900, 500, 320, 180), 240),  # 25 % inset, 720p
        (Rect(160, 0, 960, 720), Rect(0, 560, 192, 108), 240),  # 4:3 slides, small inset
        (Rect(0, 0, 820, 720), Rect(820, 0, 460, 720), 240),  # a big side panel
        (Rect(0, 0, 1920, 1080), Rect(1632, 918, 288, 162), 0),  # no captions, 1080p
    ],
)
def test_camera_band_is_as_tall_as_its_picture_and_the_stack_is_centred(
    screen: Rect, camera: Rect, strip: int
) -> None:
    sb = split_bands(screen, camera, strip)
    assert (sb.camera_w, sb.camera_h) == camera_box(camera, OUT_W, sb.camera_h)
    assert sb.camera_h <= MAX_ENLARGE * camera.height and sb.camera_w <= OUT_W
    assert sb.above + sb.screen_h + sb.strip_h + sb.camera_h + sb.below == OUT_H
    # leftover fill split evenly top and bottom, never a void under the camera alone
    assert min(sb.above, sb.below) >= 0 and abs(sb.above - sb.below) <= 2
    natural = OUT_W * screen.height / screen.width
    # the slides at full width whenever the camera leaves them the room (never cropped)
    if natural <= OUT_H - strip - sb.camera_h:
        assert abs(sb.screen_h - natural) <= 2
    if camera.width < 0.2 * screen.width:
        # a small camera: the fill below its band is a quarter of the frame at most
        assert sb.below <= 0.25 * OUT_H


def test_small_camera_beside_tall_slides_gives_the_slides_the_room() -> None:
    # slides taller than wide were held to 60 % of the frame (pillarboxed); beside a small
    # camera they get the rows the camera does not need, at full width
    sb = split_bands(Rect(0, 0, 540, 720), Rect(540, 0, 144, 81), 240)
    assert sb.screen_h == 1440 and sb.camera_h <= 2.5 * 81
    # a big camera keeps its band: the slides stay within 60 %
    big = split_bands(Rect(0, 0, 540, 720), Rect(540, 0, 740, 720), 240)
    assert big.screen_h == 1152 and big.camera_h == OUT_H - 1152 - 240


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
