"""The slides agent: read each slide's text at the slide changes the layout agent found."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from lecture_assets.analysis.media.frames import grab_frame_bgr
from lecture_assets.analysis.models import Rect, ScreenLayout
from lecture_assets.analysis.slides.ocr import OcrLine, read_text

ProgressCallback = Callable[[float], None]
SETTLE_S = 1.0  # read a slide this long after it appears: fades and builds have settled
MIN_SLIDE_S = 1.5  # shown for less than this: a transition or a flick past, not a slide
SAME_SLIDE_SHARE = 0.002  # pictures that differ in fewer pixels than this show one slide
TITLE_ZONE = 0.45  # a title sits in the upper part of the slide
MAX_TITLE_LINES = 3
# a line shorter than this has its letter width drawn toward the page's usual one, as if
# SIZE_PRIOR_LETTERS letters of the usual size were added to it
SHORT_LINE_LETTERS = 10
SIZE_PRIOR_LETTERS = 6
# reading one slide costs ~0.7 s of one core (seek + OCR); one read per 20 s of lecture at
# most keeps OCR under 0.04x realtime even when slides flick by every few seconds
SECONDS_PER_READ = 20.0
MIN_READS = 12
MIN_WORD_SHARE = 0.6
_EDGE_PUNCT = ".,:;!?\"'()"
# a word in lower case, Capitalised, CamelCase, hyphenated or an ACRONYM; or a number (7.14)
_PLAIN_TOKEN = re.compile(
    r"[A-Z]?[a-zà-ÿ]+(?:[A-Z][a-zà-ÿ]+)*(?:[-'][A-Za-zà-ÿ]+)*|[A-Z]{2,}s?|\d+(?:[.,/]\d+)*%?"
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]+")


@dataclass(frozen=True)
class Slide:
    """One slide as shown on screen: when, its title (top/largest line), all its text."""

    start: float
    end: float
    title: str
    text: str
    lines: list[str]


@dataclass(frozen=True)
class SlideDeck:
    """Output of the slides agent: slides in time order and the OCR work it took."""

    slides: list[Slide]
    frames_read: int = 0
    engine: str = "tesseract"
    note: str | None = None
    vocabulary: list[str] = field(default_factory=list)

    def at(self, t: float) -> Slide | None:
        """The slide on screen at time `t`, if any."""
        for slide in self.slides:
            if slide.start <= t < slide.end:
                return slide
        return None


def reads_as_words(text: str) -> bool:
    """Most of the line's tokens are words or numbers as people write them, one word has four
    letters or more: "Lecture 7.2: vector model" does, OCR noise ("dU] oxo] am", "a are") not."""
    tokens = [t.strip(_EDGE_PUNCT) for t in text.split()]
    tokens = [t for t in tokens if t]
    if not tokens:
        return False
    plain = [t for t in tokens if _PLAIN_TOKEN.fullmatch(t)]
    long_word = any(sum(c.isalpha() for c in t) >= 4 for t in plain)
    return long_word and len(plain) >= MIN_WORD_SHARE * len(tokens)


def _sizer(lines: list[OcrLine]) -> Callable[[OcrLine], float]:
    """Each line's font size, a short line's drawn toward the page's usual size: the letter
    width of one word says more about its letters ("Widmer": a wide W) than about its type."""
    raw = sorted(ln.size or float(ln.height) for ln in lines)
    usual = raw[(len(raw) - 1) // 2] if raw else 0.0

    def size(line: OcrLine) -> float:
        letters = sum(c.isalnum() for c in line.text)
        own = line.size or float(line.height)
        if letters >= SHORT_LINE_LETTERS:
            return own
        return (own * letters + usual * SIZE_PRIOR_LETTERS) / (letters + SIZE_PRIOR_LETTERS)

    return size


def slide_title(lines: list[OcrLine], picture_height: int) -> str:
    """The slide's title: the largest line in its upper part, with a wrapped second line."""
    if not lines:
        return ""
    upper = [ln for ln in lines if ln.top <= TITLE_ZONE * picture_height] or lines
    # a line must read as words, not a page number, a logo's initials or a texture
    worded = [ln for ln in upper if reads_as_words(ln.text)]
    if not worded:
        return ""
    _size = _sizer(lines)
    best = max(worded, key=lambda ln: (_size(ln), -ln.top))
    sizes = sorted(_size(ln) for ln in lines)
    if len(lines) >= 4 and _size(best) < 1.2 * sizes[(len(sizes) - 1) // 4]:
        return ""  # a page of same-size text (a list of names, a table) has no title line
    # a long title wraps: lines right above or below it in the same large type belong to it
    block = [best]
    ordered = sorted(lines, key=lambda ln: ln.top)
    at = ordered.index(best)
    for step in (-1, 1):
        i = at + step
        while 0 <= i < len(ordered):
            near, edge = ordered[i], block[0] if step < 0 else block[-1]
            if abs(near.top - edge.top) > 2.2 * best.height or _size(near) < 0.85 * _size(best):
                break
            block.insert(0, near) if step < 0 else block.append(near)
            i += step
            if len(block) == MAX_TITLE_LINES:
                break
        if len(block) == MAX_TITLE_LINES:
            break
    return " ".join(ln.text for ln in block).strip(" :-")


def _screen_at(layout: ScreenLayout, t: float) -> Rect | None:
    for period in layout.periods:
        if period.start <= t < period.end:
            if period.kind == "camera":
                return None
            return period.screen or Rect(0, 0, layout.width, layout.height)
    return layout.screen or Rect(0, 0, layout.width, layout.height)


def _crop(frame: NDArray[np.uint8], rect: Rect, layout: ScreenLayout) -> NDArray[np.uint8]:
    sx, sy = frame.shape[1] / max(1, layout.width), frame.shape[0] / max(1, layout.height)
    # a small margin: the layout's edge may clip the first or last letters of a line
    mx, my = 0.03 * rect.width, 0.03 * rect.height
    x0, y0 = max(0, int((rect.x - mx) * sx)), max(0, int((rect.y - my) * sy))
    x1 = min(frame.shape[1], int((rect.x + rect.width + mx) * sx))
    y1 = min(frame.shape[0], int((rect.y + rect.height + my) * sy))
    return frame[y0:y1, x0:x1]


def _thumb(picture: NDArray[np.uint8]) -> NDArray[np.float32]:
    gray = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY) if picture.ndim == 3 else picture
    return np.asarray(cv2.resize(gray, (192, 108), interpolation=cv2.INTER_AREA), np.float32)


