"""Silence agent: pauses in synthetic lectures (clean and noisy) and human-labelled meetings."""

from __future__ import annotations

import itertools
import json
import wave
from pathlib import Path

import numpy as np
import pytest

from lecture_assets.analysis.media.audio import SAMPLE_RATE, read_pcm
from lecture_assets.analysis.models import Interval, SpeechMap
from lecture_assets.analysis.silence.detect import (
    SilenceParams,
    _silero_probabilities,
    detect_silences,
)
from tests.fixtures.speech import LectureParams, SyntheticLecture, make_lecture, noisy_params

REALMEDIA = Path(__file__).resolve().parents[3] / "shared" / "realmedia"


def _frame_f1(truth: list[Interval], pred: list[Interval], duration: float) -> float:
    n = int(duration * 100) + 1
    t, p = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for iv in truth:
        t[int(iv.start * 100) : int(iv.end * 100)] = True
    for iv in pred:
        p[int(iv.start * 100) : int(iv.end * 100)] = True
    tp = int(np.sum(t & p))
    return 2 * tp / (2 * tp + int(np.sum(t ^ p)))


def _found(pause: Interval, smap: SpeechMap, tolerance: float) -> bool:
    """A detected silence starts and ends within `tolerance` of the true pause."""
    return any(
        abs(s.start - pause.start) <= tolerance and abs(s.end - pause.end) <= tolerance
        for s in smap.silences
    )


def _write(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(samples.astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def clean() -> SyntheticLecture:
    return make_lecture(LectureParams())


@pytest.fixture(scope="module")
def noisy() -> SyntheticLecture:
    return make_lecture(noisy_params(snr_db=15.0))


def test_every_pause_in_a_clean_lecture_is_found_within_a_fifth_of_a_second(
    clean: SyntheticLecture,
) -> None:
    smap = detect_silences(clean.wav)
    assert smap.method == "silero"
    for pause in clean.pauses:
        if pause.duration >= 0.5:
            assert _found(pause, smap, 0.2), f"pause {pause} missing from {smap.silences}"
    assert _frame_f1(clean.speech, smap.speech, smap.duration_s) >= 0.95


def test_noisy_room_with_hum_and_level_changes_keeps_every_long_pause_within_0_3_s(
    noisy: SyntheticLecture,
) -> None:
    smap = detect_silences(noisy.wav)
    for pause in noisy.pauses:
        if pause.duration >= 1.0:
            assert _found(pause, smap, 0.3), f"pause {pause} missing from {smap.silences}"
    assert _frame_f1(noisy.speech, smap.speech, smap.duration_s) >= 0.93
    # the noise bed is measured well below speech
    assert smap.loudness.speech_level_dbfs - smap.loudness.noise_floor_dbfs >= 8


def test_speech_is_not_padded_into_the_silence_that_follows_it(clean: SyntheticLecture) -> None:
    # a pause in a clean recording is digital silence: the map should say silence from
    # (nearly) the moment the sentence stops, not a fixed pad later; the lead-in before
    # the next sentence stays short too
    smap = detect_silences(clean.wav)
    for pause in clean.pauses:
        if pause.duration < 0.5:
            continue
        inside = [s for s in smap.silences if s.start < pause.end and s.end > pause.start]
        assert len(inside) == 1, f"pause {pause} is not one silence: {inside}"
        assert 0.0 <= inside[0].start - pause.start <= 0.06, (pause, inside[0])
        assert 0.0 <= pause.end - inside[0].end <= 0.15, (pause, inside[0])


@pytest.mark.parametrize("which", ["clean", "noisy"])
def test_energy_fallback_finds_every_pause_of_a_second_or_more(
    which: str, clean: SyntheticLecture, noisy: SyntheticLecture
) -> None:
    lecture = clean if which == "clean" else noisy
    smap = detect_silences(lecture.wav, SilenceParams(method="energy"))
    assert smap.method == "energy"
    for pause in lecture.pauses:
        if pause.duration >= 1.0:
            assert _found(pause, smap, 0.3), f"pause {pause} missing from {smap.silences}"
    assert _frame_f1(lecture.speech, smap.speech, smap.duration_s) >= 0.85


def test_speech_and_silences_tile_the_whole_recording(noisy: SyntheticLecture) -> None:
    smap = detect_silences(noisy.wav)
    edges = sorted([*smap.speech, *smap.silences], key=lambda iv: iv.start)
    assert edges[0].start == 0.0
    assert edges[-1].end == pytest.approx(smap.duration_s, abs=1e-3)
    for a, b in itertools.pairwise(edges):
        assert a.end == pytest.approx(b.start, abs=1e-3)


def test_digital_silence_has_no_speech(tmp_path: Path) -> None:
    wav = _write(tmp_path / "quiet.wav", np.zeros(SAMPLE_RATE * 5))
    smap = detect_silences(wav)
    assert smap.speech == []
    assert smap.silences == [Interval(0.0, 5.0)]
    assert smap.loudness.peak_dbfs <= -90


def test_streaming_in_chunks_gives_the_same_probabilities_as_one_pass(
    tmp_path: Path, clean: SyntheticLecture
) -> None:
    from faster_whisper.vad import get_vad_model

    pcm = np.tile(np.asarray(read_pcm(clean.wav)), 3)  # ~87 s: crosses a chunk boundary
    wav = _write(tmp_path / "long.wav", pcm)
    streamed = _silero_probabilities(read_pcm(wav), 1.0, None)
    audio = pcm.astype(np.float32) / 32768.0
    one_pass = get_vad_model()(np.pad(audio, (0, (-len(audio)) % 512)))
    np.testing.assert_allclose(streamed, np.asarray(one_pass).reshape(-1), atol=1e-4)


@pytest.mark.realmedia
@pytest.mark.skipif(not (REALMEDIA / "vad").is_dir(), reason="../shared/realmedia is absent")
def test_ami_meeting_speech_frames_match_human_labels(tmp_path: Path) -> None:
    from lecture_assets.analysis.media.audio import extract_audio

    tp = fp = fn = 0
    for name in ("dev00", "trn03", "tst01"):
        base = REALMEDIA / "vad" / "pyannote_ami_debug" / name
        wav = extract_audio(base.with_suffix(".wav"), tmp_path / f"{name}.wav", timeout_s=60)
        labels = json.loads(base.with_suffix(".json").read_text())
        smap = detect_silences(wav)
        n = 3000
        t, p = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        for a, b in labels["speech"]:
            t[int(a * 100) : int(b * 100)] = True
        for iv in smap.speech:
            p[int(iv.start * 100) : int(iv.end * 100)] = True
        tp, fp, fn = tp + int(np.sum(t & p)), fp + int(np.sum(~t & p)), fn + int(np.sum(t & ~p))
    assert 2 * tp / (2 * tp + fp + fn) >= 0.85


@pytest.mark.realmedia
@pytest.mark.skipif(not (REALMEDIA / "vad").is_dir(), reason="../shared/realmedia is absent")
def test_tightly_labelled_words_are_not_widened_into_the_pauses_between_them() -> None:
    # pyAudioAnalysis count2: ten spoken numbers with 0.3-1.5 s pauses, hand-labelled
    # tightly; padding speech into those pauses costs precision (0.845 F1 with fixed pads)
    base = REALMEDIA / "vad" / "pyaudioanalysis" / "count2"
    labels = json.loads(base.with_suffix(".segments.json").read_text())
    truth = [Interval(a, b) for a, b in labels["speech"]]
    smap = detect_silences(base.with_suffix(".wav"))
    assert _frame_f1(truth, smap.speech, 10.5) >= 0.88
