"""Clip selection ranks windows by their own score, whatever the chapter count."""

from __future__ import annotations

from itertools import pairwise

import pytest

from lecture_assets.analysis.models import (
    Chapter,
    ContentScores,
    Interval,
    LoudnessStats,
    SegmentOptions,
    Sentence,
    SpeechMap,
)
from lecture_assets.analysis.segments.select import MIN_GAP_S, select_segments
from lecture_assets.analysis.transcript.sentences import split_sentences
from tests.fixtures.topic_lectures import EASY_TOPICS, LINEAR_ALGEBRA, TopicLecture, build_lecture

RUN = 6  # sentences in one planted strong moment


def _lecture(minutes: float, two_topics: bool, seed: int) -> TopicLecture:
    # long topics from whole course pools, repeated until the lecture runs `minutes`
    algebra = [s for pool in LINEAR_ALGEBRA.values() for s in pool]
    geo = [s for pool in EASY_TOPICS.values() for s in pool]
    pools = {"algebra": algebra * 3, "geo": geo * 3, "all": (algebra + geo) * 3}
    names = ["algebra", "geo"] if two_topics else ["all"]
    n = 1
    while True:
        per = n if not two_topics else n // 2
        lec = build_lecture(f"long-{seed}", "long", pools, names, seed, per_topic=(per, per),
                            filler_rate=0.2)  # fmt: skip
        if lec.transcript.duration_s >= minutes * 60:
            return lec
        n += 40


def _scores(lec: TopicLecture, bounds: list[int], planted: list[int]) -> ContentScores:
    sentences = split_sentences(lec.transcript)
    chapters = [
        Chapter(sentences[a].start, sentences[b - 1].end, f"Part {k + 1}", a, b - 1)
        for k, (a, b) in enumerate(pairwise([0, *bounds, len(sentences)]))
    ]
    values = [0.3] * len(sentences)
    for p in planted:
        values[p : p + RUN] = [1.0] * RUN
    return ContentScores(sentences, chapters, [], "test", values)


def _covered(plan_spans: list[tuple[float, float]], lec: ContentScores, p: int) -> bool:
    mid = (lec.sentences[p].start + lec.sentences[p + RUN - 1].end) / 2
    return any(a <= mid <= b for a, b in plan_spans)


@pytest.mark.parametrize("seed", [1, 2])
def test_two_long_chapters_get_all_requested_clips_on_the_strongest_moments(seed: int) -> None:
    lec = _lecture(60.0, True, seed)
    n = len(split_sentences(lec.transcript))
    cut = n // 2
    # four strong moments in the first chapter, one in the second
    planted = [int(cut * f) for f in (0.1, 0.35, 0.6, 0.85)] + [cut + (n - cut) // 2]
    scores = _scores(lec, [cut], planted)
    plan = select_segments(scores, lec.transcript, None, SegmentOptions(max_clips=5))
    spans = [(s.start, s.end) for s in plan.segments]
    assert len(plan.segments) == 5
    assert all(_covered(spans, scores, p) for p in planted)
    assert all(20.0 <= s.output_duration <= 120.0 for s in plan.segments)
    ordered = sorted(spans)
    assert all(a[1] + MIN_GAP_S <= b[0] for a, b in pairwise(ordered))


@pytest.mark.parametrize("seed", [3, 4])
def test_lecture_without_structure_still_gets_max_clips_on_the_strongest_moments(
    seed: int,
) -> None:
    lec = _lecture(30.0, False, seed)
    n = len(split_sentences(lec.transcript))
    planted = [int(n * (k + 0.5) / 8) for k in range(8)]
    scores = _scores(lec, [], planted)
    plan = select_segments(scores, lec.transcript, None, SegmentOptions())
    spans = [(s.start, s.end) for s in plan.segments]
    assert len(plan.segments) == 8
    assert all(_covered(spans, scores, p) for p in planted)
    assert plan.note and "strongest" in plan.note


def test_a_chapter_of_alike_moments_does_not_take_every_clip() -> None:
    # with no planted peak, the soft spread keeps clips in both chapters and across the lecture
    lec = _lecture(40.0, True, 5)
    n = len(split_sentences(lec.transcript))
    scores = _scores(lec, [n // 2], [])
    plan = select_segments(scores, lec.transcript, None, SegmentOptions(max_clips=6))
    assert len(plan.segments) == 6
    assert {s.chapter_index for s in plan.segments} == {0, 1}
    per_chapter = [sum(s.chapter_index == k for s in plan.segments) for k in (0, 1)]
    assert min(per_chapter) >= 2


def test_clips_start_and_end_where_the_lecturer_pauses() -> None:
    lec = _lecture(30.0, False, 5)
    said = split_sentences(lec.transcript)
    # every third sentence runs on into the next without a pause (a transcriber's full stop
    # where the lecturer didn't stop): one stretch of speech, the next words 0.05 s later
    sentences = list(said[:1])
    for s in said[1:]:
        start = sentences[-1].end + 0.05 if s.index % 3 == 0 else s.start
        sentences.append(Sentence(s.index, start, s.end, s.text))
    regions: list[Interval] = []
    for s in sentences:
        if regions and s.index % 3 == 0:
            regions[-1] = Interval(regions[-1].start, s.end)
        else:
            regions.append(Interval(s.start, s.end))
    gaps = [Interval(a.end, b.start) for a, b in pairwise(regions)]
    speech = SpeechMap(sentences[-1].end + 1, regions, gaps, LoudnessStats(-24, -6, -60, -20), "t")
    n = len(sentences)
    scores = _scores(lec, [], [int(n * (k + 0.5) / 8) for k in range(8)])
    scores = ContentScores(sentences, scores.chapters, [], "test", scores.sentence_scores)
    plan = select_segments(scores, lec.transcript, speech, SegmentOptions())
    assert len(plan.segments) == 8
    for seg in plan.segments:
        first = min(s.index for s in sentences if s.start >= seg.start)
        last = max(s.index for s in sentences if s.end <= seg.end)
        # neither edge sits where one sentence runs on into the next
        assert first % 3 != 0 and (last + 1) % 3 != 0, (first, last)
