"""Split a timed transcript into sentences using punctuation, falling back to pauses."""

from __future__ import annotations

import re
from itertools import pairwise

from lecture_assets.analysis.models import Sentence, Transcript, Word

_END_RE = re.compile(r"[.?!\u2026]+[\"'\u201d\u2019)\]]*$")
_ABBREVIATIONS = {
    "e.g.", "i.e.", "etc.", "vs.", "dr.", "mr.", "mrs.", "ms.", "prof.", "fig.", "eq.", "no.",
    "approx.", "cf.", "st.", "al.",
}  # fmt: skip
# a transcript with fewer sentence marks than one per this many words is treated as unpunctuated
_UNPUNCTUATED_WORDS_PER_MARK = 60
_PAUSE_SPLIT_MAX_S = 0.6  # pauses at least this long always end a sentence
_MAX_WORDS = 60


def _ends_sentence(token: str) -> bool:
    t = token.strip()
    if not _END_RE.search(t):
        return False
    return t.lower() not in _ABBREVIATIONS


def _segment_words(transcript: Transcript) -> list[Word]:
    # segments without word timings get evenly spread synthetic words
    words: list[Word] = []
    for seg in transcript.segments:
        if seg.words:
            words.extend(w for w in seg.words if w.word.strip())
            continue
        tokens = seg.text.split()
        if not tokens:
            continue
        step = max(seg.end - seg.start, 0.0) / len(tokens)
        for i, tok in enumerate(tokens):
            words.append(Word(seg.start + i * step, seg.start + (i + 1) * step, tok))
    return words


def _split_long(run: list[Word], max_words: int) -> list[list[Word]]:
    # split an over-long run at its largest pause, recursively
    if len(run) <= max_words:
        return [run]
    lo, hi = len(run) // 4, len(run) - len(run) // 4
    gaps = [run[i].start - run[i - 1].end for i in range(lo, hi)]
    cut = lo + max(range(len(gaps)), key=lambda k: gaps[k])
    return _split_long(run[:cut], max_words) + _split_long(run[cut:], max_words)


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """Return the transcript's sentences with start = first word start, end = last word end.

    Sentences end at '.', '?', '!' (ignoring common abbreviations). When the transcript has
    almost no punctuation, long pauses (0.3-0.6 s, relative to the speaker's usual gap)
    end a sentence instead; in both modes
    runs longer than 60 words are split at their largest pause.
    """
    words = _segment_words(transcript)
    if not words:
        return []
    marks = sum(1 for w in words if _ends_sentence(w.word))
    punctuated = marks * _UNPUNCTUATED_WORDS_PER_MARK >= len(words)
    gaps = sorted(b.start - a.end for a, b in pairwise(words))
    # a pause well above this speaker's usual gap between words ends a sentence
    typical_gap = gaps[len(gaps) // 2] if gaps else 0.1
    pause_split = min(_PAUSE_SPLIT_MAX_S, max(0.3, 4.0 * typical_gap))
    runs: list[list[Word]] = []
    current: list[Word] = []
    for i, w in enumerate(words):
        current.append(w)
        if punctuated:
            boundary = _ends_sentence(w.word)
        else:
            nxt = words[i + 1] if i + 1 < len(words) else None
            boundary = nxt is None or nxt.start - w.end >= pause_split
        if boundary:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    pieces = [p for run in runs for p in _split_long(run, _MAX_WORDS)]
    out: list[Sentence] = []
    for run in pieces:
        text = " ".join(w.word.strip() for w in run)
        text = re.sub(r"\s+([,.;:?!])", r"\1", text)
        out.append(Sentence(index=len(out), start=run[0].start, end=run[-1].end, text=text))
    return out
