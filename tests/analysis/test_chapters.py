"""Chapter segmenter internals: slide snapping, noise-relative boundary cost, short topics."""

from __future__ import annotations

import random

import numpy as np
import pytest

from lecture_assets.analysis.content.chapters import (
    ChapterSettings,
    boundary_bonus,
    boundary_penalty,
    refine_to_slides,
    segment_boundaries,
    sentence_weights,
    similarity_matrix,
    snap_to_slides,
)
from lecture_assets.analysis.content.embeddings import SentenceEmbedder
from lecture_assets.analysis.models import Sentence
from tests.fixtures.topic_lectures import LINEAR_ALGEBRA


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder()


def _sentences(starts: list[float]) -> list[Sentence]:
    return [Sentence(i, t, t + 4.0, f"sentence {i}.") for i, t in enumerate(starts)]


def test_a_start_already_at_a_slide_change_is_not_moved_to_another_one() -> None:
    sents = _sentences([0.0, 5.0, 10.0, 15.0, 20.0, 25.0])
    # the boundary sentence has a slide 0.4 s before it, the next sentence one exactly on it
    assert snap_to_slides([0, 3], sents, [14.6, 20.0], 8.0) == [0, 3]
    # with no slide change at the boundary it still moves to the nearby one
    assert snap_to_slides([0, 3], sents, [20.0], 8.0) == [0, 4]


def _topic_sentences() -> list[Sentence]:
    texts = LINEAR_ALGEBRA["determinants"][:12] + LINEAR_ALGEBRA["eigenvalues"][:12]
    return [Sentence(i, 6.0 * i, 6.0 * i + 5.5, t) for i, t in enumerate(texts)]


def test_refining_to_slides_keeps_clear_text_boundaries(embedder: SentenceEmbedder) -> None:
    sents = _topic_sentences()
    settings = ChapterSettings()
    emb = embedder.embed([s.text for s in sents])
    sim = similarity_matrix(emb, sents, 0.5, settings.smooth_radius)
    weights = sentence_weights(sents)
    cost = boundary_penalty(emb, sents, weights, settings)
    # a slide change three sentences into the second topic does not drag the start there
    slides = [sents[15].start]
    assert refine_to_slides([0, 12], sim, weights, sents, slides, settings, cost) == [0, 12]
    # a slide change one sentence off the text boundary does
    slides = [sents[13].start - 0.3]
    assert refine_to_slides([0, 12], sim, weights, sents, slides, settings, cost) == [0, 13]
    # a start that already has its slide change stays
    slides = [sents[12].start - 0.5, sents[13].start]
    assert refine_to_slides([0, 12], sim, weights, sents, slides, settings, cost) == [0, 12]


def test_boundary_cost_tracks_the_noise_of_this_lecture(embedder: SentenceEmbedder) -> None:
    # the same sentences cost the same however they are ordered (the noise level is a
    # property of the words), and a boundary costs more than a shuffled cut gains
    sents = _topic_sentences()
    emb = embedder.embed([s.text for s in sents])
    weights = sentence_weights(sents)
    settings = ChapterSettings()
    cost = boundary_penalty(emb, sents, weights, settings)
    order = list(range(12, 24)) + list(range(12))
    swapped = [
        Sentence(i, sents[i].start, sents[i].end, sents[k].text) for i, k in enumerate(order)
    ]
    again = boundary_penalty(emb[order], swapped, weights[order], settings)
    assert 0 < cost < np.inf
    assert again == pytest.approx(cost, rel=0.25)
    # too short to tell noise from structure: one chapter
    assert boundary_penalty(emb[:3], sents[:3], weights[:3], settings) == np.inf


def _paced_lecture(seed: int, gap_s: float, fillers: bool) -> tuple[list[Sentence], list[int]]:
    # six linear-algebra topics of 12-14 sentences, no transition phrases, even pacing
    rng = random.Random(seed)
    texts: list[str] = []
    topics: list[int] = []
    for k, name in enumerate(rng.sample(list(LINEAR_ALGEBRA), 6)):
        for text in rng.sample(LINEAR_ALGEBRA[name], rng.randint(12, 14)):
            texts.append(text)
            topics.append(k)
            if fillers and rng.random() < 0.3:
                texts.append(rng.choice(["Okay, so.", "Any questions so far?", "Right."]))
                topics.append(k)
    sents, t = [], 0.0
    for i, text in enumerate(texts):
        dur = 0.4 + 0.33 * len(text.split())
        sents.append(Sentence(i, t, t + dur, text))
        t += dur + gap_s
    return sents, topics


def _cuts(sents: list[Sentence], embedder: SentenceEmbedder) -> list[int]:
    settings = ChapterSettings()
    emb = embedder.embed([s.text for s in sents])
    sim = similarity_matrix(emb, sents, 0.5, settings.smooth_radius)
    starts = np.array([s.start for s in sents])
    ends = np.array([s.end for s in sents])
    bonus = boundary_bonus(sents, [], settings)
    weights = sentence_weights(sents)
    cost = boundary_penalty(emb, sents, weights, settings)
    return segment_boundaries(sim, weights, starts, ends, bonus, settings, cost)


@pytest.mark.parametrize("seed", [70, 71, 72])
def test_short_topics_of_an_unhurried_speaker_are_found(
    embedder: SentenceEmbedder, seed: int
) -> None:
    # about 75 s per topic with a second between sentences: the chapter-length prior counts
    # lecture time, pauses included, so slow delivery does not merge neighbouring topics
    sents, topics = _paced_lecture(seed, 1.2, fillers=False)
    cuts = _cuts(sents, embedder)
    truth = [0] + [i for i in range(1, len(topics)) if topics[i] != topics[i - 1]]
    assert len(cuts) == len(truth)
    assert all(min(abs(c - t) for c in cuts) <= 1 for t in truth)


@pytest.mark.parametrize("seed", [73, 74])
def test_filler_sentences_do_not_change_the_chapters(embedder: SentenceEmbedder, seed: int) -> None:
    sents, topics = _paced_lecture(seed, 0.8, fillers=True)
    cuts = _cuts(sents, embedder)
    truth = [0] + [i for i in range(1, len(topics)) if topics[i] != topics[i - 1]]
    assert len(cuts) == len(truth)
    assert all(min(abs(c - t) for c in cuts) <= 1 for t in truth)
