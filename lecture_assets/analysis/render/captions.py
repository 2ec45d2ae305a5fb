"""Turn transcript words into clip-relative caption cues and write SRT, WebVTT and ASS files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysubs2

from lecture_assets.analysis.models import HighlightSegment, Interval, Transcript, Word

# canvas the ASS file is authored for; libass scales it to the video size
PLAY_W, PLAY_H = 1080, 1920
_SENTENCE_END = (".", "?", "!", "\u2026", "\u3002", "\uff1f", "\uff01")


@dataclass(frozen=True)
class CaptionStyle:
    """How burned-in captions look; pixel values are for a 1080x1920 canvas."""

    font: str = "DejaVu Sans"
    # directory libass searches for `font` (None: fontconfig's system fonts)
    fonts_dir: str | None = None
    font_size: int = 66
    bold: bool = True
    outline: float = 5.0
    shadow: float = 2.0
    # keep clear of platform UI: captions/buttons at the bottom, action column on the right
    bottom_margin: int = 400
    side_margin: int = 90
    max_chars_per_line: int = 28
    max_lines: int = 2
    karaoke: bool = False
    # break a cue at a pause this long between words (source seconds)
    pause_break_s: float = 0.6
    max_cue_s: float = 5.0
    # ASS colours, &HAABBGGRR
    text_colour: str = "&H00FFFFFF"
    highlight_colour: str = "&H0000D7FF"
    outline_colour: str = "&H00000000"


@dataclass(frozen=True)
class CueWord:
    """One spoken word in clip-output seconds."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Cue:
    """One caption on screen: at most `max_lines` lines, times in clip-output seconds."""

    start: float
    end: float
    lines: list[str]
    words: list[CueWord]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def to_output_time(t: float, keep: Sequence[Interval]) -> float | None:
    """Map a source time onto the clip timeline after jump cuts; None when it was cut out."""
    offset = 0.0
    for k in keep:
        if k.start <= t <= k.end:
            return offset + (t - k.start)
        offset += k.duration
    return None


def _clip_word(w: Word, keep: Sequence[Interval]) -> CueWord | None:
    mid = (w.start + w.end) / 2.0
    offset = 0.0
    for k in keep:
        if k.start <= mid < k.end or (k.start <= mid <= k.end and mid == k.end):
            start = offset + (max(w.start, k.start) - k.start)
            end = offset + (min(w.end, k.end) - k.start)
            text = w.word.strip()
            return CueWord(start, max(end, start + 0.05), text) if text else None
        offset += k.duration
    return None


def _wrap(words: Sequence[str], max_chars: int, max_lines: int) -> list[str] | None:
    """Split words into <= max_lines balanced lines of <= max_chars; None if they do not fit."""
    text = " ".join(words)
    if len(text) <= max_chars:
        return [text]
    if max_lines < 2:
        return None
    best: tuple[int, list[str]] | None = None
    for i in range(1, len(words)):
        a, b = " ".join(words[:i]), " ".join(words[i:])
        if len(a) <= max_chars and len(b) <= max_chars:
            # prefer balanced lines, the shorter one on top
            score = abs(len(a) - len(b)) + (2 if len(a) > len(b) else 0)
            if best is None or score < best[0]:
                best = (score, [a, b])
    if best is not None:
        return best[1]
    if len(words) == 1:
        # one very long word: let it overflow rather than drop it
        return [text]
    return None


def build_cues(
    transcript: Transcript, segment: HighlightSegment, style: CaptionStyle | None = None
) -> list[Cue]:
    """Caption cues for one clip, in clip-output time after the segment's jump cuts.

    Words whose middle falls in a trimmed gap are dropped; cues break at sentence ends,
    pauses and when two lines are full.
    """
    style = style or CaptionStyle()
    keep = sorted(segment.keep, key=lambda k: k.start)
    total = sum(k.duration for k in keep)
    pairs: list[tuple[Word, CueWord]] = []
    for w in sorted(transcript.words, key=lambda w: w.start):
        cw = _clip_word(w, keep)
        if cw is not None and cw.start < total:
            pairs.append((w, CueWord(cw.start, min(cw.end, total), cw.text)))

    groups: list[list[CueWord]] = []
    current: list[CueWord] = []
    prev_src: Word | None = None
    for src, cw in pairs:
        if current:
            assert prev_src is not None
            gap = src.start - prev_src.end
            fits = _wrap(
                [c.text for c in [*current, cw]], style.max_chars_per_line, style.max_lines
            )
            too_long = cw.end - current[0].start > style.max_cue_s
            ends = prev_src.word.strip().endswith(_SENTENCE_END)
            if fits is None or too_long or ends or gap >= style.pause_break_s:
                groups.append(current)
                current = []
        current.append(cw)
        prev_src = src
    if current:
        groups.append(current)

    cues: list[Cue] = []
    for i, g in enumerate(groups):
        lines = _wrap([c.text for c in g], style.max_chars_per_line, style.max_lines)
        start, end = g[0].start, g[-1].end
        # hold a caption a little past its last word, never into the next cue or past the clip
        nxt = groups[i + 1][0].start if i + 1 < len(groups) else total
        end = min(max(end + 0.25, start + 0.8), nxt, total)
        if end - start < 0.04:
            continue
        cues.append(Cue(round(start, 3), round(end, 3), lines or [" ".join(c.text for c in g)], g))
    return cues


