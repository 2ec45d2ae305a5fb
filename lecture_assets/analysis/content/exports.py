"""Chapter lists for players and platforms: WebVTT chapters and YouTube description lines."""

from __future__ import annotations

from pathlib import Path

from lecture_assets.analysis.content.score import chapters_text
from lecture_assets.analysis.models import Chapter


def _vtt_stamp(t: float) -> str:
    ms = round(max(0.0, t) * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def chapters_webvtt(chapters: list[Chapter], duration_s: float) -> str:
    """A WebVTT file for `<track kind="chapters">`: one cue per chapter, back to back."""
    lines = ["WEBVTT", ""]
    for k, chapter in enumerate(chapters):
        start = 0.0 if k == 0 else chapter.start
        end = chapters[k + 1].start if k + 1 < len(chapters) else max(chapter.end, duration_s)
        title = " ".join(chapter.title.split()).replace("-->", "->")
        lines += [f"chapter-{k + 1}", f"{_vtt_stamp(start)} --> {_vtt_stamp(end)}", title, ""]
    return "\n".join(lines)


def write_chapter_files(
    chapters: list[Chapter], duration_s: float, out_dir: Path
) -> tuple[Path, Path]:
    """Write `chapters.vtt` and `chapters.txt` (YouTube `00:00 Title` lines) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    vtt, txt = out_dir / "chapters.vtt", out_dir / "chapters.txt"
    vtt.write_text(chapters_webvtt(chapters, duration_s), encoding="utf-8")
    txt.write_text(chapters_text(chapters) + "\n", encoding="utf-8")
    return vtt, txt
