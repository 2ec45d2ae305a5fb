"""Topic segmentation of sentences into titled chapters (embedding + lexical cohesion DP)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lecture_assets.analysis.content.granularity import noise_gain, smooth_rows
from lecture_assets.analysis.models import Chapter, Sentence

FloatArray = npt.NDArray[np.float64]

_STOPWORD_TEXT = """
a about above after again all also am an and any are as at be because been before being
below between both but by can could did do does doing don down during each few for from
further get gets go goes going gonna got had has have having he her here hers him his how i
if in into is it its itself just let lets like me more most my no nor not now of off okay on
once one only or other our out over own really right same say says see she should so some
such take than that the their them then there these they thing things this those through to
too two under until up us very want was way we well were what when where which while who why
will with would yeah you your yes sure sorry also called call thats theres youre whats
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_CUE_RE = re.compile(
    r"\b(let'?s (move on|turn|switch|talk about|start)|next (topic|part|section|thing)|"
    r"moving on|brings us to|switching gears|new topic|part (two|three|four)|chapter)\b",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[a-z][a-z'-]+")
# a sentence starting this close to a slide change starts with that slide
SLIDE_MATCH_S = 1.5


def content_words(text: str) -> list[str]:
    """Lower-cased content words with a crude plural strip (eigenvalues -> eigenvalue)."""
    out = []
    for w in _WORD_RE.findall(text.lower()):
        w = w.strip("'-")
        if len(w) < 3 or w in STOPWORDS:
            continue
        if w.endswith("ies") and len(w) > 5:
            w = w[:-3] + "y"
        elif w.endswith("s") and not w.endswith("ss") and len(w) > 4:
            w = w[:-1]
        out.append(w)
    return out


@dataclass(frozen=True)
class ChapterSettings:
    """Knobs of the segmenter; the granularity ones were set on real lectures (bench.chapters)."""

    min_chapter_s: float = 60.0
    # a boundary must gain this many times what one gains in the same lecture shuffled
    penalty: float = 1.3
    smooth_radius: int = 2  # sentences either side averaged into each sentence's vector
    lexical_weight: float = 0.5
    cue_bonus: float = 0.35  # fraction of the penalty refunded at a transition phrase
    slide_bonus: float = 0.15
    snap_window_s: float = 8.0
    # share of one boundary's cost the text may lose to move a chapter start onto a slide change
    snap_tolerance: float = 0.25


def lexical_vectors(sentences: list[Sentence]) -> FloatArray:
    """L2-normalised tf-idf rows over the lecture's own vocabulary."""
    docs = [content_words(s.text) for s in sentences]
    df: Counter[str] = Counter(w for d in docs for w in set(d))
    vocab = {w: i for i, w in enumerate(sorted(w for w, c in df.items() if c >= 2))}
    n = len(sentences)
    mat = np.zeros((n, max(1, len(vocab))), dtype=np.float64)
    for r, d in enumerate(docs):
        for w, c in Counter(d).items():
            j = vocab.get(w)
            if j is not None:
                mat[r, j] = (1.0 + math.log(c)) * math.log((1 + n) / (1 + df[w]))
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return np.asarray(mat / np.maximum(norms, 1e-12))


def similarity_matrix(
    embeddings: npt.NDArray[np.floating],
    sentences: list[Sentence],
    lexical_weight: float,
    smooth_radius: int = 0,
) -> FloatArray:
    """Sentence-by-sentence cohesion: centred embeddings plus idf-weighted word overlap.

    With `smooth_radius` each sentence's vectors are averaged with their neighbours first:
    one spoken sentence says little, a few in a row say what is being taught.
    """
    emb = np.asarray(embeddings, dtype=np.float64)
    # centring removes the 'this whole lecture is about linear algebra' direction
    emb = smooth_rows(emb - emb.mean(axis=0, keepdims=True), smooth_radius)
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    sim = emb @ emb.T
    if lexical_weight > 0:
        lex = smooth_rows(lexical_vectors(sentences), smooth_radius)
        lex /= np.maximum(np.linalg.norm(lex, axis=1, keepdims=True), 1e-12)
        sim = (1 - lexical_weight) * sim + lexical_weight * (lex @ lex.T)
    return np.asarray(sim)


def sentence_weights(sentences: list[Sentence]) -> FloatArray:
    """Down-weight short filler ('Okay, so.', 'Any questions?') that carries no topic."""
    return np.array([min(1.0, 0.1 + len(content_words(s.text)) / 5.0) for s in sentences])


def _cumulative(sim: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    # 2-d prefix sums of the weighted similarities and 1-d prefix sums of the weights
    n = sim.shape[0]
    wsim = sim * weights[:, None] * weights[None, :]
    cum = np.zeros((n + 1, n + 1))
    cum[1:, 1:] = wsim.cumsum(0).cumsum(1)
    return cum, np.concatenate([[0.0], np.cumsum(weights)])


def _gain(cum: FloatArray, wcum: FloatArray, i: int, j: int) -> float:
    # cohesion gain of one chapter holding sentences i..j-1, as in the DP
    block = cum[j, j] - cum[i, j] - cum[j, i] + cum[i, i]
    return float(block / max(wcum[j] - wcum[i], 1e-9))


def boundary_penalty(
    embeddings: npt.NDArray[np.floating],
    sentences: list[Sentence],
    weights: FloatArray,
    settings: ChapterSettings,
) -> float:
    """Cost of one chapter boundary, in the units of the DP's weighted cohesion gain.

    `settings.penalty` times what a boundary gains when the same sentences are shuffled
    (`noise_gain`): a cut must find clearly more structure than chance does in this very
    lecture. Infinite (one chapter) when the lecture is too short to tell.
    """
    starts = np.array([s.start for s in sentences], dtype=np.float64)
    ends = np.array([s.end for s in sentences], dtype=np.float64)
    emb = np.asarray(embeddings, dtype=np.float64)

    def shuffled(order: npt.NDArray[np.int64]) -> FloatArray:
        return similarity_matrix(
            emb[order],
            [sentences[int(i)] for i in order],
            settings.lexical_weight,
            settings.smooth_radius,
        )

    noise = noise_gain(shuffled, weights, starts, ends, settings.min_chapter_s)
    return settings.penalty * noise if noise > 0 else math.inf


def segment_boundaries(
    sim: FloatArray,
    weights: FloatArray,
    starts: FloatArray,
    ends: FloatArray,
    bonus: FloatArray,
    settings: ChapterSettings,
    penalty: float,
) -> list[int]:
    """Optimal split by dynamic programming; returns the first sentence index of each chapter.

    Every boundary costs `penalty` (see `boundary_penalty`), less its cue/slide `bonus`.
    """
    n = sim.shape[0]
    if n == 0:
        return []
    cum, wcum = _cumulative(sim, weights)
    lam = penalty
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=np.int64)
    idx = np.arange(n + 1)
    for j in range(1, n + 1):
        i = idx[:j]
        block = cum[j, j] - cum[i, j] - cum[j, i] + cum[i, i]
        w = np.maximum(wcum[j] - wcum[i], 1e-9)
        long_enough = (ends[j - 1] - starts[i]) >= settings.min_chapter_s
        if j == n:
            long_enough[0] = True  # a whole short lecture is still one chapter
        cost = np.where(i > 0, lam * (1.0 - bonus[np.minimum(i, n - 1)]), 0.0)
        val = best[:j] + block / w - cost
        val = np.where(long_enough & np.isfinite(best[:j]), val, -np.inf)
        k = int(np.argmax(val))
        best[j], back[j] = val[k], k
    if not np.isfinite(best[n]):
        return [0]
    cuts: list[int] = []
    j = n
    while j > 0:
        cuts.append(int(back[j]))
        j = int(back[j])
    return sorted(cuts)


def boundary_bonus(
    sentences: list[Sentence], slide_changes: list[float], settings: ChapterSettings
) -> FloatArray:
    """Refund of the boundary cost where a transition phrase or slide change supports it."""
    bonus = np.zeros(len(sentences))
    slides = np.array(sorted(slide_changes), dtype=np.float64)
    for i, s in enumerate(sentences):
        if _CUE_RE.search(s.text):
            bonus[i] += settings.cue_bonus
        if slides.size and float(np.min(np.abs(slides - s.start))) <= 2.0:
            bonus[i] += settings.slide_bonus
    return np.minimum(bonus, 0.8)


def snap_to_slides(
    cuts: list[int], sentences: list[Sentence], slide_changes: list[float], window_s: float
) -> list[int]:
    """Move each chapter start that no slide change supports to a nearby one that has one.

    A start already within `SLIDE_MATCH_S` of a slide change stays put: the topic shift found
    in the text and a slide change agree there, and a slide change at a neighbouring sentence
    is more likely a new slide within the same topic than a better boundary.
    """
    if not slide_changes:
        return cuts
    slides = np.array(sorted(slide_changes), dtype=np.float64)
    out: list[int] = []
    for c in cuts:
        if c == 0 or float(np.min(np.abs(slides - sentences[c].start))) <= SLIDE_MATCH_S:
            out.append(c)
            continue
        best_c, best_d = c, math.inf
        for k in range(max(1, c - 3), min(len(sentences), c + 4)):
            if abs(sentences[k].start - sentences[c].start) > window_s:
                continue
            d = float(np.min(np.abs(slides - sentences[k].start)))
            if d <= SLIDE_MATCH_S and d + 0.2 * abs(k - c) < best_d:
                best_c, best_d = k, d + 0.2 * abs(k - c)
        out.append(best_c)
    return sorted(set(out))


def refine_to_slides(
    cuts: list[int],
    sim: FloatArray,
    weights: FloatArray,
    sentences: list[Sentence],
    slide_changes: list[float],
    settings: ChapterSettings,
    penalty: float,
) -> list[int]:
    """Move chapter starts onto nearby slide changes where the text does not object.

    A start already at a slide change stays. Otherwise it moves to the nearest sentence (within
    `snap_window_s` and three sentences) that begins at a slide change, but only if the
    cohesion of the two chapters either side drops by at most `snap_tolerance` of one
    boundary's cost: a slide change is a hint, and a new slide inside a topic is far more
    common than a topic change, so a clear topic shift in the text wins over it.
    """
    if not slide_changes or len(cuts) < 2:
        return cuts
    n = len(sentences)
    starts = np.array([s.start for s in sentences], dtype=np.float64)
    ends = np.array([s.end for s in sentences], dtype=np.float64)
    slides = np.array(sorted(slide_changes), dtype=np.float64)
    near_slide = np.array([float(np.min(np.abs(slides - t))) <= SLIDE_MATCH_S for t in starts])
    cum, wcum = _cumulative(sim, weights)
    budget = settings.snap_tolerance * penalty
    out = sorted(set(cuts))
    for m in range(1, len(out)):
        c = out[m]
        if near_slide[c]:
            continue
        prev, nxt = out[m - 1], (out[m + 1] if m + 1 < len(out) else n)
        here = _gain(cum, wcum, prev, c) + _gain(cum, wcum, c, nxt)
        best_k, best_key = c, (math.inf, math.inf)
        for k in range(max(prev + 1, c - 3), min(nxt, c + 4)):
            if k == c or not near_slide[k] or abs(starts[k] - starts[c]) > settings.snap_window_s:
                continue
            if min(ends[k - 1] - starts[prev], ends[nxt - 1] - starts[k]) < settings.min_chapter_s:
                continue
            loss = here - _gain(cum, wcum, prev, k) - _gain(cum, wcum, k, nxt)
            key = (abs(k - c), loss)
            if loss <= budget and key < best_key:
                best_k, best_key = k, key
        out[m] = best_k
    return out


def chapter_title(words: Counter[str], df: Counter[str], n_chapters: int) -> str:
    """Two or three words most typical of this chapter compared with the others."""
    scored = sorted(
        words.items(),
        key=lambda kv: -(kv[1] * math.log((1 + n_chapters) / df[kv[0]]) + 0.01 * kv[1]),
    )
    top = [w for w, c in scored if c >= 2][:3] or [w for w, _ in scored[:2]]
    if not top:
        return "Introduction"
    title = ", ".join(top)
    return title[0].upper() + title[1:]


def build_chapters(sentences: list[Sentence], cuts: list[int]) -> list[Chapter]:
    """Turn chapter start indices into titled chapters covering every sentence."""
    if not sentences:
        return []
    cuts = sorted(set([0, *cuts]))
    spans = [
        (c, (cuts[k + 1] if k + 1 < len(cuts) else len(sentences)) - 1) for k, c in enumerate(cuts)
    ]
    bags = [
        Counter(w for s in sentences[a : b + 1] for w in content_words(s.text)) for a, b in spans
    ]
    df: Counter[str] = Counter(w for bag in bags for w in bag)
    out = []
    for (a, b), bag in zip(spans, bags, strict=True):
        title = chapter_title(bag, df, len(spans))
        out.append(Chapter(sentences[a].start, sentences[b].end, title, a, b))
    return out
