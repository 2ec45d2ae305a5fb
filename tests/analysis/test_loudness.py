"""Clips come out at the broadcast loudness target whatever level the lecture was recorded at."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lecture_assets.analysis.media.ffmpeg import ffmpeg_exe, probe
from lecture_assets.analysis.media.loudness import integrated_loudness, normalising_gain_db
from lecture_assets.analysis.models import HighlightSegment, Interval, ScreenLayout
from lecture_assets.analysis.render.compile import render_clip
from lecture_assets.analysis.render.plan import RenderOptions, plan_clip
from tests.analysis.test_compiler import _make_source


def _tone(path: Path, amplitude: float) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
         "-i", f"aevalsrc={amplitude}*sin(2*PI*1000*t):s=16000:d=5", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_loudness_of_a_known_tone(tmp_path: Path) -> None:
    # a 1 kHz sine of peak amplitude 0.1 measures -3 dB + 20 log10(0.1) = -23 LUFS
    measured = integrated_loudness(_tone(tmp_path / "tone.wav", 0.1))
    assert measured is not None and abs(measured - -23.0) < 0.5
    assert normalising_gain_db(measured) == pytest.approx(7.0, abs=0.5)
    assert integrated_loudness(_tone(tmp_path / "silence.wav", 0.0)) is None
    assert normalising_gain_db(None) == 0.0


@pytest.mark.parametrize("amplitude", [0.3, 4.0])
def test_quiet_and_loud_lectures_render_near_minus_16_lufs(
    tmp_path: Path, amplitude: float
) -> None:
    source = _make_source(tmp_path / "src.mp4")
    # re-level the source's audio so one lecture is whispered and one is shouted
    levelled = tmp_path / "levelled.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-i", str(source), "-c:v", "copy",
         "-af", f"volume={amplitude}", "-c:a", "aac", str(levelled)],
        check=True,
    )  # fmt: skip
    info = probe(levelled)
    gain = normalising_gain_db(integrated_loudness(levelled))
    layout = ScreenLayout(info.width, info.height, None, None, [], [])
    segment = HighlightSegment(1, 0.5, 5.0, 1.0, "t", "r", 0, [Interval(0.5, 5.0)])
    options = RenderOptions(preset="ultrafast", gain_db=gain)
    plan = plan_clip(levelled, info, layout, segment, None, tmp_path / "clip.mp4", options)
    clip = render_clip(plan, timeout_s=120)
    loudness = integrated_loudness(clip.video_path)
    assert loudness is not None and abs(loudness - -16.0) <= 1.5, loudness
