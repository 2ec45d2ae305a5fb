"""Chapter and clip titles: slide titles where slides name a chapter, else whole-word phrases."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from lecture_assets.analysis.content.exports import chapters_webvtt
from lecture_assets.analysis.content.score import LocalScorer, score_content
from lecture_assets.analysis.content.titles import (
    STOPWORDS,
    clean_title,
    key_phrase,
    retitle_scores,
    slide_title_for,
)
from lecture_assets.analysis.models import Chapter, SegmentOptions
from lecture_assets.analysis.segments.select import select_segments
from lecture_assets.analysis.slides.read import Slide
from tests.fixtures.topic_lectures import TopicLecture, easy_lectures, hard_lectures

LECTURES = hard_lectures(range(60, 62)) + easy_lectures(range(60, 61))


@pytest.fixture(scope="module")
def scorer() -> LocalScorer:
    return LocalScorer()


def _spoken_words(lecture: TopicLecture) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*", lecture.transcript.text)}


def _topic_slides(lecture: TopicLecture, every_s: float = 9.0) -> list[Slide]:
    """Slides titled by their topic, several per topic (builds and sub-slides repeat the title)."""
    edges = [0.0, *lecture.boundaries, lecture.transcript.duration_s]
    slides = []
    for k, (a, b) in enumerate(pairwise(edges)):
        title = lecture.topics[k].title()
        t = a
        while t < b:
            end = min(b, t + every_s)
            slides.append(Slide(t, end, title, f"{title}\nsome bullet", [title, "some bullet"]))
            t = end
    return slides


@pytest.mark.parametrize("lecture", LECTURES, ids=lambda lec: lec.name)
def test_chapters_take_their_slide_titles(lecture: TopicLecture, scorer: LocalScorer) -> None:
    scores = score_content(lecture.transcript, None, lecture.layout, scorer)
    out = retitle_scores(scores, _topic_slides(lecture))
    right = 0
    for ch in out.chapters:
        topic = lecture.topics[lecture.topic_at((ch.start + ch.end) / 2)]
        right += ch.title == topic.title()
    assert right >= 0.9 * len(out.chapters), [c.title for c in out.chapters]
    # the windows that become clips carry the same chapter title
    assert all(c.title == out.chapters[c.chapter_index].title for c in out.candidates)


@pytest.mark.parametrize("lecture", LECTURES, ids=lambda lec: lec.name)
def test_titles_without_slides_are_whole_spoken_words(
    lecture: TopicLecture, scorer: LocalScorer
) -> None:
    scores = retitle_scores(score_content(lecture.transcript, None, lecture.layout, scorer), [])
    spoken = _spoken_words(lecture)
    plan = select_segments(scores, lecture.transcript, None, SegmentOptions(max_clips=6))
    titles = [c.title for c in scores.chapters] + [s.title for s in plan.segments]
    assert plan.segments
    for title in titles:
        words = title.lower().split()
        assert 1 <= len(words) <= 4, title
        assert "," not in title, title  # a phrase, not a keyword list
        # every word is one the lecturer said in full: no stems such as "viru" or "alway"
        assert all(w in spoken for w in words), (title, [w for w in words if w not in spoken])
        assert words[0] not in STOPWORDS and words[-1] not in STOPWORDS, title


def test_key_phrase_prefers_a_repeated_term_over_fillers() -> None:
    text = [
        "So basically gradient descent always moves downhill, you know.",
        "Never forget: gradient descent needs a learning rate.",
        "Actually, the learning rate we have seen controls the step of gradient descent.",
    ]
    assert key_phrase(text) == "Gradient descent"


def test_slide_title_is_the_most_shown_one() -> None:
    slides = [Slide(0, 10, "Outline", "", []), Slide(10, 70, "  • Gradient Descent ", "", []),
              Slide(70, 80, "Questions?", "", [])]  # fmt: skip
    assert slide_title_for(0, 80, slides) == "Gradient Descent"
    # a title glimpsed for a moment does not name a chapter
    assert slide_title_for(0, 200, [Slide(0, 5, "Outline", "", [])]) == ""
    assert clean_title("1. Backpropagation —") == "Backpropagation"


def test_a_configured_models_titles_stand_where_no_slide_names_the_chapter(
    scorer: LocalScorer,
) -> None:
    lecture = LECTURES[0]
    scores = score_content(lecture.transcript, None, lecture.layout, scorer)
    scores = retitle_scores(scores, [])  # pretend these came from gemini
    first = scores.chapters[0]
    slides = [Slide(first.start, first.end, "Vectors and Arrows", "", [])]
    out = retitle_scores(scores, slides, keep_spoken=True)
    assert out.chapters[0].title == "Vectors and Arrows"
    assert [c.title for c in out.chapters[1:]] == [c.title for c in scores.chapters[1:]]


def test_chapters_webvtt_is_a_chapter_track_covering_the_lecture() -> None:
    chapters = [Chapter(3.2, 61.0, "Gradient Descent", 0, 4),
                Chapter(61.0, 3700.5, "Learning --> Rates", 5, 9)]  # fmt: skip
    vtt = chapters_webvtt(chapters, 3702.0)
    assert vtt.startswith("WEBVTT\n\n")
    cues = re.findall(r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)", vtt)
    assert cues == [
        ("00:00:00.000", "00:01:01.000", "Gradient Descent"),
        ("00:01:01.000", "01:01:42.000", "Learning -> Rates"),
    ]
