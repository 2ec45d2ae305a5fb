"""Transcript agent: the offline faster-whisper models, chunk planning and stitching."""

from __future__ import annotations

import itertools
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lecture_assets.analysis.media.audio import SAMPLE_RATE, extract_audio
from lecture_assets.analysis.models import Interval, Transcript, TranscriptSegment, Word
from lecture_assets.analysis.silence.detect import detect_silences
from lecture_assets.analysis.transcript import whisper_models
from lecture_assets.analysis.transcript.chunks import (
    Pack,
    enforce_order,
    pack_chunks,
    plan_chunks,
)
from lecture_assets.analysis.transcript.transcribe import (
    FasterWhisperTranscriber,
    Transcriber,
)
from lecture_assets.analysis.transcript.whisper_models import ModelUnavailable
from tests.fixtures.speech import LECTURE_SENTENCES, LectureParams, SyntheticLecture, make_lecture

REALMEDIA = Path(__file__).resolve().parents[3] / "shared" / "realmedia"


@pytest.fixture(scope="module")
def lecture() -> SyntheticLecture:
    return make_lecture(LectureParams())


@pytest.fixture(scope="module")
def tiny_result(lecture: SyntheticLecture) -> tuple[Transcript, list[float]]:
    progress: list[float] = []
    engine = FasterWhisperTranscriber("tiny.en")
    return engine.transcribe(lecture.wav, on_progress=progress.append), progress


def _assert_consistent(transcript: Transcript) -> None:
    last = 0.0
    for seg in transcript.segments:
        assert seg.start >= last - 1e-6 and seg.end >= seg.start
        for word in seg.words:
            assert seg.start <= word.start <= word.end <= seg.end
            assert word.start >= last - 1e-6
            last = word.end
        last = max(last, seg.end)


def test_tiny_model_transcribes_the_lecture_with_ordered_word_times(
    lecture: SyntheticLecture, tiny_result: tuple[Transcript, list[float]]
) -> None:
    transcript, _ = tiny_result
    text = transcript.text.lower()
    assert transcript.model == "faster-whisper:tiny.en" and transcript.language == "en"
    for phrase in ("learning rate", "descent", "momentum", "on the board"):
        assert phrase in text
    _assert_consistent(transcript)


def test_words_fall_inside_speech_and_none_are_lost_or_doubled_at_chunk_cuts(
    lecture: SyntheticLecture, tiny_result: tuple[Transcript, list[float]]
) -> None:
    transcript, _ = tiny_result
    for word in transcript.words:
        mid = (word.start + word.end) / 2
        assert any(s.start - 0.5 <= mid <= s.end + 0.5 for s in lecture.speech), word
    # the 3 s pause splits the audio into two chunks; each sentence is heard exactly once
    assert transcript.text.lower().count("velocity") == 2
    assert transcript.text.lower().count("momentum") == 2
    assert len(plan_chunks(detect_silences(lecture.wav).speech, lecture.duration_s)) == 2


def test_progress_rises_to_one(tiny_result: tuple[Transcript, list[float]]) -> None:
    _, progress = tiny_result
    assert progress and progress[-1] == 1.0
    assert progress == sorted(progress)


def test_chunks_decoded_side_by_side_give_the_one_at_a_time_transcript() -> None:
    lecture = make_lecture(LectureParams(pauses_s=(2.5,) * 5))  # six chunks to share out
    speech = detect_silences(lecture.wav)
    assert len(plan_chunks(speech.speech, lecture.duration_s)) == 6
    # one thread per chunk either way, so the arithmetic (and the words) are the same
    progress: list[float] = []
    alone = FasterWhisperTranscriber("tiny.en", workers=1, cpu_threads=1, max_pack_s=1.0)
    together = FasterWhisperTranscriber("tiny.en", workers=2, cpu_threads=1, max_pack_s=1.0)
    one = alone.transcribe(lecture.wav, speech=speech)
    two = together.transcribe(lecture.wav, speech=speech, on_progress=progress.append)
    assert [(w.word, w.start, w.end) for w in two.words] == [
        (w.word, w.start, w.end) for w in one.words
    ]
    assert two.words and progress == sorted(progress) and progress[-1] == 1.0


def test_released_models_are_loaded_afresh() -> None:
    def load() -> object:
        return whisper_models.load_model(
            "tiny.en", compute_type="int8", cpu_threads=1, allow_download=False
        )

    first = load()
    assert load() is first  # cached while the stage runs
    whisper_models.release_models()
    assert load() is not first


