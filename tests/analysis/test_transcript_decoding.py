"""Decoding is deterministic: no sampled fallback, and a doubtful pack gets one steadier retry."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lecture_assets.analysis.transcript import transcribe as transcribe_module
from lecture_assets.analysis.transcript.decoding import DecodeQuality, decode_quality
from lecture_assets.analysis.transcript.hints import TranscriptHints
from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber
from tests.fixtures.speech import LectureParams, make_lecture


def _part(text: str, *, seek: int = 0, logprob: float = -0.3, ratio: float = 1.5) -> Any:
    word = SimpleNamespace(start=0.1, end=0.9, word=f" {text}", probability=0.9)
    return SimpleNamespace(
        seek=seek, start=0.0, end=1.0, text=f" {text}", words=[word],
        avg_logprob=logprob, compression_ratio=ratio, no_speech_prob=0.01,
    )  # fmt: skip


@dataclass
class _ScriptedModel:
    """Stands in for faster-whisper: answers each transcribe call from a script."""

    answers: list[list[Any]]
    calls: list[dict[str, Any]] = field(default_factory=list)
    model: Any = field(default_factory=lambda: SimpleNamespace(is_multilingual=False))

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        self.calls.append(options)
        return self.answers[min(len(self.calls), len(self.answers)) - 1], None


def _run(monkeypatch: pytest.MonkeyPatch, model: _ScriptedModel, wav: Path) -> str:
    monkeypatch.setattr(transcribe_module, "load_model", lambda *a, **k: model)
    hints = TranscriptHints(glossary=["gradient descent"])
    return FasterWhisperTranscriber("tiny.en").transcribe(wav, hints=hints).text


@pytest.fixture(scope="module")
def wav() -> Path:
    return make_lecture(LectureParams()).wav


def test_a_steady_pack_is_decoded_once_at_temperature_zero(
    monkeypatch: pytest.MonkeyPatch, wav: Path
) -> None:
    model = _ScriptedModel([[_part("gradient descent")]])
    assert _run(monkeypatch, model, wav) == "gradient descent"
    assert model.calls and all(call["temperature"] == 0.0 for call in model.calls)
    assert all(call["initial_prompt"] for call in model.calls)  # the hints prime every pack


def test_a_looping_pack_is_retried_without_its_prompt_and_the_steadier_kept(
    monkeypatch: pytest.MonkeyPatch, wav: Path
) -> None:
    loop = [_part("descent descent descent descent", ratio=3.1)]
    model = _ScriptedModel([loop, [_part("gradient descent", logprob=-0.6)]])
    assert _run(monkeypatch, model, wav) == "gradient descent"
    first, retry = model.calls[0], model.calls[1]
    assert first["temperature"] == retry["temperature"] == 0.0
    assert first["initial_prompt"] and retry["initial_prompt"] is None
    assert retry["repetition_penalty"] > 1.0
    # the first pass reads each window on from the one before; the retry starts each afresh
    assert first["condition_on_previous_text"] and not retry["condition_on_previous_text"]


def test_a_retry_that_hears_nothing_keeps_the_first_decode(
    monkeypatch: pytest.MonkeyPatch, wav: Path
) -> None:
    doubtful = [_part("gradient descent", logprob=-1.4)]
    model = _ScriptedModel([doubtful, []])
    assert _run(monkeypatch, model, wav) == "gradient descent"
    assert len(model.calls) == 2


def test_quality_counts_windows_once_and_prefers_fewer_failures() -> None:
    looped = [_part("a", seek=0, ratio=3.0), _part("b", seek=0, ratio=3.0)]
    two_windows = [*looped, _part("c", seek=3000)]
    assert decode_quality(two_windows).failed_windows == 1
    # silence the model is sure of is not a failure, whatever its log probability
    silent = SimpleNamespace(**{**vars(_part("x", logprob=-2.0)), "no_speech_prob": 0.9})
    assert decode_quality([silent]).failed_windows == 0
    assert DecodeQuality(3, 0, -0.9).better_than(DecodeQuality(3, 1, -0.2))
    assert DecodeQuality(3, 1, -0.2).better_than(DecodeQuality(3, 1, -0.5))
    assert not DecodeQuality(0, 0, 0.0).better_than(DecodeQuality(3, 2, -1.5))
