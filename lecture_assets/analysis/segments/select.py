"""Segment agent: pick ranked, sentence-aligned, chapter-bound clips and trim their dead air."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import numpy as np

from lecture_assets.analysis.content.chapters import lexical_vectors
from lecture_assets.analysis.content.features import sentence_features, windows_from
from lecture_assets.analysis.content.score import chapters_text
from lecture_assets.analysis.content.titles import clip_title, document_counts
from lecture_assets.analysis.models import (
    CandidateWindow,
    Chapter,
    ContentScores,
    HighlightPlan,
    HighlightSegment,
    Interval,
    SegmentOptions,
    Sentence,
    SpeechMap,
    Transcript,
)
from lecture_assets.analysis.segments.edges import at_pauses, clip_edges, pauses_after

SHORT_LECTURE_S = 120.0
MIN_GAP_S = 20.0  # clips keep this far apart while other good moments remain
SPREAD_PENALTY = 0.1  # score lost per clip a chapter takes beyond its share of the lecture
_PAD_S = 0.25  # silence kept either side of a cut so speech never sounds clipped
EDGE_REACH = 2  # sentences either side of a chapter boundary checked for belonging next door


def dead_air(
    transcript: Transcript, speech: SpeechMap | None, max_pause_s: float
) -> list[Interval]:
    """Stretches to cut: pauses between words (or silences) longer than max_pause_s, padded."""
    raw: list[tuple[float, float]] = []
    words = transcript.words
    for w0, w1 in pairwise(words):
        if w1.start - w0.end > max_pause_s:
            raw.append((w0.end, w1.start))
    if speech is not None:
        raw.extend((s.start, s.end) for s in speech.silences if s.duration > max_pause_s)
    raw.sort()
    merged: list[list[float]] = []
    for a, b in raw:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [Interval(a + _PAD_S, b - _PAD_S) for a, b in merged if b - a > 2 * _PAD_S]


def keep_ranges(start: float, end: float, dead: list[Interval]) -> list[Interval]:
    """[start, end] minus the dead stretches inside it."""
    keep: list[Interval] = []
    t = start
    for d in dead:
        if d.end <= start or d.start >= end:
            continue
        if d.start > t:
            keep.append(Interval(t, d.start))
        t = max(t, d.end)
    if end > t:
        keep.append(Interval(t, end))
    return [k for k in keep if k.duration > 0.05]


class _DeadClock:
    # cumulative dead time as a function of t, for O(1) output-length queries
    def __init__(self, dead: list[Interval]) -> None:
        xs, ys, total = [0.0], [0.0], 0.0
        for d in dead:
            xs += [d.start, d.end]
            total += d.duration
            ys += [ys[-1], total]
        self.xs, self.ys = np.array(xs), np.array(ys)

    def between(self, a: float, b: float) -> float:
        return float(np.interp(b, self.xs, self.ys) - np.interp(a, self.xs, self.ys))


def _title(
    sentences: list[Sentence], a: int, b: int, background: Counter[str], fallback: str
) -> str:
    """A short phrase of whole words about the clip itself, the chapter's title as context."""
    text = " ".join(s.text for s in sentences[a : b + 1])
    return clip_title(text, fallback, background, len(sentences))


def clip_ranges(sentences: list[Sentence], chapters: list[Chapter]) -> list[tuple[int, int]]:
    """Per chapter, the sentence range clips may use: the chapter minus doubtful edges.

    A chapter boundary can be off by a sentence or two (a slide change pulled it, or the
    speaker eased into the next topic). Within `EDGE_REACH` sentences of a boundary, a
    sentence whose words are closer to the chapter across the boundary than to its own is
    doubtful, and it and everything between it and the boundary stay out of clips, so a clip
    never carries a sentence of the neighbouring topic.
    """
    ranges = [(ch.first_sentence, ch.last_sentence) for ch in chapters]
    if len(chapters) < 2:
        return ranges
    lex = lexical_vectors(sentences)

    def leans_out(i: int, own: Chapter, other: Chapter) -> bool:
        # mean word similarity to the rest of its own chapter against the neighbouring one
        own_idx = [j for j in range(own.first_sentence, own.last_sentence + 1) if j != i]
        if not own_idx or not lex[i].any():
            return False
        mine = float(np.mean(lex[own_idx] @ lex[i]))
        theirs = float(np.mean(lex[other.first_sentence : other.last_sentence + 1] @ lex[i]))
        return theirs > mine

    out = []
    for k, (ch, (lo, hi)) in enumerate(zip(chapters, ranges, strict=True)):
        if k > 0:
            for i in range(min(hi, lo + EDGE_REACH - 1), lo - 1, -1):
                if leans_out(i, ch, chapters[k - 1]):
                    lo = i + 1
                    break
        if k + 1 < len(chapters):
            for i in range(max(lo, hi - EDGE_REACH + 1), hi + 1):
                if leans_out(i, ch, chapters[k + 1]):
                    hi = i - 1
                    break
        out.append((lo, hi))
    return out