def test_silent_recording_gives_an_empty_transcript_with_a_reason(tmp_path: Path) -> None:
    wav = tmp_path / "silent.wav"
    with wave.open(str(wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(np.zeros(SAMPLE_RATE * 4, dtype="<i2").tobytes())
    transcript = FasterWhisperTranscriber("tiny.en").transcribe(wav)
    assert transcript.segments == []
    assert transcript.reason and "no speech" in transcript.reason
    assert transcript.duration_s == pytest.approx(4.0)


def test_bundled_base_model_is_verified_and_transcribes(tmp_path: Path) -> None:
    lecture = make_lecture(
        LectureParams(sentences=tuple(LECTURE_SENTENCES[:2]), pauses_s=(0.8,), lead_s=0.3)
    )
    engine = FasterWhisperTranscriber("base")
    assert isinstance(engine, Transcriber)
    transcript = engine.transcribe(lecture.wav)
    text = transcript.text.lower()
    assert "learning rate is too large" in text and "oscillate" in text
    _assert_consistent(transcript)


def test_unknown_model_without_downloads_names_the_setting_to_change() -> None:
    with pytest.raises(ModelUnavailable) as err:
        whisper_models.load_model(
            "large-v3", compute_type="int8", cpu_threads=1, allow_download=False
        )
    assert "model_source" in str(err.value) and "allow_download" in str(err.value)


def test_corrupt_bundled_model_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper_models, "TINY_EN_SHA256", "0" * 64)
    with pytest.raises(ModelUnavailable, match=r"corrupt.*reinstall"):
        whisper_models.tiny_en_dir()


def test_stitching_repairs_backwards_and_overflowing_word_times() -> None:
    segs = [
        TranscriptSegment(5.0, 6.0, "b", [Word(4.9, 5.5, "b1"), Word(5.4, 6.3, "b2")]),
        TranscriptSegment(1.0, 5.2, "a", [Word(1.0, 2.0, "a1"), Word(1.8, 1.7, "a2")]),
    ]
    fixed = enforce_order(segs)
    assert [s.text for s in fixed] == ["a", "b"]
    _assert_consistent(Transcript("en", fixed, "x", 7.0))


def test_chunks_cut_only_inside_long_silences() -> None:
    speech = [Interval(0.5, 10.0), Interval(10.5, 20.0), Interval(25.0, 30.0), Interval(31, 200)]
    chunks = plan_chunks(speech, 210.0, split_gap_s=2.0, max_chunk_s=120.0)
    assert chunks[0] == Interval(0.3, 20.2)  # the 0.5 s gap stays inside a chunk
    assert chunks[1].start == pytest.approx(24.8)
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))
    assert all(c.duration <= 120.4 for c in chunks)
    for s in speech:  # every second of speech is sent exactly once
        covered = sum(max(0.0, min(c.end, s.end) - max(c.start, s.start)) for c in chunks)
        assert covered == pytest.approx(s.duration)


def test_packs_join_chunks_up_to_the_limit_in_order() -> None:
    chunks = [Interval(0, 10), Interval(15, 70), Interval(80, 100), Interval(130, 250)]
    packs = pack_chunks(chunks, max_pack_s=80.0)
    assert [p.pieces for p in packs] == [tuple(chunks[:2]), (chunks[2],), (chunks[3],)]
    assert [c for p in packs for c in p.pieces] == chunks  # nothing dropped or reordered


def test_times_on_joined_audio_map_back_to_their_piece() -> None:
    pack = Pack((Interval(10.0, 20.0), Interval(50.0, 55.0)))  # joined: 0-10 and 10-15
    seg = pack.place_segment(
        8.0,
        13.0,
        " two sentences ",
        [Word(8.0, 9.5, "end"), Word(9.8, 10.6, "x"), Word(11, 12, "b")],
    )
    assert (seg.start, seg.end, seg.text) == (18.0, 53.0, "two sentences")
    # a word that runs over the joint stays in the piece it started in
    assert [(w.start, w.end) for w in seg.words] == [(18.0, 19.5), (19.8, 20.0), (51.0, 52.0)]
    assert pack.place_segment(0.0, 10.0, "a", []).end == 20.0  # an end on the joint: piece one


@pytest.mark.realmedia
@pytest.mark.skipif(not (REALMEDIA / "speech").is_dir(), reason="../shared/realmedia is absent")
def test_jfk_inaugural_line(tmp_path: Path) -> None:
    wav = extract_audio(REALMEDIA / "speech/whisper_jfk/jfk.flac", tmp_path / "j.wav", timeout_s=60)
    transcript = FasterWhisperTranscriber("tiny.en").transcribe(wav)
    text = "".join(c for c in transcript.text.lower() if c.isalpha() or c == " ")
    assert "ask not what your country can do for you" in text
    americans = next(w for w in transcript.words if "americans" in w.word.lower())
    assert americans.start <= 1.9 and americans.end >= 1.7  # whisper's own test: t=1.8 s


class _HearsFinnishFirst:
    """A model whose first window of a noisy room sounds Finnish, the rest English."""

    def __init__(self) -> None:
        self.heard: list[int] = []

    def detect_language(self, audio: Any) -> tuple[str, float, list[tuple[str, float]]]:
        self.heard.append(len(audio))
        if len(self.heard) == 1:
            return "fi", 0.46, [("fi", 0.46), ("en", 0.30)]
        return "en", 0.92, [("en", 0.92), ("fi", 0.02)]


def test_the_language_is_heard_over_the_lecture_not_its_first_window() -> None:
    from lecture_assets.analysis.transcript.chunks import Pack
    from lecture_assets.analysis.transcript.transcribe import _detect_language

    pcm = np.zeros(SAMPLE_RATE * 200, dtype=np.int16)
    one_pack = [Pack((Interval(0.0, 70.0),))]
    model = _HearsFinnishFirst()
    assert _detect_language(model, pcm, one_pack) == "en"
    # three 30 s windows spread over the 70 s of speech
    assert model.heard == [30 * SAMPLE_RATE] * 3
    many = [Pack((Interval(float(i * 20), float(i * 20 + 15)),)) for i in range(9)]
    model = _HearsFinnishFirst()
    assert _detect_language(model, pcm, many) == "en" and len(model.heard) == 3
