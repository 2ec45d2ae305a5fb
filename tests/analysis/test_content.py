"""Content agent: chapter accuracy on easy and hard synthetic lectures, scores and chapter text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lecture_assets.analysis.content.score import LocalScorer, chapters_text, score_content
from lecture_assets.analysis.models import Chapter, ContentScores, Transcript
from tests.fixtures.topic_lectures import (
    TopicLecture,
    easy_lectures,
    flat_lecture,
    hard_lectures,
    pk,
    word_labels,
)

# seeds disjoint from the ones the segmenter was tuned on (0-4)
HARD = hard_lectures(range(50, 53))
EASY = easy_lectures(range(50, 52))


@pytest.fixture(scope="module")
def scorer() -> LocalScorer:
    return LocalScorer()


def _score(lecture: TopicLecture, scorer: LocalScorer) -> ContentScores:
    return score_content(lecture.transcript, None, lecture.layout, scorer)


@pytest.mark.parametrize("lecture", HARD + EASY, ids=lambda lec: lec.name)
def test_chapters_match_known_topics(lecture: TopicLecture, scorer: LocalScorer) -> None:
    out = _score(lecture, scorer)
    ref, hyp = word_labels(lecture, [c.start for c in out.chapters])
    assert pk(ref, hyp) <= 0.15
    # chapters tile the sentences and start/end on sentence boundaries
    assert out.chapters[0].first_sentence == 0
    assert out.chapters[-1].last_sentence == len(out.sentences) - 1
    for a, b in zip(out.chapters, out.chapters[1:], strict=False):
        assert b.first_sentence == a.last_sentence + 1
        assert b.start == out.sentences[b.first_sentence].start


def test_hard_set_titles_name_the_subtopic(scorer: LocalScorer) -> None:
    lecture = HARD[0]
    out = _score(lecture, scorer)
    keys = {
        "vectors": "vector",
        "matrix multiplication": "matri",
        "determinants": "determinant",
        "eigenvalues": "eigen",
        "linear systems": "",
        "orthogonality": "",
        "vector spaces": "",
    }
    hits = 0
    for ch in out.chapters:
        topic = lecture.topics[lecture.topic_at((ch.start + ch.end) / 2)]
        hits += keys[topic] in ch.title.lower()
    assert hits >= len(out.chapters) - 1


def test_chapter_starts_snap_to_a_nearby_slide_change(scorer: LocalScorer) -> None:
    lecture = HARD[1]
    plain = score_content(lecture.transcript, None, None, scorer)
    # a slide change one sentence after each found boundary pulls the chapter start there
    moved = [plain.sentences[c.first_sentence + 1].start for c in plain.chapters[1:]]
    layout = replace(lecture.layout, slide_changes=[t - 0.4 for t in moved])
    out = score_content(lecture.transcript, None, layout, scorer)
    assert [c.start for c in out.chapters[1:]] == moved


def test_scores_are_sentence_level_and_option_free(scorer: LocalScorer) -> None:
    out = _score(EASY[0], scorer)
    assert len(out.sentence_scores) == len(out.sentences)
    assert all(0.0 <= v <= 1.0 for v in out.sentence_scores)
    exam = [i for i, s in enumerate(out.sentences) if "exam" in s.text.lower()]
    filler = [i for i, s in enumerate(out.sentences) if s.text in ("Alright.", "Okay, good.")]
    if exam and filler:
        assert min(out.sentence_scores[i] for i in exam) > max(
            out.sentence_scores[i] for i in filler
        )
    assert out.candidates and all(
        out.chapters[c.chapter_index].first_sentence <= c.first_sentence
        and c.last_sentence <= out.chapters[c.chapter_index].last_sentence
        for c in out.candidates
    )


def test_single_topic_lecture_is_one_chapter(scorer: LocalScorer) -> None:
    out = _score(flat_lecture(), scorer)
    assert len(out.chapters) == 1


def test_empty_transcript_explains_itself() -> None:
    out = score_content(Transcript("en", [], "m", 10.0, reason="no speech detected"), None, None)
    assert out.chapters == [] and "no speech detected" in out.method


def test_chapters_text_is_youtube_style() -> None:
    chs = [Chapter(3.0, 60, "Intro", 0, 1), Chapter(61.5, 4000, "Vectors", 2, 9),
           Chapter(4000, 4100, "Wrap up", 10, 12)]  # fmt: skip
    assert chapters_text(chs) == "0:00:00 Intro\n0:01:01 Vectors\n1:06:40 Wrap up"
    assert chapters_text(chs[:2]) == "00:00 Intro\n01:01 Vectors"
