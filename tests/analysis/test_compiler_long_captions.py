"""Burned-in captions on the longest, densest clips, and render failures reported as ours."""

from __future__ import annotations

import random
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from lecture_assets.analysis.media.ffmpeg import MediaError, ffmpeg_exe, probe
from lecture_assets.analysis.models import (
    HighlightSegment,
    Interval,
    LayoutPeriod,
    Rect,
    ScreenLayout,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.render.caption_layer import frame_set_expr
from lecture_assets.analysis.render.captions import build_cues, burn_schedule, write_ass
from lecture_assets.analysis.render.compile import render_clip
from lecture_assets.analysis.render.plan import RenderOptions, plan_clip

FAST = RenderOptions(preset="ultrafast", threads=2)
SECONDS = 120.0


def _selected(expr: str, rate: int, seconds: float) -> list[int]:
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-filter_complex",
         f"color=s=32x32:r={rate}:d={seconds},select='{expr}',showinfo", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [int(p) for p in re.findall(r" n:\s*\d+ pts:\s*(\d+)", out.stderr)]


@pytest.mark.parametrize("count", [0, 1, 3, 130, 2500])
def test_frame_set_expression_selects_exactly_its_frames(count: int) -> None:
    # 2500 changes is karaoke at ~10 word changes a second over 120 s at 60 fps (the flat
    # sum this replaced failed to parse beyond ~130 terms)
    frames = sorted(random.Random(count).sample(range(7200), count))
    assert _selected(frame_set_expr(frames), 60, 120) == frames


def _source(path: Path) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=s=640x360:r=25:d={SECONDS + 2}",
         "-f", "lavfi", "-i", f"sine=f=300:sample_rate=48000:d={SECONDS + 2}",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def _dense_speech() -> Transcript:
    """Fast speech without pauses: 5 words a second for the whole clip."""
    rng = random.Random(7)
    vocab = ["so", "the", "gradient", "is", "a", "vector", "of", "partial", "derivatives", "we"]
    words = [Word(i * 0.2, i * 0.2 + 0.18, rng.choice(vocab)) for i in range(int(SECONDS * 5))]
    return Transcript("en", [TranscriptSegment(0.0, SECONDS, "", words)], "t", SECONDS)


def _layout(kind: str) -> ScreenLayout:
    screen = Rect(0, 0, 480, 360) if kind != "camera" else None
    camera = Rect(480, 0, 160, 360) if kind != "slides" else None
    period = LayoutPeriod(0, SECONDS + 2, kind, screen, camera)  # type: ignore[arg-type]
    return ScreenLayout(640, 360, screen, camera, [period], [], [])


@pytest.fixture(scope="module")
def long_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _source(tmp_path_factory.mktemp("long") / "lecture.mp4")


@pytest.mark.slow
@pytest.mark.parametrize(("karaoke", "kind"), [(True, "pip"), (False, "slides")])
def test_120_s_of_dense_speech_renders_with_captions(
    long_source: Path, tmp_path: Path, karaoke: bool, kind: str
) -> None:
    segment = HighlightSegment(0, 0.0, SECONDS, 1.0, "Dense", "r", 0, [Interval(0.0, SECONDS)])
    cues = build_cues(_dense_speech(), segment)
    ass = write_ass(cues, tmp_path / "c.ass", karaoke=karaoke)
    if karaoke:
        assert len(burn_schedule(ass).events) > 500  # one event per spoken word
    info = probe(long_source)
    plan = plan_clip(long_source, info, _layout(kind), segment, ass, tmp_path / "c.mp4", FAST)
    clip = render_clip(plan, timeout_s=1200)
    assert abs(clip.duration_s - SECONDS) <= 0.1 and (clip.width, clip.height) == (1080, 1920)


def test_a_broken_filter_graph_is_reported_as_ours_not_as_a_damaged_upload(
    tmp_path: Path,
) -> None:
    source = tmp_path / "s.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=3",
         "-f", "lavfi", "-i", "sine=d=3", "-c:v", "libx264", "-c:a", "aac", str(source)],
        check=True,
    )  # fmt: skip
    info = probe(source)
    segment = HighlightSegment(0, 0.0, 2.0, 1.0, "T", "r", 0, [Interval(0.0, 2.0)])
    layout = ScreenLayout(320, 180, Rect(0, 0, 320, 180), None, [], [], [])
    plan = plan_clip(source, info, layout, segment, None, tmp_path / "c.mp4", FAST)
    graph = plan.filter_graph.replace("[base]crop", "[base]nosuchfilter=1,crop", 1)
    broken = replace(plan, args=[graph if a == plan.filter_graph else a for a in plan.args])
    with pytest.raises(MediaError) as err:
        render_clip(broken, timeout_s=120)
    assert err.value.code == "RENDER_FAILED"
    assert "re-encode it as" not in err.value.message and "not because of your upload" in (
        err.value.message
    )
    assert not (tmp_path / "c.mp4").exists()
