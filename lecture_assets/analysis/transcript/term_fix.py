"""Post-correction: words the transcriber misheard snapped to the terms shown on screen.

Priming whisper with the slide text made it echo the prompt; correcting afterwards cannot add
words that were not said. A spoken word (or two words run together: "back propagation") that
is spelled almost like a technical term on the slide shown at that moment, or in the user's
glossary, becomes that term. Grammatical variants of the term ("weights" for "weight") and
words already on the slide are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz.distance import Indel

from lecture_assets.analysis.content.titles import STOPWORDS
from lecture_assets.analysis.models import Transcript, Word
from lecture_assets.analysis.slides.read import Slide
from lecture_assets.analysis.transcript.hints import TERM_PATTERN, is_term

_WORD = re.compile(r"^(\W*)([\w'\-]+)(\W*)$")
SIMILARITY = 0.8  # Indel similarity of spelling ("radiant" ~ "gradient" 0.80)
JOINED_SIMILARITY = 0.88  # two words run together must spell the term more closely
SLIDE_MARGIN_S = 20.0  # a slide's words count this long before it shows and after it goes
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "al", "ly")


@dataclass(frozen=True)
class TermFix:
    """One correction: what was heard, the term it became, and when."""

    start: float
    heard: str
    term: str


@dataclass(frozen=True)
class _Shown:
    start: float
    end: float
    terms: dict[str, str]  # lower-case -> as written


def snap_to_terms(
    transcript: Transcript, slides: list[Slide], glossary: list[str] | None = None
) -> tuple[Transcript, list[TermFix]]:
    """`transcript` with misheard words replaced by on-screen or glossary terms."""
    shown = [_Shown(s.start, s.end, _terms(s.lines or [s.title])) for s in slides]
    always = _terms(glossary or [])
    if not always and not any(s.terms for s in shown):
        return transcript, []
    fixes: list[TermFix] = []
    segments = []
    for segment in transcript.segments:
        words = _snap_words(segment.words, shown, always, fixes)
        if words is segment.words:
            segments.append(segment)
            continue
        text = " ".join(w.word.strip() for w in words if w.word.strip())
        segments.append(replace(segment, words=words, text=text))
    return replace(transcript, segments=segments), fixes


def _terms(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        for word in TERM_PATTERN.findall(line):
            if is_term(word) and not word.isupper():
                out.setdefault(word.lower(), word)
    return out


def _snap_words(
    words: list[Word], shown: list[_Shown], always: dict[str, str], fixes: list[TermFix]
) -> list[Word]:
    out: list[Word] = []
    changed = False
    i = 0
    while i < len(words):
        word = words[i]
        terms = dict(always)
        for s in shown:
            if s.start - SLIDE_MARGIN_S <= word.start <= s.end + SLIDE_MARGIN_S:
                terms.update(s.terms)
        parts = _WORD.match(word.word.strip())
        if not terms or parts is None:
            out.append(word)
            i += 1
            continue
        lead, token, trail = parts.groups()
        pair = _WORD.match(words[i + 1].word.strip()) if i + 1 < len(words) else None
        best = _closest(token, terms)
        if pair is not None and not trail and token.lower() not in STOPWORDS:
            joined = _closest(token + pair.group(2), terms, exact=True)
            # two heard words that spell one term ("eigen values") replace both
            if (
                joined is not None
                and joined[1] >= JOINED_SIMILARITY
                and (best is None or joined[1] > best[1])
            ):
                term = _cased(token, joined[0])
                nxt = words[i + 1]
                said = f"{word.word.strip()} {nxt.word.strip()}"
                fixes.append(TermFix(word.start, said, term))
                text = f"{lead}{term}{pair.group(3)}"
                out.append(Word(word.start, nxt.end, text, min(word.probability, nxt.probability)))
                changed = True
                i += 2
                continue
        if best is not None:
            term = _cased(token, best[0])
            fixes.append(TermFix(word.start, word.word.strip(), term))
            out.append(replace(word, word=f"{lead}{term}{trail}"))
            changed = True
        else:
            out.append(word)
        i += 1
    return out if changed else words


def _closest(token: str, terms: dict[str, str], exact: bool = False) -> tuple[str, float] | None:
    """The term `token` is a mishearing of, with its similarity; None if it is none (or the
    term itself, unless `exact`: two words run together that spell a term)."""
    low = token.lower()
    if len(low) < 4:
        return None
    if low in terms:
        return (terms[low], 1.0) if exact else None
    best: tuple[str, float] | None = None
    for key, written in terms.items():
        if _variant(low, key):
            return None  # the speaker said a form of the term: theirs to choose
        score = Indel.normalized_similarity(low, key)
        if score >= SIMILARITY and (best is None or score > best[1]):
            best = (written, score)
    return best


def _variant(a: str, b: str) -> bool:
    """`a` and `b` are forms of one word ("weight"/"weights", "shares"/"shared")."""
    short, long = sorted((a, b), key=len)
    return _stem(a) == _stem(b) or (long.startswith(short) and len(long) - len(short) <= 3)


def _stem(word: str) -> str:
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _cased(heard: str, term: str) -> str:
    # inner capitals ("ReLU", "PyTorch") are the term's own; a slide's Title Case is not, so a
    # plain word takes the case the speaker's word had
    if any(c.isupper() for c in term[1:]):
        return term
    low = term.lower()
    return low[:1].upper() + low[1:] if heard[:1].isupper() else low
