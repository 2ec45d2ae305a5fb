"""Plan one vertical 1080x1920 clip: the ffmpeg graph and arguments, decided without
touching the source (`compile` runs the plan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lecture_assets.analysis.media.ffmpeg import MediaError
from lecture_assets.analysis.models import HighlightSegment, ScreenLayout, SourceInfo
from lecture_assets.analysis.render import graph as cg
from lecture_assets.analysis.render.camera_band import camera_rates
from lecture_assets.analysis.render.caption_layer import caption_layer
from lecture_assets.analysis.render.captions import burn_schedule, to_output_time
from lecture_assets.analysis.render.frame import OUT_H

# over a camera-only clip the caption band sits this far above the bottom edge at most
CAMERA_CAPTION_MARGIN = 96


@dataclass(frozen=True)
class RenderOptions:
    """Encoder and layout settings for every clip of a job."""

    preset: str = "veryfast"
    crf: int = 21
    # encoder + filter threads per clip; parallel clips = cores // threads
    threads: int = 2
    audio_bitrate: str = "128k"
    loudnorm: bool = True
    target_lufs: float = -16.0
    # static gain measured once per lecture (see loudness.py); None = ffmpeg's loudnorm per
    # clip, which is ~10 % slower and pumps on pauses
    gain_db: float | None = None
    layout: cg.LayoutPreference = "auto"
    fonts_dir: str | None = None
    thumbnail_width: int = 720
    # frames per second of the camera picture; 0 = the clip's rate. 15 on a 30 fps clip holds
    # each camera picture for two frames: ~10 % less render CPU, a less fluid face
    camera_fps: float = 0.0


@dataclass(frozen=True)
class ClipPlan:
    """Everything needed to render one clip, decided without touching the source."""

    index: int
    source: Path
    out_path: Path
    args: list[str]
    filter_graph: str
    expected_duration_s: float
    layout: cg.RenderLayout
    fps: float
    band_heights: dict[str, float] = field(default_factory=dict)
    thumbnail_at_s: float = 0.0
    subtitles_ass: Path | None = None
    # frame rows (top, height) the burned-in captions are drawn in; None without captions
    caption_rows: tuple[int, int] | None = None


def plan_clip(
    source: Path,
    info: SourceInfo,
    layout: ScreenLayout,
    segment: HighlightSegment,
    subtitles_ass: Path | None,
    out_path: Path,
    options: RenderOptions | None = None,
) -> ClipPlan:
    """Build the ffmpeg argv for one clip (reads only the small ASS file; writes nothing).

    Raises MediaError when the source has no picture or the segment keeps nothing.
    """
    options = options or RenderOptions()
    if not info.has_video:
        raise MediaError(
            "NO_VIDEO",
            "The source has no video stream, so no vertical clip can be made. Upload a "
            "recording that contains the picture (screen and/or camera).",
        )
    rate = cg.output_rate(info)
    groups = cg.group_inputs(segment.keep, rate)
    if not groups:
        raise MediaError(
            "EMPTY_SEGMENT",
            f"Clip {segment.index} keeps no time ({segment.start:.1f}-{segment.end:.1f} s); "
            "re-run segment selection with a longer minimum clip length.",
        )
    duration = cg.planned_duration(groups, rate)
    chosen, screen, camera = cg.resolve_layout(layout, segment, info, options.layout)

    args: list[str] = []
    for g in groups:
        args += ["-ss", f"{g.start:.3f}", "-t", f"{g.duration:.3f}", "-i", str(source)]

    parts: list[str] = []
    labels: list[str] = []
    n = 0
    fps = f"fps={rate.numerator}/{rate.denominator}:start_time=0"
    aprep = f"aresample={cg.AUDIO_RATE}:async=1:first_pts=0,aformat=channel_layouts=stereo"
    for i, g in enumerate(groups):
        k = len(g.pieces)
        vsrc, asrc = f"[{i}:v:0]", f"[{i}:a:0]"
        vouts = [f"[v{i}_{j}]" for j in range(k)] if k > 1 else [f"[v{i}]"]
        aouts = [f"[a{i}_{j}]" for j in range(k)] if k > 1 else [f"[a{i}]"]
        parts.append(f"{vsrc}{fps}" + (f",split={k}{''.join(vouts)}" if k > 1 else vouts[0]))
        if info.has_audio:
            parts.append(f"{asrc}{aprep}" + (f",asplit={k}{''.join(aouts)}" if k > 1 else aouts[0]))
        for j, (a, b) in enumerate(g.pieces):
            parts.append(f"{vouts[j]}trim=start_frame={a}:end_frame={b},setpts=PTS-STARTPTS[pv{n}]")
            label = f"[pv{n}]"
            if info.has_audio:
                s0 = round(a / rate * cg.AUDIO_RATE)
                s1 = round(b / rate * cg.AUDIO_RATE)
                parts.append(
                    f"{aouts[j]}atrim=start_sample={s0}:end_sample={s1},"
                    f"asetpts=PTS-STARTPTS[pa{n}]"
                )
                label += f"[pa{n}]"
            labels.append(label)
            n += 1
    audio_n = 1 if info.has_audio else 0
    if n == 1:
        parts.append("[pv0]null[cat_v]" + (";[pa0]anull[cat_a]" if audio_n else ""))
    else:
        outs = "[cat_v]" + ("[cat_a]" if audio_n else "")
        parts.append(f"{''.join(labels)}concat=n={n}:v=1:a={audio_n}{outs}")
    # frame n at exactly n / rate: after a cut, concat's timestamps can fall a hair before
    # the grid, and a stack with the caption strip (timed on the grid) would pair such a
    # frame with the strip's previous picture
    parts.append(f"[cat_v]settb={rate.denominator}/{rate.numerator},setpts=N[base]")

    # an ASS file without events (a clip with no words) needs no caption layer at all
    schedule = burn_schedule(subtitles_ass) if subtitles_ass is not None else None
    if schedule is not None and not schedule.events:
        schedule = None
    layout_graph, bands, caption_strip = cg.layout_filters(
        chosen,
        screen,
        camera,
        layout.speaker_track,
        segment.keep,
        duration,
        schedule.band_h if schedule else 0,
        cg.display_size(info),
        camera_rates(options.camera_fps, rate),
    )
    parts.append(layout_graph)
    vfinal = "[laid]format=yuv420p"
    caption_rows: tuple[int, int] | None = None
    if schedule is not None:
        caps_y = schedule.band_y
        if chosen == "camera":
            # over a talking head the captions go low, below the face (never higher up)
            low = OUT_H - schedule.band_h - CAMERA_CAPTION_MARGIN
            caps_y = max(caps_y, low - low % 2)
        caption_rows = (
            (int(bands["caption_y"]), int(bands["caption_h"]))
            if caption_strip
            else (caps_y, schedule.band_h)
        )
        fonts_dir = options.fonts_dir or _default_fonts_dir()
        parts.append(
            caption_layer(
                str(subtitles_ass), fonts_dir, schedule, rate, duration, opaque=caption_strip
            )
        )
        if not caption_strip:
            vfinal += f"[flat];[flat][caps]overlay=0:{caps_y}:format=yuv420:eof_action=repeat"
    thumb_t = _thumbnail_time(segment, duration)
    # the thumbnail is one frame of this same pass (no second decode of the clip afterwards)
    thumb_frame = min(round(thumb_t * rate), max(0, round(duration * rate) - 1))
    parts.append(
        f"{vfinal},split=2[vout][vposter];[vposter]select='eq(n,{thumb_frame})',"
        f"scale={options.thumbnail_width}:-2[vthumb]"
    )
    total_samples = round(duration * cg.AUDIO_RATE)
    if audio_n:
        chain = "[cat_a]"
        if options.loudnorm and options.gain_db is not None:
            # one gain for the whole lecture, then a limiter holding peaks under -1.5 dBTP
            chain += f"volume={options.gain_db:.2f}dB,alimiter=limit=0.84:level=disabled,"
        elif options.loudnorm:
            chain += f"loudnorm=I={options.target_lufs}:TP=-1.5:LRA=11,aresample={cg.AUDIO_RATE},"
        # exact length, so the audio never outlasts the picture
        chain += f"apad,atrim=end_sample={total_samples}[aout]"
    else:
        # silent track so every clip plays on every platform
        chain = f"anullsrc=r={cg.AUDIO_RATE}:cl=stereo,atrim=end_sample={total_samples}[aout]"
    parts.append(chain)
    graph = ";".join(parts)

    tmp = temp_path(out_path)
    args += [
        "-filter_complex", graph,
        "-map", "[vout]", "-map", "[aout]",
        "-c:v", "libx264", "-preset", options.preset, "-crf", str(options.crf),
        "-pix_fmt", "yuv420p", "-profile:v", "high", "-threads", str(options.threads),
        "-filter_complex_threads", str(options.threads),
        "-c:a", "aac", "-b:a", options.audio_bitrate, "-ar", str(cg.AUDIO_RATE),
        "-movflags", "+faststart",
        "-t", f"{duration:.4f}", "-f", "mp4", str(tmp),
        "-map", "[vthumb]", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-update", "1",
        "-f", "image2", str(temp_path(thumbnail_path(out_path))),
    ]  # fmt: skip
    return ClipPlan(
        index=segment.index,
        source=source,
        out_path=out_path,
        args=args,
        filter_graph=graph,
        expected_duration_s=duration,
        layout=chosen,
        fps=float(rate),
        band_heights=bands,
        thumbnail_at_s=thumb_t,
        subtitles_ass=subtitles_ass,
        caption_rows=caption_rows,
    )


def _thumbnail_time(segment: HighlightSegment, duration: float) -> float:
    """Clip seconds of the poster frame: 40 % into the longest kept piece (mid-sentence)."""
    longest = max(segment.keep, key=lambda k: k.duration)
    t = to_output_time(longest.start + longest.duration * 0.4, segment.keep) or 0.0
    return min(t, max(0.0, duration - 0.1))


def temp_path(out_path: Path) -> Path:
    """The hidden name a file is written under before it is moved into place."""
    return out_path.with_name(f".{out_path.name}.partial")


def _default_fonts_dir() -> str | None:
    for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF"):
        if Path(d, "DejaVuSans-Bold.ttf").exists():
            return d
    return None


def thumbnail_path(out_path: Path) -> Path:
    """Where the thumbnail of a clip goes: next to it, `<stem>.jpg`."""
    return out_path.with_suffix(".jpg")
