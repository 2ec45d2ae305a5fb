"""What the lecture's screen and the user's glossary tell the transcriber to expect."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lecture_assets.analysis.content.titles import STOPWORDS
from lecture_assets.analysis.models import Interval
from lecture_assets.analysis.slides.read import Slide

TERM_PATTERN = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*[A-Za-zÀ-ÿ0-9]")
MAX_PROMPT_CHARS = 600  # whisper keeps at most 223 prompt tokens; ~600 characters of terms


@dataclass(frozen=True)
class TranscriptHints:
    """Slide text over time plus a glossary; `prompt(a, b)` is what to prime a stretch with."""

    slides: list[Slide] = field(default_factory=list)
    glossary: list[str] = field(default_factory=list)
    # whether the slides prime the first decoding too (off in the pipeline by default: whisper
    # echoed the prompt); they always prime the stretches heard again for a missed term
    prime_slides: bool = True

    def prompt(self, start: float, end: float) -> str:
        """Glossary terms, then (if `prime_slides`) the lines of the slides shown from `start`
        to `end`.

        A stretch of speech is primed with the text on screen while it was said, the way a
        listener reads the slide. Each line is written as a sentence of its own: whisper
        copies the prompt's style, and a comma list made it join sentences with commas.
        """
        spans = [Interval(start, end)] if self.prime_slides else []
        return self.slide_prompt(spans)

    def slide_prompt(self, spans: Sequence[Interval]) -> str:
        """Glossary terms, then the lines of the slides shown during any of `spans`."""
        lines: list[str] = [t.strip() for t in self.glossary if t.strip()]
        for slide in self.slides:
            if not any(slide.start < s.end and s.start < slide.end for s in spans):
                continue
            lines += [ln for ln in slide.lines if any(is_term(w) for w in TERM_PATTERN.findall(ln))]
        seen: set[str] = set()
        picked: list[str] = []
        size = 0
        for line in lines:
            text = line.strip().rstrip(".:;,")
            key = text.lower()
            if not text or key in seen:
                continue
            if size + len(text) + 2 > MAX_PROMPT_CHARS:
                break
            seen.add(key)
            picked.append(text[0].upper() + text[1:] + ".")
            size += len(text) + 2
        return " ".join(picked)

    def __bool__(self) -> bool:
        return bool(self.slides or self.glossary)


def is_term(word: str) -> bool:
    """A technical-looking word: five letters or more and no function word, or an acronym."""
    # technical words: long enough, not a function word; short capitalised acronyms too
    return (len(word) >= 5 and word.lower() not in STOPWORDS) or (len(word) >= 2 and word.isupper())


def parse_glossary(text: str | list[str] | None) -> list[str]:
    """Terms from a user's glossary: a list, or text separated by commas, semicolons or lines."""
    if text is None:
        return []
    items = text if isinstance(text, list) else re.split(r"[,;\n]", text)
    out: list[str] = []
    for item in items:
        term = " ".join(str(item).split())[:80]
        if term and term.lower() not in {t.lower() for t in out}:
            out.append(term)
    return out[:200]