class _Boost:
    # candidate windows as arrays, so each window's overlap is one numpy pass, not a loop
    def __init__(self, cands: list[CandidateWindow]) -> None:
        self.starts = np.array([c.start for c in cands], dtype=float)
        self.ends = np.array([c.end for c in cands], dtype=float)
        self.scores = np.array([c.score for c in cands], dtype=float)
        self.lens = self.ends - self.starts
        self.reasons = [c.reason for c in cands]

    def at(self, start: float, end: float) -> tuple[float, str]:
        """Best overlap-weighted candidate score for [start, end] and that candidate's reason."""
        if not self.reasons:
            return 0.0, ""
        inter = np.minimum(end, self.ends) - np.maximum(start, self.starts)
        frac = inter / np.maximum(np.maximum(end - start, self.lens), 1e-9)
        val = np.where(inter > 0, frac * self.scores, 0.0)
        i = int(np.argmax(val))  # first of the best, as a strict-improvement loop would pick
        if val[i] <= 0.0:
            return 0.0, ""
        return float(val[i]), self.reasons[i]


def _pick(
    per_chapter: list[list[tuple[float, int, int, str]]],
    chapters: list[Chapter],
    sentences: list[Sentence],
    cap: int,
    lecture_s: float,
) -> list[tuple[float, int, int, int, str]]:
    """Greedy best-first choice of windows by their own score, with a diversity rule.

    Clips never overlap and keep `MIN_GAP_S` apart while any window still fits that way (a
    second pass fills the rest without the gap). A chapter that already holds more than its
    share of the lecture's clips (cap times its share of the time) costs `SPREAD_PENALTY` per
    extra clip, so clips spread across topics when windows score alike, yet a chapter full of
    strong moments still gets them all, whatever the chapter count.
    """
    pool = sorted(
        ((sc, k, a, b, why) for k, opts in enumerate(per_chapter) for sc, a, b, why in opts),
        key=lambda p: -p[0],
    )
    share = [cap * (ch.end - ch.start) / max(lecture_s, 1e-9) for ch in chapters]
    used = [0] * len(chapters)
    chosen: list[tuple[float, int, int, int, str]] = []
    spans: list[tuple[float, float]] = []
    for gap in (MIN_GAP_S, 0.0):
        while len(chosen) < cap:
            best, best_adj = None, -np.inf
            for sc, k, a, b, why in pool:
                if sc <= best_adj:
                    break  # sorted by score and the penalty only lowers it
                s0, s1 = sentences[a].start, sentences[b].end
                if any(s0 < y + gap and s1 > x - gap for x, y in spans):
                    continue
                adj = sc - SPREAD_PENALTY * max(0.0, used[k] + 1 - share[k])
                if adj > best_adj:
                    best, best_adj = (sc, k, a, b, why), adj
            if best is None:
                break
            chosen.append(best)
            used[best[1]] += 1
            spans.append((sentences[best[2]].start, sentences[best[3]].end))
    return chosen


