"""Edit decision lists for a job's clips: CMX3600 EDL and FCPXML 1.9 that editors import."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lecture_assets.analysis.models import HighlightSegment


def _timebase(fps: float) -> int:
    return max(1, round(fps)) if fps > 0 else 30


def timecode(seconds: float, fps: float) -> str:
    """Non-drop-frame timecode HH:MM:SS:FF at the rounded frame rate."""
    tb = _timebase(fps)
    frames = round(max(0.0, seconds) * tb)
    ff = frames % tb
    s = frames // tb
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{ff:02d}"


def write_edl(
    segments: Sequence[HighlightSegment], source_name: str, fps: float, path: Path
) -> Path:
    """CMX3600 EDL: every kept range of every clip as a cut, clips back to back on V/A1.

    Clip titles appear as comments and as locators, so an editor sees where each clip starts.
    """
    tb = _timebase(fps)
    reel = "AX"
    lines = [f"TITLE: {_ascii(Path(source_name).stem)[:60]} highlights", "FCM: NON-DROP FRAME", ""]
    rec = 0.0
    event = 1
    for seg in sorted(segments, key=lambda s: s.index):
        for j, k in enumerate(sorted(seg.keep, key=lambda k: k.start)):
            src_in = round(k.start * tb) / tb
            src_out = round(k.end * tb) / tb
            if src_out <= src_in:
                continue
            dur = src_out - src_in
            lines.append(
                f"{event:03d}  {reel:<8} AA/V  C        {timecode(src_in, tb)} "
                f"{timecode(src_out, tb)} {timecode(rec, tb)} {timecode(rec + dur, tb)}"
            )
            lines.append(f"* FROM CLIP NAME: {_ascii(source_name)}")
            if j == 0:
                lines.append(f"* CLIP {seg.index + 1}: {_ascii(seg.title)[:70]}")
                lines.append(f"* LOC: {timecode(rec, tb)} GREEN   CLIP {seg.index + 1}")
            lines.append("")
            rec += dur
            event += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="ascii")
    return path


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii").replace("\n", " ")


def _rt(seconds: Fraction | float, frame: Fraction) -> str:
    """FCPXML rational time snapped to whole frames."""
    frames = round(Fraction(seconds) / frame)
    value = frames * frame
    return f"{value.numerator}/{value.denominator}s" if value.denominator != 1 else f"{value}s"


def write_fcpxml(
    segments: Sequence[HighlightSegment],
    source_name: str,
    fps: float,
    duration_s: float,
    width: int,
    height: int,
    path: Path,
    *,
    source_url: str | None = None,
) -> Path:
    """FCPXML 1.9 with one project per clip; each kept range is an asset-clip on the spine.

    Opens in Final Cut Pro and DaVinci Resolve; `source_url` is the media's file:// URL
    (default: the bare file name, which editors relink next to the .fcpxml).
    """
    source_url = source_url or Path(source_name).name
    rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(30)
    frame = 1 / rate
    fd = f"{frame.numerator}/{frame.denominator}s"
    name = quoteattr(source_name)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!DOCTYPE fcpxml>",
        '<fcpxml version="1.9">',
        "  <resources>",
        f'    <format id="r1" frameDuration="{fd}" width="{width}" height="{height}"/>',
        f'    <asset id="r2" name={name} start="0s" duration="{_rt(duration_s, frame)}" '
        f'hasVideo="1" hasAudio="1" format="r1">',
        f'      <media-rep kind="original-media" src={quoteattr(source_url)}/>',
        "    </asset>",
        "  </resources>",
        "  <library>",
        f'    <event name={quoteattr(Path(source_name).stem + " highlights")}>',
    ]
    for seg in sorted(segments, key=lambda s: s.index):
        offset = Fraction(0)
        clips: list[str] = []
        for k in sorted(seg.keep, key=lambda k: k.start):
            start = round(Fraction(k.start) / frame) * frame
            dur = round(Fraction(k.end) / frame) * frame - start
            if dur <= 0:
                continue
            clips.append(
                f'            <asset-clip ref="r2" name={name} offset="{_rt(offset, frame)}" '
                f'start="{_rt(start, frame)}" duration="{_rt(dur, frame)}" format="r1"/>'
            )
            offset += dur
        title = quoteattr(f"Clip {seg.index + 1}: {seg.title}")
        out += [
            f"      <project name={title}>",
            f'        <sequence format="r1" duration="{_rt(offset, frame)}" tcStart="0s">',
            "          <spine>",
            *clips,
            "          </spine>",
            "        </sequence>",
            f"        <!-- {escape(seg.reason).replace('--', '-')} -->",
            "      </project>",
        ]
    out += ["    </event>", "  </library>", "</fcpxml>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")
    return path
