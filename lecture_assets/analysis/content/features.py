"""Teaching-value features of sentences and the score of a sentence-aligned window."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lecture_assets.analysis.models import Sentence

_CUES: dict[str, tuple[float, re.Pattern[str]]] = {
    "definition": (
        0.30,
        re.compile(
            r"\b(is defined as|we define|definition|we call|is called|"
            r"(is|are) an? [a-z]+ (of|that|whose)|means that|refers to)\b"
        ),
    ),
    "key_result": (
        0.30,
        re.compile(
            r"\b(theorem|key (idea|point|result|insight)|important|crucial|the main|"
            r"fundamental|formula|rule|always|equals|is exactly)\b"
        ),
    ),
    "example": (
        0.20,
        re.compile(
            r"\b(for example|for instance|example|let'?s (work|try|compute|solve|find|check|fit|"
            r"walk|trace)|suppose|consider|imagine)\b"
        ),
    ),
    "summary": (
        0.30,
        re.compile(r"\b(in summary|to summari[sz]e|to recap|takeaway|bottom line|in short)\b"),
    ),
    "exam": (
        0.35,
        re.compile(r"\b(exam|remember (this|that)|write (this|it) down|don'?t forget|make sure)\b"),
    ),
}
_FILLER_RE = re.compile(
    r"^(okay|ok|alright|right|so|um|uh|yes|sure|sorry|good|any questions|does that make sense|"
    r"can (everyone|you) (see|hear)|let me (just )?check|is the microphone)\b"
)
# openings that lean on context the viewer of a clip will not have
_DANGLING_RE = re.compile(
    r"^(so|and|but|or|this|that|these|those|it|its|they|then|which|because|also|as (we|i) "
    r"(saw|said|mentioned)|like i said|the (first|second|next|other) one|here)\b"
)
_CLOSED_END_RE = re.compile(r"[.!]\W*$")


@dataclass(frozen=True)
class SentenceFeatures:
    """Per-sentence cues used to build scores and one-line reasons."""

    cues: dict[str, float]
    filler: bool
    dangling: bool
    words_per_s: float


def sentence_features(sentences: list[Sentence]) -> list[SentenceFeatures]:
    """Regex cues for teaching value, filler, dangling openings and speech rate."""
    out = []
    for s in sentences:
        low = s.text.lower().strip()
        cues = {name: w for name, (w, rx) in _CUES.items() if rx.search(low)}
        n_words = len(low.split())
        filler = (n_words <= 6 and bool(_FILLER_RE.search(low))) or n_words <= 2
        dur = max(s.end - s.start, 0.2)
        out.append(SentenceFeatures(cues, filler, bool(_DANGLING_RE.search(low)), n_words / dur))
    return out


def sentence_scores(
    feats: list[SentenceFeatures], centrality: list[float] | None = None
) -> list[float]:
    """Teaching value of each sentence in [0, 1]; centrality is topic relevance in [0, 1]."""
    scores = []
    for i, f in enumerate(feats):
        v = 0.2 + sum(f.cues.values())
        if centrality is not None:
            v += 0.3 * centrality[i]
        if f.filler:
            v = 0.05
        scores.append(round(min(1.0, max(0.0, v)), 4))
    return scores


_REASONS = {
    "definition": "defines a key term",
    "key_result": "states a key result",
    "example": "works through an example",
    "summary": "summarises the idea",
    "exam": "flagged as exam-relevant",
}


@dataclass
class _Running:
    # running sums over a window grown one sentence at a time, added in the same order as a
    # left-to-right sum over the slice, so the result is bit-identical to scoring the slice
    value_num: float = 0
    value_den: float = 0
    peak: float = float("-inf")
    rate_sum: float = 0
    fillers: int = 0
    speech_s: float = 0
    n: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, s: Sentence, v: float, f: SentenceFeatures) -> None:
        d = max(s.end - s.start, 0.2)
        self.value_num += v * d
        self.value_den += d
        self.peak = max(self.peak, v)
        self.rate_sum += f.words_per_s
        self.fillers += 1 if f.filler else 0
        self.speech_s += s.end - s.start
        self.n += 1
        for name in f.cues:
            self.kinds[name] = self.kinds.get(name, 0) + 1


def _combine(
    run: _Running,
    speech_s: float,
    span: float,
    opening: float,
    closing: float,
    median_rate: float,
    target_s: float,
    with_features: bool = True,
) -> tuple[float, dict[str, float], str]:
    value = run.value_num / max(run.value_den, 1e-9)
    density = min(1.0, speech_s / max(span, 1e-9))
    pace = min(1.0, (run.rate_sum / run.n) / max(median_rate, 1e-9))
    fillers = run.fillers / run.n
    fit = max(0.0, 1.0 - abs(speech_s - target_s) / max(target_s, 1e-9))
    score = (
        0.45 * value
        + 0.15 * run.peak
        + 0.15 * opening
        + 0.05 * closing
        + 0.1 * density
        + 0.05 * pace
        + 0.05 * (1.0 - fillers)
        + 0.1 * fit
    )
    features = (
        {
            "teaching_value": round(value, 4),
            "peak": round(run.peak, 4),
            "self_contained": opening,
            "closed_end": closing,
            "speech_density": round(density, 4),
            "pace": round(pace, 4),
            "length_fit": round(fit, 4),
        }
        if with_features
        else {}
    )
    parts = [_REASONS[k] for k, _ in sorted(run.kinds.items(), key=lambda kv: -kv[1])[:2]]
    if opening:
        parts.append("stands on its own")
    reason = "; ".join(parts) if parts else "dense stretch of on-topic explanation"
    return round(score, 4), features, reason[0].upper() + reason[1:]


def _closing(sentences: list[Sentence], feats: list[SentenceFeatures], last: int) -> float:
    closed = _CLOSED_END_RE.search(sentences[last].text) and not feats[last].filler
    return 1.0 if closed else 0.0


def window_score(
    sentences: list[Sentence],
    scores: list[float],
    feats: list[SentenceFeatures],
    first: int,
    last: int,
    speech_s: float,
    median_rate: float,
    target_s: float = 45.0,
) -> tuple[float, dict[str, float], str]:
    """Score a window of sentences [first, last]; returns score, features and a reason.

    `target_s` is the clip length viewers like best; windows far from it lose a little.
    """
    run = _Running()
    for i in range(first, last + 1):
        run.add(sentences[i], scores[i], feats[i])
    span = sentences[last].end - sentences[first].start
    opening = 0.0 if feats[first].dangling or feats[first].filler else 1.0
    return _combine(
        run, speech_s, span, opening, _closing(sentences, feats, last), median_rate, target_s
    )


def windows_from(
    sentences: list[Sentence],
    scores: list[float],
    feats: list[SentenceFeatures],
    first: int,
    last: int,
    length: Callable[[int, int], float],
    min_len: float,
    max_len: float,
    median_rate: float,
    target_s: float = 45.0,
    with_features: bool = True,
) -> Iterator[tuple[int, float, dict[str, float], str]]:
    """Windows [first, b] for b up to `last` whose `length(first, b)` lies in [min_len, max_len].

    Yields (b, score, features, reason), each equal to `window_score` on that window with its
    summed speech time, but built incrementally: O(1) work per window instead of O(width).
    Stops at the first window longer than max_len.
    """
    run = _Running()
    opening = 0.0 if feats[first].dangling or feats[first].filler else 1.0
    t0 = sentences[first].start
    for b in range(first, last + 1):
        run.add(sentences[b], scores[b], feats[b])
        size = length(first, b)
        if size > max_len:
            return
        if size < min_len:
            continue
        closing = _closing(sentences, feats, b)
        span = sentences[b].end - t0
        sc, fe, why = _combine(
            run, run.speech_s, span, opening, closing, median_rate, target_s, with_features
        )
        yield b, sc, fe, why