def select_segments(
    scores: ContentScores,
    transcript: Transcript,
    speech: SpeechMap | None,
    options: SegmentOptions,
) -> HighlightPlan:
    """Choose up to options.max_clips non-overlapping clips by their own score, kept diverse.

    Clips start and end on sentence boundaries, stay in one chapter, and their kept length
    (after cutting pauses longer than options.max_pause_s) lies in [min_seconds, max_seconds].
    `note` explains whenever fewer clips than asked come back.
    """
    sentences = scores.sentences
    chapters = scores.chapters or (
        [Chapter(sentences[0].start, sentences[-1].end, "Lecture", 0, len(sentences) - 1)]
        if sentences
        else []
    )
    text = chapters_text(chapters)
    if options.min_seconds > options.max_seconds or options.max_clips < 1:
        raise ValueError(
            f"clip options are inconsistent (max_clips={options.max_clips}, min_seconds="
            f"{options.min_seconds}, max_seconds={options.max_seconds}); ask for at least one clip "
            "with min_seconds <= max_seconds"
        )
    if not sentences:
        why = transcript.reason or scores.method
        return HighlightPlan([], [], "", note=f"No clips: nothing was said to cut from ({why}).")
    dead = dead_air(transcript, speech, options.max_pause_s)
    clock = _DeadClock(dead)
    feats = sentence_features(sentences)
    values = scores.sentence_scores or [0.5] * len(sentences)
    rates = sorted(f.words_per_s for f in feats)
    median_rate = rates[len(rates) // 2]
    background = document_counts([s.text for s in sentences])
    spoken = sum(s.end - s.start for s in sentences)
    lecture_s = sentences[-1].end - sentences[0].start
    target = min(options.max_seconds, max(options.min_seconds, 45.0))

    boost_at = _Boost(scores.candidates)
    pauses = pauses_after(sentences, speech)

    def out_length(a: int, b: int) -> float:
        s0, s1 = sentences[a].start, sentences[b].end
        return (s1 - s0) - clock.between(s0, s1)

    per_chapter: list[list[tuple[float, int, int, str]]] = []
    for lo, hi in clip_ranges(sentences, chapters):
        opts = []
        for a in range(lo, hi + 1):
            for b, sc, _, why in windows_from(
                sentences, values, feats, a, hi, out_length, options.min_seconds,
                options.max_seconds, median_rate, target, with_features=False,
            ):  # fmt: skip
                boost, cwhy = boost_at.at(sentences[a].start, sentences[b].end)
                opts.append((sc + 0.25 * boost, a, b, cwhy or why))
        opts.sort(key=lambda o: -o[0])
        per_chapter.append(at_pauses(opts, pauses))

    notes: list[str] = []
    cap = options.max_clips
    if lecture_s < SHORT_LECTURE_S:
        cap = 1
        notes.append(f"The lecture is short ({lecture_s:.0f} s), so it yields a single clip.")
    elif len(chapters) == 1:
        notes.append(
            "No clear topic structure was found (one chapter), so clips went to the strongest "
            "self-contained moments across the lecture."
        )
    chosen = _pick(per_chapter, chapters, sentences, cap, lecture_s)

    if not chosen:
        if spoken < options.min_seconds:
            notes.append(
                f"No clips: only {spoken:.0f} s of speech, shorter than the "
                f"{options.min_seconds:.0f} s minimum clip length; lower min_seconds to get a clip."
            )
        else:
            notes.append(
                "No clips: no run of whole sentences inside one chapter lasts between "
                f"{options.min_seconds:.0f} and {options.max_seconds:.0f} s; "
                "widen the length range."
            )
    chosen.sort(key=lambda p: -p[0])
    segments = []
    for rank, (sc, k, a, b, why) in enumerate(chosen):
        s0, s1 = clip_edges(sentences, a, b, speech)
        keep = keep_ranges(s0, s1, dead)
        over = sum(r.duration for r in keep) - options.max_seconds
        if over > 0:
            # the words fit the length range; the edges' widening gives back what is too much
            lead, tail = sentences[a].start - s0, s1 - sentences[b].end
            cut = min(over, lead + tail) / max(1e-9, lead + tail)
            s0, s1 = round(s0 + lead * cut, 3), round(s1 - tail * cut, 3)
            keep = keep_ranges(s0, s1, dead)
        title = _title(sentences, a, b, background, chapters[k].title)
        segments.append(HighlightSegment(rank, s0, s1, round(sc, 4), title, why, k, keep))
    if chosen and len(chosen) < options.max_clips and not notes:
        notes.append(
            f"{len(chosen)} of {options.max_clips} clips: no other run of whole sentences "
            f"between {options.min_seconds:.0f} and {options.max_seconds:.0f} s fits beside "
            "the chosen clips without overlapping them; widen the length range for more."
        )
    return HighlightPlan(segments, chapters, text, note=" ".join(notes) or None)
