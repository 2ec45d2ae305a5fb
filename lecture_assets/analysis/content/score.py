"""Content agent: chapters, per-sentence teaching value and candidate windows behind a Scorer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from lecture_assets.analysis.content.chapters import (
    ChapterSettings,
    boundary_bonus,
    boundary_penalty,
    build_chapters,
    refine_to_slides,
    segment_boundaries,
    sentence_weights,
    similarity_matrix,
)
from lecture_assets.analysis.content.embeddings import SentenceEmbedder
from lecture_assets.analysis.content.features import (
    SentenceFeatures,
    sentence_features,
    sentence_scores,
    windows_from,
)
from lecture_assets.analysis.models import (
    CandidateWindow,
    Chapter,
    ContentScores,
    ScreenLayout,
    Sentence,
    SpeechMap,
    Transcript,
)
from lecture_assets.analysis.transcript.sentences import split_sentences

# candidate windows span the widest clip lengths a user may ask for; segments re-cut to options
CANDIDATE_MIN_S = 15.0
CANDIDATE_MAX_S = 150.0
CANDIDATES_PER_CHAPTER = 5


@runtime_checkable
class Scorer(Protocol):
    """Anything that turns a transcript into chapters, sentence scores and candidate windows."""

    name: str

    def score(
        self,
        transcript: Transcript,
        sentences: list[Sentence],
        speech: SpeechMap | None,
        layout: ScreenLayout | None,
    ) -> ContentScores:
        """Score one lecture; must not depend on the user's clip options."""
        ...


@dataclass
class LocalScorer:
    """Offline default: MiniLM + tf-idf cohesion DP for chapters, regex cues for value."""

    embedder: SentenceEmbedder | None = None
    settings: ChapterSettings = field(default_factory=ChapterSettings)
    name: str = "local"

    def score(
        self,
        transcript: Transcript,
        sentences: list[Sentence],
        speech: SpeechMap | None,
        layout: ScreenLayout | None,
    ) -> ContentScores:
        """Segment into chapters, score sentences and propose windows per chapter."""
        if not sentences:
            return ContentScores(
                [], [], [], method=f"{self.name}: no sentences", sentence_scores=[]
            )
        if self.embedder is None:
            self.embedder = SentenceEmbedder()
        emb = self.embedder.embed([s.text for s in sentences])
        cfg = self.settings
        sim = similarity_matrix(emb, sentences, cfg.lexical_weight, cfg.smooth_radius)
        slides = list(layout.slide_changes) if layout else []
        starts = np.array([s.start for s in sentences])
        ends = np.array([s.end for s in sentences])
        weights = sentence_weights(sentences)
        bonus = boundary_bonus(sentences, slides, cfg)
        penalty = boundary_penalty(emb, sentences, weights, cfg)
        cuts = segment_boundaries(sim, weights, starts, ends, bonus, cfg, penalty)
        cuts = refine_to_slides(cuts, sim, weights, sentences, slides, cfg, penalty)
        chapters = build_chapters(sentences, cuts)
        # centrality reads single sentences, so it uses the unsmoothed cohesion
        raw = similarity_matrix(emb, sentences, cfg.lexical_weight) if cfg.smooth_radius else sim
        centrality = _centrality(raw, chapters)
        feats = sentence_features(sentences)
        scores = sentence_scores(feats, centrality)
        candidates = propose_candidates(sentences, scores, feats, chapters)
        method = f"local: minilm-int8 + tf-idf cohesion DP, {len(chapters)} chapters"
        return ContentScores(sentences, chapters, candidates, method, scores)


def _centrality(sim: np.ndarray, chapters: list[Chapter]) -> list[float]:
    # mean similarity of each sentence to the rest of its chapter, rescaled to [0, 1]
    out = np.zeros(sim.shape[0])
    for ch in chapters:
        a, b = ch.first_sentence, ch.last_sentence + 1
        block = sim[a:b, a:b]
        out[a:b] = block.mean(axis=1)
    lo, hi = float(out.min()), float(out.max())
    return [float(v) for v in (out - lo) / (hi - lo)] if hi > lo else [0.5] * len(out)


def chapter_of(chapters: list[Chapter], sentence_index: int) -> int:
    """Index of the chapter holding a sentence (0 when there are none)."""
    for k, ch in enumerate(chapters):
        if ch.first_sentence <= sentence_index <= ch.last_sentence:
            return k
    return 0


def propose_candidates(
    sentences: list[Sentence],
    scores: list[float],
    feats: list[SentenceFeatures],
    chapters: list[Chapter],
    *,
    min_s: float = CANDIDATE_MIN_S,
    max_s: float = CANDIDATE_MAX_S,
    per_chapter: int = CANDIDATES_PER_CHAPTER,
) -> list[CandidateWindow]:
    """Best non-overlapping sentence-aligned windows in each chapter, independent of options."""
    rates = sorted(f.words_per_s for f in feats)
    median_rate = rates[len(rates) // 2] if rates else 2.5
    out: list[CandidateWindow] = []

    def span(a: int, b: int) -> float:
        return sentences[b].end - sentences[a].start

    for k, ch in enumerate(chapters):
        options = []
        for a in range(ch.first_sentence, ch.last_sentence + 1):
            for b, sc, fe, why in windows_from(
                sentences, scores, feats, a, ch.last_sentence, span, min_s, max_s, median_rate
            ):
                options.append((sc, a, b, fe, why))
        options.sort(key=lambda o: -o[0])
        taken: list[tuple[int, int]] = []
        for sc, a, b, fe, why in options:
            if len(taken) >= per_chapter:
                break
            if any(not (b < x or a > y) for x, y in taken):
                continue
            taken.append((a, b))
            s0, s1 = sentences[a], sentences[b]
            out.append(CandidateWindow(s0.start, s1.end, a, b, k, sc, ch.title, why, fe))
    return sorted(out, key=lambda c: c.start)


def score_content(
    transcript: Transcript,
    speech: SpeechMap | None,
    layout: ScreenLayout | None,
    scorer: Scorer | None = None,
) -> ContentScores:
    """Split the transcript into sentences and score them with `scorer` (offline by default)."""
    sentences = split_sentences(transcript)
    if not sentences:
        why = transcript.reason or "the transcript has no words"
        return ContentScores([], [], [], method=f"no content: {why}", sentence_scores=[])
    return (scorer or LocalScorer()).score(transcript, sentences, speech, layout)


def _stamp(t: float, with_hours: bool) -> str:
    s = int(max(0.0, t))
    h, m, sec = s // 3600, (s % 3600) // 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if with_hours else f"{m:02d}:{sec:02d}"


def chapters_text(chapters: list[Chapter]) -> str:
    """YouTube-style chapter list: one 'MM:SS Title' line per chapter, the first at 00:00."""
    if not chapters:
        return ""
    with_hours = chapters[-1].start >= 3600
    lines = [
        f"{_stamp(0.0 if k == 0 else ch.start, with_hours)} {ch.title}"
        for k, ch in enumerate(chapters)
    ]
    return "\n".join(lines)
