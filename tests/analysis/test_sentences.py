"""Sentence splitting on timed transcripts, with and without punctuation."""

from __future__ import annotations

import pytest

from lecture_assets.analysis.models import Transcript, TranscriptSegment, Word
from lecture_assets.analysis.transcript.sentences import split_sentences
from tests.fixtures.topic_lectures import EASY_TOPICS, build_lecture, easy_lectures


def _transcript(tokens: list[tuple[str, float]]) -> Transcript:
    words, t = [], 0.0
    for tok, gap in tokens:
        words.append(Word(t, t + 0.3, tok))
        t += 0.3 + gap
    half = len(words) // 2  # a segment boundary in the middle of a sentence
    segs = [
        TranscriptSegment(words[0].start, words[half - 1].end, "", words[:half]),
        TranscriptSegment(words[half].start, words[-1].end, "", words[half:]),
    ]
    return Transcript("en", segs, "test", t)


def test_sentences_follow_punctuation_across_segments_and_word_times() -> None:
    toks = [
        (w, 0.1)
        for w in [
            "Hello",
            "there.",
            "This",
            "is",
            "e.g.",
            "a",
            "test",
            "of",
            "the",
            "splitter.",
            "Is",
            "it?",
        ]
    ]
    out = split_sentences(_transcript(toks))
    assert [s.text for s in out] == [
        "Hello there.",
        "This is e.g. a test of the splitter.",
        "Is it?",
    ]
    # start = first word start, end = last word end
    assert out[1].start == pytest.approx(0.8) and out[1].end == pytest.approx(3.9)


def test_unpunctuated_transcript_is_split_on_pauses() -> None:
    toks = [("so", 0.1), ("vectors", 0.1), ("add", 0.9), ("matrices", 0.1), ("multiply", 0.1)]
    out = split_sentences(_transcript(toks))
    assert [s.text for s in out] == ["so vectors add", "matrices multiply"]


def test_synthetic_lecture_sentences_match_ground_truth() -> None:
    lecture = easy_lectures(range(1))[0]
    out = split_sentences(lecture.transcript)
    assert [(s.start, s.end) for s in out] == lecture.sentence_times
    assert [s.index for s in out] == list(range(len(out)))


def test_unpunctuated_lecture_recovers_most_sentence_boundaries() -> None:
    lecture = build_lecture(
        "np", "easy", EASY_TOPICS, ["jazz", "volcanoes"], 3, no_punctuation=True
    )
    out = split_sentences(lecture.transcript)
    truth = {round(e, 3) for _, e in lecture.sentence_times}
    found = {round(s.end, 3) for s in out}
    assert len(truth & found) / len(truth) >= 0.8
    assert all(len(s.text.split()) <= 60 for s in out)


def test_empty_transcript_gives_no_sentences() -> None:
    assert split_sentences(Transcript("en", [], "test", 0.0, reason="no speech")) == []