def _same_picture(a: NDArray[np.float32], b: NDArray[np.float32]) -> bool:
    return float((np.abs(a - b) > 40.0).mean()) < SAME_SLIDE_SHARE


def slide_intervals(layout: ScreenLayout, duration_s: float) -> list[tuple[float, float]]:
    """Stretches between slide changes (and layout switches) long enough to be a slide."""
    cuts = {0.0, duration_s, *layout.slide_changes}
    cuts |= {p.start for p in layout.periods if 0 < p.start < duration_s}
    edges = sorted(t for t in cuts if 0.0 <= t <= duration_s)
    return [(a, b) for a, b in pairwise(edges) if b - a >= MIN_SLIDE_S]


def read_slides(
    video: Path,
    layout: ScreenLayout,
    duration_s: float,
    *,
    on_progress: ProgressCallback | None = None,
) -> SlideDeck:
    """OCR the screen once per slide; a slide shown again is read once, not twice."""
    slides: list[Slide] = []
    seen: list[tuple[NDArray[np.float32], list[OcrLine], int]] = []
    intervals = slide_intervals(layout, duration_s)
    budget = max(MIN_READS, math.ceil(duration_s / SECONDS_PER_READ))
    if len(intervals) > budget:
        # over budget: the slides shown longest are the ones chapters and speech are about
        longest = sorted(intervals, key=lambda iv: iv[0] - iv[1])[:budget]
        intervals = sorted(longest)
    frames_read = 0
    for n, (start, end) in enumerate(intervals):
        t = min(start + SETTLE_S, (start + end) / 2)
        rect = _screen_at(layout, t)
        if rect is None or rect.area == 0:
            continue
        frame = grab_frame_bgr(video, t, width=max(1280, layout.width))
        picture = _crop(frame, rect, layout)
        if picture.size == 0:
            continue
        thumb = _thumb(picture)
        match = next((s for s in seen if _same_picture(s[0], thumb)), None)
        if match is None:
            lines = read_text(picture)
            frames_read += 1
            match = (thumb, lines, picture.shape[0])
            seen.append(match)
        _, lines, height = match
        if lines:
            texts = [ln.text for ln in lines]
            slide = Slide(round(start, 3), round(end, 3), slide_title(lines, height),
                          "\n".join(texts), texts)  # fmt: skip
            if slides and slides[-1].text == slide.text and abs(slides[-1].end - start) < 1e-3:
                slides[-1] = Slide(slides[-1].start, slide.end, slide.title, slide.text, texts)
            else:
                slides.append(slide)
        if on_progress is not None:
            on_progress((n + 1) / max(1, len(intervals)))
    return SlideDeck(slides=slides, frames_read=frames_read, vocabulary=slide_vocabulary(slides))


def slide_vocabulary(slides: list[Slide], limit: int = 400) -> list[str]:
    """Distinct words of three letters or more shown on slides, most shown first."""
    counts: dict[str, tuple[int, str]] = {}
    for slide in slides:
        for word in _WORD.findall(slide.text):
            if len(word) < 3:
                continue
            key = word.lower()
            n, shown = counts.get(key, (0, word))
            counts[key] = (n + 1, shown)
    ranked = sorted(counts.values(), key=lambda c: (-c[0], c[1].lower()))
    return [w for _, w in ranked[:limit]]
