"""Clip edges take whole words, also on noisy recordings whose word times run short."""

from __future__ import annotations

from itertools import pairwise

import pytest

from lecture_assets.analysis.models import Interval, LoudnessStats, Sentence, SpeechMap
from lecture_assets.analysis.segments.edges import (
    GAP_S,
    LEAD_S,
    TAIL_S,
    clip_edges,
    pauses_after,
)
from lecture_assets.analysis.silence.detect import detect_silences
from lecture_assets.analysis.transcript.sentences import split_sentences
from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber
from tests.fixtures.speech import DEFAULT_PAUSES, LECTURE_SENTENCES, LectureParams, make_lecture

TOLERANCE_S = 0.03  # a frame of audio either way


def _speech(regions: list[tuple[float, float]], duration: float = 60.0) -> SpeechMap:
    speech = [Interval(a, b) for a, b in regions]
    gaps = [Interval(a.end, b.start) for a, b in pairwise(speech)]
    return SpeechMap(duration, speech, gaps, LoudnessStats(-24.0, -6.0, -60.0, -20.0), "test")


def _sentences(*times: tuple[float, float]) -> list[Sentence]:
    return [Sentence(i, a, b, f"sentence {i}.") for i, (a, b) in enumerate(times)]


def test_an_edge_moves_to_the_speech_the_transcriber_missed() -> None:
    # word times start 0.6 s late and end 0.4 s early; the speech map knows better
    sents = _sentences((1.0, 4.0), (6.6, 9.6), (12.0, 15.0))
    start, end = clip_edges(sents, 1, 1, _speech([(0.9, 4.1), (6.0, 10.0), (11.9, 15.1)]))
    assert start == pytest.approx(6.0 - LEAD_S)
    assert end == pytest.approx(10.0 + TAIL_S)


def test_an_edge_never_reaches_a_neighbouring_sentence() -> None:
    # one speech region runs through a short pause: only the pads apply, bounded by the words
    sents = _sentences((1.0, 4.0), (4.2, 7.0), (7.1, 9.0))
    start, end = clip_edges(sents, 1, 1, _speech([(0.9, 9.2)]))
    assert 4.0 < start <= 4.2
    assert 7.0 <= end < 7.1


def test_a_short_pause_is_shared_between_the_sentences_either_side() -> None:
    # no gap in the speech map, 0.4 s between the words: the tail pad stops half way
    sents = _sentences((1.0, 4.0), (6.0, 9.0), (9.4, 12.0))
    speech = _speech([(0.9, 4.1), (5.9, 12.1)])
    assert clip_edges(sents, 1, 1, speech)[1] == pytest.approx(9.2)
    assert clip_edges(sents, 2, 2, speech)[0] == pytest.approx(9.25)  # the lead pad fits


def test_a_sentence_heard_in_silence_does_not_hold_an_edge_back() -> None:
    # the transcriber adds "Thank you." in the quiet after the last word; the real last
    # sentence still gets its trailing speech and pad
    sents = _sentences((1.0, 4.0), (6.0, 9.0), (9.05, 10.5))
    start, end = clip_edges(sents, 1, 1, _speech([(0.9, 4.1), (5.9, 9.3)], duration=12.0))
    assert start == pytest.approx(5.9 - LEAD_S)
    assert end == pytest.approx(9.3 + TAIL_S)
    # a neighbour that was said still bounds the edge
    said = _speech([(0.9, 4.1), (5.9, 10.6)], duration=12.0)
    assert clip_edges(sents, 1, 1, said)[1] == pytest.approx(9.05 - GAP_S)


def test_without_a_speech_map_the_words_get_short_pads() -> None:
    sents = _sentences((1.0, 4.0), (6.0, 9.0))
    assert clip_edges(sents, 0, 0, None) == (pytest.approx(1.0 - LEAD_S), pytest.approx(4.25))
    assert clip_edges(sents, 1, 1, None)[1] == pytest.approx(9.0 + TAIL_S)


def test_speech_nobody_else_said_after_the_last_word_stays_in_the_clip() -> None:
    # the transcriber dropped the last 2 s of a sentence; the next one starts after a pause
    sents = _sentences((1.0, 4.0), (7.0, 10.0))
    speech = _speech([(0.9, 6.0), (6.9, 10.1)])
    assert clip_edges(sents, 0, 0, speech)[1] == pytest.approx(6.0 + TAIL_S)
    # speech that runs on for longer is not taken on trust
    far = _speech([(0.9, 8.0), (8.9, 10.1)])
    assert clip_edges(_sentences((1.0, 4.0), (9.0, 10.0)), 0, 0, far)[1] == pytest.approx(4.25)


def test_a_sentence_end_the_lecturer_did_not_pause_at_is_no_clip_edge() -> None:
    # 2 ends mid-flow (one speech region on, 0.08 s to the next words); 0 and 1 at pauses
    sents = _sentences((1.0, 4.0), (5.0, 8.0), (9.0, 11.0), (11.08, 13.0), (14.0, 16.0))
    speech = _speech([(0.9, 4.1), (4.9, 8.1), (8.9, 13.1), (13.9, 16.1)])
    assert pauses_after(sents, speech) == [True, True, False, True, True]
    # without a speech map, only the word gap tells
    assert pauses_after(sents, None) == [True, True, True, True, True]


@pytest.mark.parametrize("seed", [0, 1])
def test_no_sentence_edge_cuts_speech_under_a_minus_40_db_noise_floor(seed: int) -> None:
    # speech at -20 dBFS over room noise 20 dB below it: word times end early on most sentences
    lecture = make_lecture(
        LectureParams(
            sentences=tuple(LECTURE_SENTENCES[seed:] + LECTURE_SENTENCES[:seed]),
            pauses_s=tuple(DEFAULT_PAUSES[seed:] + DEFAULT_PAUSES[:seed]),
            snr_db=20.0,
            seed=seed,
        )
    )
    speech = detect_silences(lecture.wav)
    transcript = FasterWhisperTranscriber("tiny.en").transcribe(lecture.wav, speech=speech)
    sentences = split_sentences(transcript)
    assert len(sentences) >= 7
    # a clip is sentences between two pauses: the transcriber may end a sentence mid-flow
    # ("...start with Adam and M." / "Tune the learning rate schedule.", said as one), and
    # clips never end there (select_segments); each run between pauses is one clip here
    pauses = pauses_after(sentences, speech)
    ends = [i for i, paused in enumerate(pauses) if paused]
    runs = list(zip([0, *(i + 1 for i in ends[:-1])], ends, strict=True))
    assert len(runs) >= 7
    words_only_cuts = 0
    for a, b in runs:
        s0, s1 = sentences[a].start, sentences[b].end
        said = [t for t in lecture.speech if t.start < s1 and t.end > s0]
        if not said:
            continue  # heard in silence: no words of the lecture to keep whole
        first, last = min(t.start for t in said), max(t.end for t in said)
        words_only_cuts += (s0 > first + TOLERANCE_S) + (s1 < last - TOLERANCE_S)
        start, end = clip_edges(sentences, a, b, speech)
        assert start <= first + TOLERANCE_S and end >= last - TOLERANCE_S, (a, b, first, last)
        for other in (t for t in lecture.speech if t not in said):
            overlap = min(end, other.end) - max(start, other.start)
            assert overlap < 0.05, f"sentences {a}-{b} take {overlap:.2f} s of a neighbour"
    # the case this guards: the transcriber's own word times clip most sentences
    assert words_only_cuts >= 3
