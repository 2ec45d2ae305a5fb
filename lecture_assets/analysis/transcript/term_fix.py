"""Post-correction: words the transcriber misheard snapped to the terms shown on screen.

Priming whisper with the slide text made it echo the prompt; correcting afterwards cannot add
words that were not said. A spoken word (or two words run together: "back propagation") that
is spelled almost like a technical term on the slide shown at that moment, or in the user's
glossary, becomes that term; so does one that sounds almost like a long term ("item values"
for "eigenvalues", by espeak-ng's phonemes: `phonetic`). Grammatical variants of the term
("weights" for "weight") and words already on the slide are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz.distance import Indel

from lecture_assets.analysis.content.titles import STOPWORDS
from lecture_assets.analysis.models import Transcript, Word
from lecture_assets.analysis.slides.read import Slide
from lecture_assets.analysis.transcript.hints import TERM_PATTERN, is_term
from lecture_assets.analysis.transcript.phonetic import pronunciations, sound_similarity

_WORD = re.compile(r"^(\W*)([\w'\-]+)(\W*)$")
SIMILARITY = 0.8  # Indel similarity of spelling ("radiant" ~ "gradient" 0.80)
JOINED_SIMILARITY = 0.88  # two words run together must spell the term more closely
# by sound: only long terms (a short word shares its sound with too many: "wait"/"weight"),
# and closer than any ordinary word came to one (real speech and lecture text against 49
# terms: "prime"/"prior" 0.80 and "waste"/"weight" 0.89 are short terms; none reached 0.75
# for a term of 7 letters or more)
SOUND_SIMILARITY = 0.75
SOUND_TERM_LETTERS = 7
SLIDE_MARGIN_S = 20.0  # a slide's words count this long before it shows and after it goes
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "al", "ly")


@dataclass(frozen=True)
class TermFix:
    """One correction: what was heard, the term it became, when, and how it was found
    ("snapped" by spelling or sound, or "heard again" primed with the slide)."""

    start: float
    heard: str
    term: str
    how: str = "snapped"


@dataclass(frozen=True)
class _Shown:
    start: float
    end: float
    terms: dict[str, str]  # lower-case -> as written


def snap_to_terms(
    transcript: Transcript, slides: list[Slide], glossary: list[str] | None = None
) -> tuple[Transcript, list[TermFix]]:
    """`transcript` with misheard words replaced by on-screen or glossary terms."""
    shown = [_Shown(s.start, s.end, slide_terms(s)) for s in slides]
    always = terms_in(glossary or [])
    if not always and not any(s.terms for s in shown):
        return transcript, []
    sounds = pronunciations(_sound_candidates(transcript, shown, always), transcript.language)
    fixes: list[TermFix] = []
    segments = []
    for segment in transcript.segments:
        words = _snap_words(segment.words, shown, always, sounds, fixes)
        if words is segment.words:
            segments.append(segment)
            continue
        text = " ".join(w.word.strip() for w in words if w.word.strip())
        segments.append(replace(segment, words=words, text=text))
    return replace(transcript, segments=segments), fixes


def _terms_at(t: float, shown: list[_Shown], always: dict[str, str]) -> dict[str, str]:
    """The glossary and the terms of the slides on screen around time `t`."""
    terms = dict(always)
    for s in shown:
        if s.start - SLIDE_MARGIN_S <= t <= s.end + SLIDE_MARGIN_S:
            terms.update(s.terms)
    return terms


def _sound_candidates(
    transcript: Transcript, shown: list[_Shown], always: dict[str, str]
) -> set[str]:
    """Long terms, and the words and word pairs said while one of them was on screen."""
    out: set[str] = set()
    for segment in transcript.segments:
        tokens = [word_token(w) for w in segment.words]
        for i, word in enumerate(segment.words):
            long_terms = [t for t in _terms_at(word.start, shown, always) if _long(t)]
            if not long_terms or not tokens[i]:
                continue
            out.update(long_terms)
            out.add(tokens[i])
            if i + 1 < len(tokens) and tokens[i + 1]:
                out.add(f"{tokens[i]} {tokens[i + 1]}")
    return out


def word_token(word: Word) -> str:
    """The word itself, lower-case, without the punctuation around it ("" for none)."""
    parts = _WORD.match(word.word.strip())
    return parts.group(2).lower() if parts else ""


def _long(term: str) -> bool:
    return len(term) >= SOUND_TERM_LETTERS


def slide_terms(slide: Slide) -> dict[str, str]:
    """The technical terms on `slide` (lower-case -> as written)."""
    return terms_in(slide.lines or [slide.title])


def terms_in(lines: list[str]) -> dict[str, str]:
    """The technical terms in `lines` (lower-case -> as written); all-capital words left out."""
    out: dict[str, str] = {}
    for line in lines:
        for word in TERM_PATTERN.findall(line):
            if is_term(word) and not word.isupper():
                out.setdefault(word.lower(), word)
    return out


def _snap_words(
    words: list[Word],
    shown: list[_Shown],
    always: dict[str, str],
    sounds: dict[str, str],
    fixes: list[TermFix],
) -> list[Word]:
    out: list[Word] = []
    changed = False
    i = 0
    while i < len(words):
        word = words[i]
        terms = _terms_at(word.start, shown, always)
        parts = _WORD.match(word.word.strip())
        if not terms or parts is None:
            out.append(word)
            i += 1
            continue
        lead, token, trail = parts.groups()
        pair = _WORD.match(words[i + 1].word.strip()) if i + 1 < len(words) else None
        best = _closest(token, terms)
        if best is None:
            best = _sounds_like(token.lower(), terms, sounds)
        if pair is not None and not trail:
            joined = _joined(token, pair.group(2), terms, sounds)
            # two heard words that spell one term ("eigen values") replace both
            if joined is not None and (best is None or joined[1] > best[1]):
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


def _joined(
    first: str, second: str, terms: dict[str, str], sounds: dict[str, str]
) -> tuple[str, float] | None:
    """The term two heard words make together, by spelling ("eigen values") or by sound
    ("item values"), with its similarity; None if they make none."""
    a, b = first.lower(), second.lower()
    if a not in STOPWORDS:
        spelled = _closest(first + second, terms, exact=True)
        if spelled is not None and spelled[1] >= JOINED_SIMILARITY:
            return spelled
    if {a, b} <= STOPWORDS or a in terms or b in terms:
        return None  # a term said right, beside another word, stays as said
    if _closest(second, terms) or _sounds_like(b, terms, sounds):
        return None  # "a radiant": the second word alone is the mishearing
    return _sounds_like(f"{a} {b}", terms, sounds)


def _sounds_like(
    heard: str, terms: dict[str, str], sounds: dict[str, str]
) -> tuple[str, float] | None:
    """The long term `heard` sounds like, with its similarity; None if none does (or `heard`
    is short, a stopword, on the slide already or a form of one of its terms)."""
    said = sounds.get(heard)
    if said is None or len(heard.replace(" ", "")) < 4 or heard in STOPWORDS or heard in terms:
        return None
    best: tuple[str, float] | None = None
    for key, written in terms.items():
        if not _long(key) or key not in sounds:
            continue
        if any(variant(part, key) for part in heard.split()):
            return None
        score = sound_similarity(said, sounds[key])
        if score >= SOUND_SIMILARITY and (best is None or score > best[1]):
            best = (written, score)
    return best


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
        if variant(low, key):
            return None  # the speaker said a form of the term: theirs to choose
        score = Indel.normalized_similarity(low, key)
        if score >= SIMILARITY and (best is None or score > best[1]):
            best = (written, score)
    return best


def variant(a: str, b: str) -> bool:
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