def _events(cues: Sequence[Cue]) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for c in cues:
        subs.append(
            pysubs2.SSAEvent(start=_ms(c.start), end=_ms(c.end), text=c.text.replace("\n", "\\N"))
        )
    return subs


def _ms(t: float) -> int:
    return round(t * 1000.0)


def write_srt(cues: Sequence[Cue], path: Path) -> Path:
    """Write cues as SubRip (times relative to the clip); an empty list gives an empty file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cues:
        path.write_text("", encoding="utf-8")
        return path
    _events(cues).save(str(path), format_="srt", encoding="utf-8")
    return path


def write_vtt(cues: Sequence[Cue], path: Path) -> Path:
    """Write cues as WebVTT (times relative to the clip); no cues gives a valid empty WebVTT."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cues:
        path.write_text("WEBVTT\n\n", encoding="utf-8")
        return path
    _events(cues).save(str(path), format_="vtt", encoding="utf-8")
    return path


def _ass_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "(").replace("}", ")")


def write_ass(
    cues: Sequence[Cue], path: Path, style: CaptionStyle | None = None, karaoke: bool | None = None
) -> Path:
    """Write an ASS file for burning in; karaoke colours the word being spoken.

    `karaoke` overrides `style.karaoke` when given. No cues gives a valid file with no events.
    """
    style = style or CaptionStyle()
    karaoke = style.karaoke if karaoke is None else karaoke
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"] = str(PLAY_W)
    subs.info["PlayResY"] = str(PLAY_H)
    subs.info["WrapStyle"] = "2"  # we wrap ourselves; libass must not re-wrap
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=style.font,
        fontsize=style.font_size,
        bold=style.bold,
        primarycolor=pysubs2.Color(*_rgba(style.text_colour)),
        secondarycolor=pysubs2.Color(*_rgba(style.highlight_colour)),
        outlinecolor=pysubs2.Color(*_rgba(style.outline_colour)),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=style.outline,
        shadow=style.shadow,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=style.side_margin,
        marginr=style.side_margin,
        marginv=style.bottom_margin,
    )
    for c in cues:
        if not karaoke or not c.words:
            subs.append(
                pysubs2.SSAEvent(start=_ms(c.start), end=_ms(c.end), text=_ass_text(c.lines))
            )
            continue
        # one event per word: the whole cue stays put, the spoken word changes colour
        for i, w in enumerate(c.words):
            start = c.start if i == 0 else w.start
            end = c.words[i + 1].start if i + 1 < len(c.words) else c.end
            if end - start <= 0.0:
                continue
            text = _ass_text(c.lines, highlight=i, colour=style.highlight_colour)
            subs.append(pysubs2.SSAEvent(start=_ms(start), end=_ms(end), text=text))
    path.parent.mkdir(parents=True, exist_ok=True)
    subs.save(str(path), format_="ass", encoding="utf-8")
    return path


def _ass_text(lines: Sequence[str], highlight: int | None = None, colour: str = "") -> str:
    out: list[str] = []
    n = 0
    for line in lines:
        words = []
        for word in line.split(" "):
            esc = _ass_escape(word)
            if highlight is not None and n == highlight:
                esc = f"{{\\c&H{colour[-6:]}&}}{esc}{{\\r}}"
            words.append(esc)
            n += 1
        out.append(" ".join(words))
    return "\\N".join(out)


def _rgba(ass_colour: str) -> tuple[int, int, int, int]:
    """&HAABBGGRR -> (r, g, b, a)."""
    v = int(ass_colour.replace("&H", "").rstrip("&"), 16)
    return v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >> 24) & 0xFF


@dataclass(frozen=True)
class BurnSchedule:
    """What a burn-in needs to know of an ASS file: when the picture changes, and where."""

    # event (start, end) in whole milliseconds, as libass reads them
    events: list[tuple[int, int]]
    # the horizontal band of the canvas every caption stays inside: top row, height (even)
    band_y: int
    band_h: int


def burn_schedule(path: Path) -> BurnSchedule:
    """Read back an ASS file written by `write_ass`: its event times and caption band.

    The band is bounded by each style's bottom margin and font size times the most lines any
    event has, plus outline and shadow, so a burn-in may blend that band only.
    """
    subs = pysubs2.load(str(path), encoding="utf-8")
    play_h = int(subs.info.get("PlayResY", PLAY_H))
    events = [(e.start, e.end) for e in subs.events if e.end > e.start and not e.is_comment]
    lines = max((e.text.count("\\N") + 1 for e in subs.events), default=1)
    top, bottom = play_h, 0
    for st in subs.styles.values():
        edge = int(st.outline + st.shadow) + 12
        base = play_h - int(st.marginv)
        top = min(top, base - int(lines * st.fontsize * 1.3) - edge)
        bottom = max(bottom, base + edge)
    top = max(0, top - top % 2)
    bottom = min(play_h, bottom + bottom % 2)
    if bottom <= top:
        top, bottom = 0, play_h - play_h % 2
    return BurnSchedule(events, top, bottom - top)
