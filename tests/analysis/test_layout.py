"""The layout agent finds screen and camera regions, layout switches and slide changes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from lecture_assets.analysis.layout.detect import detect_layout, render_layout_previews
from lecture_assets.analysis.media.ffmpeg import MediaError, ffmpeg_exe, probe
from lecture_assets.analysis.models import LayoutPeriod, Rect, ScreenLayout
from tests.fixtures.layouts import LayoutSpec, Segment, cached_layout_video

REALMEDIA = Path(__file__).resolve().parents[3] / "shared" / "realmedia" / "video" / "opencast"

# (case id, segments, frame size) - each shape PySceneDetect-style, as data
CASES = [
    ("pip-br", (Segment("pip", 20, corner="br", inset_frac=0.25),), (640, 360)),
    (
        "pip-tl-small-border",
        (Segment("pip", 20, corner="tl", inset_frac=0.15, border=True),),
        (640, 360),
    ),
    ("pip-tr-large", (Segment("pip", 20, corner="tr", inset_frac=0.35),), (640, 360)),
    ("pip-bl-720p", (Segment("pip", 20, corner="bl", inset_frac=0.2),), (1280, 720)),
    ("side-by-side", (Segment("side_by_side", 20),), (640, 360)),
    ("side-by-side-camera-left", (Segment("side_by_side", 20, camera_right=False),), (640, 360)),
    ("slides-only", (Segment("slides", 20),), (640, 360)),
    ("camera-only", (Segment("camera", 20),), (640, 360)),
]  # fmt: skip


def _period_at(layout: ScreenLayout, t: float) -> LayoutPeriod:
    return next(p for p in layout.periods if p.start <= t < p.end)


def _region_ok(found: Rect | None, truth: Rect | None) -> bool:
    if truth is None:
        return found is None
    return found is not None and found.iou(truth) >= 0.9


@pytest.mark.parametrize(("case", "segments", "size"), CASES, ids=[c[0] for c in CASES])
def test_regions_match_the_truth(
    case: str, segments: tuple[Segment, ...], size: tuple[int, int]
) -> None:
    path, truth = cached_layout_video(LayoutSpec(segments, slide_every_s=5.0), size=size)
    layout = detect_layout(path, probe(path))
    [expected] = truth.periods
    assert [p.kind for p in layout.periods] == [expected.kind]
    assert _region_ok(layout.screen, expected.screen), (layout.screen, expected.screen)
    assert _region_ok(layout.camera, expected.camera), (layout.camera, expected.camera)
    found = layout.slide_changes
    assert all(any(abs(c - f) <= 0.5 for f in found) for c in truth.slide_changes), found
    assert len(found) <= len(truth.slide_changes) + 1


def test_a_switch_mid_lecture_is_found_within_two_seconds() -> None:
    spec = LayoutSpec(
        (Segment("pip", 14, corner="br"), Segment("side_by_side", 16)), slide_every_s=5.0
    )
    path, truth = cached_layout_video(spec)
    layout = detect_layout(path, probe(path))
    assert [p.kind for p in layout.periods] == ["pip", "side_by_side"]
    assert abs(layout.periods[1].start - truth.periods[1].start) <= 2.0
    for expected in truth.periods:
        period = _period_at(layout, (expected.start + expected.end) / 2)
        assert _region_ok(period.screen, expected.screen)
        assert _region_ok(period.camera, expected.camera)


def test_camera_follows_the_speaker_and_previews_are_written(tmp_path: Path) -> None:
    path, _truth = cached_layout_video(LayoutSpec((Segment("camera", 20),)))
    layout = detect_layout(path, probe(path))
    xs = [p.cx for p in layout.speaker_track]
    assert len(xs) >= 3 and max(xs) - min(xs) > 0.1 * layout.width  # the speaker walks
    previews = render_layout_previews(path, layout, tmp_path)
    assert len(previews) == len(layout.periods) and all(p.stat().st_size > 1000 for p in previews)


def _lavfi(tmp_path: Path, name: str, source: str, seconds: float = 6) -> Path:
    out = tmp_path / name
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", source, "-t", str(seconds),
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)],
        check=True,
    )  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("tiny.mp4", "testsrc2=size=64x48:rate=10"),
        ("portrait.mp4", "testsrc2=size=360x640:rate=10"),
        ("black.mp4", "color=black:size=320x240:rate=10"),
    ],
)
def test_awkward_pictures_give_sane_output(tmp_path: Path, name: str, source: str) -> None:
    path = _lavfi(tmp_path, name, source)
    info = probe(path)
    layout = detect_layout(path, info)
    assert (layout.width, layout.height) == (info.width, info.height)
    assert layout.periods and layout.periods[-1].end <= info.duration_s + 1
    for period in layout.periods:
        for rect in (period.screen, period.camera):
            if rect is not None:
                assert rect.x >= 0 and rect.y >= 0
                assert rect.x + rect.width <= info.width and rect.y + rect.height <= info.height
    if name == "black.mp4":
        assert layout.screen is None and layout.slide_changes == []


def test_audio_only_file_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "audio.m4a"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=duration=2", str(out)], check=True
    )
    with pytest.raises(MediaError) as err:
        detect_layout(out, probe(out))
    assert "video" in err.value.message.lower() or "picture" in err.value.message.lower()


@pytest.mark.realmedia
@pytest.mark.parametrize("name", ["scene-change", "slidechanges"])
def test_real_opencast_slide_changes_within_half_a_second(name: str) -> None:
    video = REALMEDIA / f"{name}.mov"
    if not video.exists():
        pytest.skip("../shared/realmedia is not present")
    truth = json.loads((REALMEDIA / f"{name}.slides.json").read_text())["slide_changes_s"]
    info = probe(video)
    found = detect_layout(video, info).slide_changes
    assert all(any(abs(t - f) <= 0.5 for f in found) for t in truth), found
    false = [f for f in found if all(abs(t - f) > 0.5 for t in truth)]
    assert len(false) <= max(1, info.duration_s / 60)
