"""Rendered clips are 1080x1920 H.264/AAC, on-plan in length, laid out and captioned right."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pysubs2
import pytest

from lecture_assets.analysis.media.ffmpeg import ffmpeg_exe, probe
from lecture_assets.analysis.models import (
    HighlightSegment,
    Interval,
    LayoutPeriod,
    Rect,
    ScreenLayout,
    SpeakerPosition,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.render.camera_band import camera_rates
from lecture_assets.analysis.render.caption_layer import caption_change_frames
from lecture_assets.analysis.render.captions import (
    BurnSchedule,
    CaptionStyle,
    Cue,
    build_cues,
    burn_schedule,
    write_ass,
    write_srt,
)
from lecture_assets.analysis.render.compile import render_clip
from lecture_assets.analysis.render.edl import write_edl, write_fcpxml
from lecture_assets.analysis.render.plan import RenderOptions, plan_clip

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FAST = RenderOptions(preset="ultrafast", threads=2)
SCREEN = Rect(0, 0, 480, 360)
CAMERA = Rect(480, 0, 160, 360)


def _make_source(path: Path, *, audio: bool = True, w: int = 640, h: int = 360) -> Path:
    """A lecture-like source: white slide with text on the left, orange camera on the right."""
    sw = w * 3 // 4
    text = "".join(
        f",drawtext=fontfile={FONT}:text='Line {i} gradient':fontsize={h // 16}:x=10:"
        f"y={10 + i * h // 8}:fontcolor=black"
        for i in range(6)
    )
    graph = (
        f"[0]null{text}[s];[1]drawbox=x='mod(t*20,{w - sw - 40})':y={h // 4}:w=40:h={h // 3}:"
        "color=0x202050:t=fill[c];[s][c]hstack=2,format=yuv444p[v]"
    )
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"color=c=white:s={sw}x{h}:r=25:d=6",
            "-f", "lavfi", "-i", f"color=c=0xe08030:s={w - sw}x{h}:r=25:d=6"]  # fmt: skip
    if audio:
        args += ["-f", "lavfi", "-i", "sine=f=440:sample_rate=44100:d=6"]
    args += ["-filter_complex", graph, "-map", "[v]"]
    args += ["-map", "2:a", "-c:a", "aac"] if audio else []
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "50", str(path)]
    subprocess.run(args, check=True)
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_source(tmp_path_factory.mktemp("src") / "lecture.mp4")


def _layout(kind: str, w: int = 640, h: int = 360) -> ScreenLayout:
    track = [SpeakerPosition(t / 2, 500 + (t * 7) % 100, 180) for t in range(12)]
    screen = SCREEN if kind != "camera" else None
    camera = CAMERA if kind != "slides" else None
    period = LayoutPeriod(0, 6, kind, screen, camera)  # type: ignore[arg-type]
    return ScreenLayout(w, h, SCREEN, CAMERA, [period], [], track)


SEGMENT = HighlightSegment(0, 0.4, 5.6, 1.0, "Gradient", "r", 0,
                           [Interval(0.4, 2.4), Interval(3.4, 5.6)])  # fmt: skip


def _frame(path: Path, t: float) -> np.ndarray:
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            if f.time is not None and f.time >= t:
                return f.to_ndarray(format="rgb24")
    raise AssertionError("no frame")


def _streams(path: Path) -> tuple[str, str, int, int]:
    with av.open(str(path)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        return v.codec_context.name, a.codec_context.name, v.width, v.height


def _words() -> Transcript:
    words = [Word(0.5 + i * 0.5, 0.8 + i * 0.5, f"word{i}") for i in range(10)]
    return Transcript("en", [TranscriptSegment(0.5, 5.5, "", words)], "t", 6.0)


def test_split_clip_has_screen_on_top_camera_below_and_synced_captions(
    source: Path, tmp_path: Path
) -> None:
    cues = build_cues(_words(), SEGMENT)
    ass = write_ass(cues, tmp_path / "c.ass")
    srt = pysubs2.load(str(write_srt(cues, tmp_path / "c.srt")))
    plan = plan_clip(source, probe(source), _layout("pip"), SEGMENT, ass, tmp_path / "c.mp4", FAST)
    progress: list[float] = []
    clip = render_clip(plan, timeout_s=120, on_progress=progress.append)
    assert _streams(clip.video_path) == ("h264", "aac", 1080, 1920)
    assert abs(clip.duration_s - SEGMENT.output_duration) <= 0.1
    assert progress[-1] == 1.0 and clip.thumbnail_path.stat().st_size > 0
    assert not list(tmp_path.glob(".*partial*"))
    # word4 (2.5-2.8 s) was cut; word6 at 3.5 s source plays at 2.0 + 0.1 s in the clip
    assert "word4" not in " ".join(e.plaintext for e in srt)
    w6 = next(e for e in srt if "word6" in e.plaintext.split())
    assert w6.start <= 2100 < w6.end <= round(SEGMENT.output_duration * 1000)
    frame = _frame(clip.video_path, 1.0).astype(float)
    bands = {k: int(v) for k, v in plan.band_heights.items()}
    top_y, top_h, caption_h = bands["top_y"], bands["top_h"], bands["caption_h"]
    top = frame[top_y : top_y + top_h]
    strip = frame[top_y + top_h : top_y + top_h + caption_h].mean(axis=2)
    assert top.mean() > 200  # the white slide, not cropped into the camera
    # the orange camera fills its own band right below the captions, never enlarged beyond
    # 2.5x: the band is no taller than the picture
    cam_w, cam_h, cam_y = bands["camera_w"], bands["camera_h"], bands["camera_y"]
    assert cam_y == top_y + top_h + caption_h and bands["bottom_h"] == cam_h
    x0 = (1080 - cam_w) // 2
    box = frame[cam_y + 8 : cam_y + cam_h - 8, x0 + 8 : x0 + cam_w - 8]
    r, g, b = box.reshape(-1, 3).mean(axis=0)
    assert r > 150 and r > g > b
    assert plan.band_heights["camera_scale"] <= 2.5
    # what is left is fill, shared above and below the stack: no void under the camera
    assert abs(top_y - bands["fill_below"]) <= 2
    assert top_y + top_h + caption_h + cam_h + bands["fill_below"] == 1920
    # the captions have a dark strip of their own between the two: white text on it at 1 s
    assert plan.caption_rows == (top_y + top_h, caption_h) and caption_h > 100
    assert np.median(strip) < 60 and (strip > 200).mean() > 0.02
    # slide text survives at full width: dark text pixels in the top band's left half
    assert (top[:, :540].mean(axis=2) < 80).mean() > 0.005


@pytest.mark.parametrize("inset_x", [500, 380], ids=["over-the-edge", "inside"])
def test_camera_inset_on_the_screen_is_hidden_without_streaks(tmp_path: Path, inset_x: int) -> None:
    # a white slide (0-560 px) with a grey margin to its right, and an orange camera inset
    # that runs over the slide's right edge (500-620 px) or sits inside it: the split layout
    # shows the camera in its own band, so the inset's place is filled from the slide around it
    src = tmp_path / "pip.mp4"
    graph = (
        "[0]drawbox=x=560:y=0:w=80:h=360:color=0xd0d0d0:t=fill,"
        f"drawbox=x={inset_x}:y=220:w=120:h=120:color=0xe08030:t=fill,"
        f"drawtext=fontfile={FONT}:text='Gradient':fontsize=30:x=20:y=20:fontcolor=black[v]"
    )
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "color=c=white:s=640x360:r=25:d=3",
         "-f", "lavfi", "-i", "sine=f=440:sample_rate=44100:d=3",
         "-filter_complex", graph, "-map", "[v]", "-map", "1:a",
         "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(src)],
        check=True,
    )  # fmt: skip
    screen, camera = Rect(0, 0, 560, 360), Rect(inset_x, 220, 120, 120)
    period = LayoutPeriod(0, 3, "pip", screen, camera)
    layout = ScreenLayout(640, 360, screen, camera, [period], [], [])
    seg = HighlightSegment(0, 0.0, 2.5, 1.0, "t", "r", 0, [Interval(0.0, 2.5)])
    plan = plan_clip(src, probe(src), layout, seg, None, tmp_path / "c.mp4", FAST)
    frame = _frame(render_clip(plan, timeout_s=120).video_path, 1.0).astype(float)
    scale = 1080 / 560  # the slide fills the top band's width
    right = min(1080, round((inset_x + 118) * scale))
    hidden = frame[round(222 * scale) : round(338 * scale), round((inset_x + 2) * scale) : right]
    r, g, b = hidden.reshape(-1, 3).mean(axis=0)
    assert min(r, g, b) > 190, "the inset's place is not filled with the slide's white"
    assert (np.abs(hidden[..., 0] - hidden[..., 2]) > 40).mean() < 0.02, "orange streaks"


@pytest.mark.parametrize("kind", ["slides", "camera"])
def test_single_region_layouts_fill_the_frame_without_black_bars(
    source: Path, tmp_path: Path, kind: str
) -> None:
    plan = plan_clip(source, probe(source), _layout(kind), SEGMENT, None, tmp_path / "c.mp4", FAST)
    clip = render_clip(plan, timeout_s=120)
    frame = _frame(clip.video_path, 1.0).astype(float)
    assert frame.shape == (1920, 1080, 3)
    assert (frame.mean(axis=2) < 10).mean() < 0.01  # no black bars
    if kind == "camera":
        r, g, b = frame.reshape(-1, 3).mean(axis=0)
        assert r > g > b


def _band_changes(path: Path, rows: slice) -> tuple[list[bool], Fraction]:
    """Per frame after the first: did these rows change from the previous frame? And the rate."""
    changed: list[bool] = []
    with av.open(str(path)) as c:
        rate = Fraction(c.streams.video[0].average_rate or 0)
        prev = None
        for f in c.decode(video=0):
            band = f.to_ndarray(format="gray")[rows].astype(int)
            if prev is not None:
                changed.append(bool(np.abs(band - prev).max() > 40))
            prev = band
    return changed, rate


def test_slower_camera_holds_each_camera_picture_but_keeps_the_clip_rate(tmp_path: Path) -> None:
    # a camera that changes on every frame (ffmpeg's moving test pattern) beside a still slide
    source = tmp_path / "moving.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "color=c=white:s=480x360:r=25:d=6",
         "-f", "lavfi", "-i", "testsrc2=s=160x360:r=25:d=6",
         "-filter_complex", "[0][1]hstack=2[v]", "-map", "[v]",
         "-c:v", "libx264", "-preset", "ultrafast", str(source)], check=True,
    )  # fmt: skip
    info = probe(source)
    shares = {}
    for fps in (0.0, 12.5):
        options = RenderOptions(preset="ultrafast", threads=2, camera_fps=fps)
        out = tmp_path / f"c{fps}.mp4"
        plan = plan_clip(source, info, _layout("pip"), SEGMENT, None, out, options)
        clip = render_clip(plan, timeout_s=120)
        assert abs(clip.duration_s - SEGMENT.output_duration) <= 0.1
        assert not info.has_audio and _streams(clip.video_path)[1] == "aac"
        cam_y = int(plan.band_heights["camera_y"])
        changed, rate = _band_changes(clip.video_path, slice(cam_y, None))
        assert rate == 25  # the clip's rate is the source's, whatever the camera's
        shares[fps] = sum(changed) / len(changed)
    # the camera box moves on every source frame: at full rate every frame shows it moved,
    # at half rate every other one
    assert shares[0.0] > 0.9
    assert 0.4 <= shares[12.5] <= 0.6


def test_camera_rate_setting_only_ever_slows_the_camera() -> None:
    assert camera_rates(0, Fraction(30)) is None
    assert camera_rates(30, Fraction(30)) is None
    assert camera_rates(50, Fraction(25)) is None
    assert camera_rates(15, Fraction(30)) == (Fraction(15), Fraction(30))
    assert camera_rates(12.5, Fraction(25)) == (Fraction(25, 2), Fraction(25))


def test_source_without_audio_odd_size_and_rotation_still_renders(tmp_path: Path) -> None:
    odd = _make_source(tmp_path / "odd.mp4", audio=False, w=642, h=361)
    rotated = tmp_path / "rot.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-display_rotation:v:0", "90", "-i", str(odd),
         "-c", "copy", str(rotated)], check=True,
    )  # fmt: skip
    info = probe(rotated)
    assert not info.has_audio
    layout = ScreenLayout(info.height, info.width, None, None, [], [])
    seg = HighlightSegment(0, 0.0, 3.0, 1.0, "t", "r", 0, [Interval(0.0, 3.0)])
    ass = write_ass([], tmp_path / "none.ass")  # a clip with no words
    plan = plan_clip(rotated, info, layout, seg, ass, tmp_path / "c.mp4", FAST)
    clip = render_clip(plan, timeout_s=120)
    assert _streams(clip.video_path) == ("h264", "aac", 1080, 1920)
    assert abs(clip.duration_s - 3.0) <= 0.1


def test_edl_and_fcpxml_list_every_kept_range(tmp_path: Path) -> None:
    edl = write_edl([SEGMENT], "lecture.mp4", 25.0, tmp_path / "e.edl").read_text()
    assert "00:00:00:10 00:00:02:10 00:00:00:00 00:00:02:00" in edl
    assert "00:00:03:10 00:00:05:15 00:00:02:00 00:00:04:05" in edl
    xml = write_fcpxml([SEGMENT], "lecture.mp4", 25.0, 6.0, 640, 360, tmp_path / "e.fcpxml")
    assert xml.read_text().count("<asset-clip") == 2


def _gray_frames(path: Path, indices: set[int]) -> dict[int, np.ndarray]:
    frames: dict[int, np.ndarray] = {}
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i in indices:
                frames[i] = f.to_ndarray(format="gray").astype(int)
    return frames


@pytest.mark.parametrize(
    ("kind", "bottom_margin"),
    [
        ("pip", 400),  # split layout: the strip between the bands, whatever the margin
        ("pip", 0),
        ("slides", 400),  # the default margin, below the slide
        ("slides", 1100),  # over the slide's lower part
        ("camera", 0),  # down to the bottom edge of the frame
    ],
)
def test_burned_captions_change_on_their_cue_frames_and_stay_in_their_band(
    source: Path, tmp_path: Path, kind: str, bottom_margin: int
) -> None:
    # clip time: a two-line cue 0.6-1.6 s, then a one-line cue 2.4-3.2 s (25 fps output)
    cues = [
        Cue(0.6, 1.6, ["gradient descent walks", "downhill one step at a time"], []),
        Cue(2.4, 3.2, ["then it stops"], []),
    ]
    ass = write_ass(cues, tmp_path / "c.ass", CaptionStyle(bottom_margin=bottom_margin))
    info, layout = probe(source), _layout(kind)
    clips, plans = {}, {}
    for name, subs in (("plain", None), ("captioned", ass)):
        plans[name] = plan_clip(source, info, layout, SEGMENT, subs, tmp_path / f"{name}.mp4", FAST)
        clips[name] = render_clip(plans[name], timeout_s=120).video_path
    band = burn_schedule(ass)
    rows_of = plans["captioned"].caption_rows
    assert rows_of is not None
    band_y, band_h = rows_of
    if kind == "pip":
        # the split layout's strip: right below the screen band, above the camera band
        bands = plans["captioned"].band_heights
        assert band_y == bands["top_y"] + bands["top_h"] and band_h == band.band_h
    else:
        assert (band_y, band_h) == (band.band_y, band.band_h)
    # frame n shows t = n / 25: cue 1 covers frames 15-39, cue 2 frames 60-79
    shown = {15: 2, 30: 2, 39: 2, 60: 1, 79: 1}
    hidden = {14, 40, 59, 80}
    plain = _gray_frames(clips["plain"], set(shown) | hidden)
    captioned = _gray_frames(clips["captioned"], set(shown) | hidden)
    if kind == "pip":
        # the strip is there only with captions (the stack is centred, so it sits higher
        # up without them): the screen band above it is the plain clip's; the strip is
        # compared with itself at frame 14, before the first cue
        cb, pb = plans["captioned"].band_heights, plans["plain"].band_heights
        top_h = int(cb["top_h"])
        assert top_h == int(pb["top_h"]) and band_y == int(cb["top_y"]) + top_h
        c0, p0 = int(cb["top_y"]), int(pb["top_y"])
        for n in (*hidden, *shown):
            screen = captioned[n][c0 : c0 + top_h] - plain[n][p0 : p0 + top_h]
            assert (np.abs(screen) > 80).sum() < 50
        below = band_y + band_h
        plain = {
            n: np.vstack([f[:band_y], captioned[14][band_y:below], f[below:]])
            for n, f in captioned.items()
        }
    for n in hidden:
        assert (np.abs(captioned[n] - plain[n]) > 80).sum() < 50, f"caption on frame {n}"
    for n, lines in shown.items():
        text = np.abs(captioned[n] - plain[n]) > 80
        rows = np.flatnonzero(text.any(axis=1))
        assert text.sum() > 2000, f"no caption on frame {n}"
        assert band_y <= rows[0] and rows[-1] < band_y + band_h
        # both lines are drawn (66 px font): a second line adds about one line height
        assert rows[-1] - rows[0] > (110 if lines == 2 else 40)
        assert lines == 2 or rows[-1] - rows[0] < 110


def test_caption_change_frames_follow_libass_millisecond_rule() -> None:
    schedule = BurnSchedule([(1000, 2000)], 1300, 240)
    ntsc = Fraction(30000, 1001)
    # frame 29 is at 0.968 s, frame 30 at 1.001 s; frame 60 at 2.002 s
    assert caption_change_frames(schedule, ntsc, 100) == [0, 30, 60]
    assert caption_change_frames(schedule, Fraction(25), 40) == [0, 25]
