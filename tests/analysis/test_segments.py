"""Segment agent: clips on sentence boundaries, inside one topic, spread, trimmed and explained."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from lecture_assets.analysis.content.score import LocalScorer, score_content
from lecture_assets.analysis.models import (
    ContentScores,
    HighlightPlan,
    Interval,
    LoudnessStats,
    SegmentOptions,
    SpeechMap,
    Transcript,
)
from lecture_assets.analysis.segments.select import EDGE_REACH, clip_ranges, select_segments
from tests.fixtures.topic_lectures import (
    TopicLecture,
    easy_lectures,
    flat_lecture,
    hard_lectures,
    short_lecture,
)

LECTURES = hard_lectures(range(60, 62)) + easy_lectures(range(60, 61))


@pytest.fixture(scope="module")
def scored() -> dict[str, tuple[TopicLecture, ContentScores]]:
    scorer = LocalScorer()
    out = {}
    for lec in [*LECTURES, flat_lecture(), short_lecture()]:
        out[lec.name] = (lec, score_content(lec.transcript, None, lec.layout, scorer))
    return out


def _purity(lecture: TopicLecture, start: float, end: float) -> float:
    bounds = [0.0, *lecture.boundaries, 1e9]
    overlaps = [max(0.0, min(end, b) - max(start, a)) for a, b in pairwise(bounds)]
    return max(overlaps) / (end - start)


@pytest.mark.parametrize("name", [lec.name for lec in LECTURES])
@pytest.mark.parametrize("options", [SegmentOptions(), SegmentOptions(4, 30.0, 60.0)])
def test_clips_are_whole_sentences_in_one_topic_and_spread(
    scored: dict[str, tuple[TopicLecture, ContentScores]], name: str, options: SegmentOptions
) -> None:
    lecture, scores = scored[name]
    plan = select_segments(scores, lecture.transcript, None, options)
    starts = [s for s, _ in lecture.sentence_times]
    ends = [e for _, e in lecture.sentence_times]
    assert 1 <= len(plan.segments) <= options.max_clips
    for seg in plan.segments:
        assert min(abs(seg.start - s) for s in starts) <= 0.3
        assert min(abs(seg.end - e) for e in ends) <= 0.3
        assert options.min_seconds <= seg.output_duration <= options.max_seconds
        assert _purity(lecture, seg.start, seg.end) >= 0.9
        assert seg.title and seg.reason
    spans = sorted((s.start, s.end) for s in plan.segments)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    topics = {lecture.topic_at((s.start + s.end) / 2) for s in plan.segments}
    assert len(topics) == min(len(plan.segments), len(lecture.topics))
    assert [s.score for s in plan.segments] == sorted(
        (s.score for s in plan.segments), reverse=True
    )
    assert plan.chapters_text.startswith("00:00 ")


def test_long_pauses_are_cut_but_speech_is_kept(
    scored: dict[str, tuple[TopicLecture, ContentScores]],
) -> None:
    lecture, scores = scored[LECTURES[0].name]
    plan = select_segments(scores, lecture.transcript, None, SegmentOptions(max_pause_s=1.5))
    words = lecture.transcript.words
    cut_any = False
    for seg in plan.segments:
        assert seg.keep[0].start == seg.start and seg.keep[-1].end == seg.end
        inside = [w for w in words if seg.start <= w.start and w.end <= seg.end]
        for w in inside:  # every word is kept in full
            assert any(k.start <= w.start and w.end <= k.end for k in seg.keep)
        for a, b in pairwise(seg.keep):
            assert b.start - a.end > 1.0  # only real dead air is removed
        cut_any |= len(seg.keep) > 1
        assert all(b.start - a.end <= 1.5 for a, b in pairwise(inside)
                   if any(k.start <= a.end and b.start <= k.end for k in seg.keep))  # fmt: skip
    assert cut_any


def test_speech_map_silences_are_trimmed_too(
    scored: dict[str, tuple[TopicLecture, ContentScores]],
) -> None:
    lecture, scores = scored[LECTURES[0].name]
    base = select_segments(scores, lecture.transcript, None, SegmentOptions(max_clips=1))
    seg = base.segments[0]
    mid = (seg.start + seg.end) / 2
    silence = Interval(mid - 1.0, mid + 1.5)  # e.g. a word timing stretched over a pause
    speech = SpeechMap(lecture.transcript.duration_s, [], [silence],
                       LoudnessStats(-20, -3, -60, -20), "test")  # fmt: skip
    plan = select_segments(scores, lecture.transcript, speech, SegmentOptions(max_clips=1))
    assert any(k.end <= silence.start + 0.3 for k in plan.segments[0].keep)
    assert plan.segments[0].output_duration < plan.segments[0].end - plan.segments[0].start


def test_reselecting_with_other_options_reuses_scores(
    scored: dict[str, tuple[TopicLecture, ContentScores]],
) -> None:
    lecture, scores = scored[LECTURES[1].name]
    short = select_segments(scores, lecture.transcript, None, SegmentOptions(3, 20.0, 35.0))
    long = select_segments(scores, lecture.transcript, None, SegmentOptions(3, 60.0, 120.0))
    assert all(20.0 <= s.output_duration <= 35.0 for s in short.segments)
    assert all(60.0 <= s.output_duration <= 120.0 for s in long.segments)
    assert 1 <= len(short.segments) <= 3 and 1 <= len(long.segments) <= 3


def test_lecture_without_topic_structure_still_gets_clips_and_a_note(
    scored: dict[str, tuple[TopicLecture, ContentScores]],
) -> None:
    lecture, scores = scored["flat"]
    plan = select_segments(scores, lecture.transcript, None, SegmentOptions())
    # a ~3-minute single-topic lecture: as many clips as fit side by side, not one per chapter
    assert len(plan.segments) >= 2
    assert plan.note and "topic structure" in plan.note


def test_short_lecture_gets_one_clip_with_a_reason(
    scored: dict[str, tuple[TopicLecture, ContentScores]],
) -> None:
    lecture, scores = scored["short"]
    plan = select_segments(scores, lecture.transcript, None, SegmentOptions())
    assert len(plan.segments) == 1 and plan.note and "short" in plan.note
    too_long = select_segments(scores, lecture.transcript, None, SegmentOptions(min_seconds=90))
    assert too_long.segments == [] and too_long.note and "min_seconds" in too_long.note


def test_empty_transcript_never_crashes() -> None:
    empty = Transcript("en", [], "m", 30.0, reason="no speech detected")
    plan = select_segments(score_content(empty, None, None), empty, None, SegmentOptions())
    assert isinstance(plan, HighlightPlan) and plan.segments == []
    assert plan.note and "no speech detected" in plan.note


def test_inconsistent_options_are_refused_with_advice(
    scored: dict[str, tuple[TopicLecture, ContentScores]],
) -> None:
    lecture, scores = scored["short"]
    with pytest.raises(ValueError, match="min_seconds <= max_seconds"):
        select_segments(
            scores, lecture.transcript, None, SegmentOptions(min_seconds=90, max_seconds=30)
        )


@pytest.mark.parametrize("name", [lec.name for lec in LECTURES])
def test_clips_keep_off_the_next_topic_when_a_chapter_edge_is_one_sentence_late(
    scored: dict[str, tuple[TopicLecture, ContentScores]], name: str
) -> None:
    lecture, scores = scored[name]
    # push every chapter boundary one sentence late and make the stray sentences tempting
    chapters = [replace(ch) for ch in scores.chapters]
    strays = []
    for k in range(1, len(chapters)):
        first = chapters[k].first_sentence
        strays.append(first)
        prev, cur = chapters[k - 1], chapters[k]
        nxt = scores.sentences[first + 1]
        chapters[k - 1] = replace(prev, end=scores.sentences[first].end, last_sentence=first)
        chapters[k] = replace(cur, start=nxt.start, first_sentence=first + 1)
    values = list(scores.sentence_scores)
    for i in strays:
        values[i] = 1.0
    shifted = replace(scores, chapters=chapters, candidates=[], sentence_scores=values)
    plan = select_segments(shifted, lecture.transcript, None, SegmentOptions())
    assert plan.segments
    for seg in plan.segments:
        assert _purity(lecture, seg.start, seg.end) >= 0.9
        assert not any(seg.start <= scores.sentences[i].start < seg.end for i in strays)


def test_clip_ranges_leave_chapters_whole_when_edges_fit(
    scored: dict[str, tuple[TopicLecture, ContentScores]],
) -> None:
    _, scores = scored[LECTURES[2].name]
    ranges = clip_ranges(scores.sentences, scores.chapters)
    assert len(ranges) == len(scores.chapters)
    for (lo, hi), ch in zip(ranges, scores.chapters, strict=True):
        assert ch.first_sentence <= lo and hi <= ch.last_sentence
        assert (lo - ch.first_sentence) + (ch.last_sentence - hi) <= 2 * EDGE_REACH
    assert clip_ranges(scores.sentences, scores.chapters[:1]) == [
        (scores.chapters[0].first_sentence, scores.chapters[0].last_sentence)
    ]
