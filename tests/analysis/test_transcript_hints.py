"""Slide text and a glossary steer the transcriber; decoding gives the same text every run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lecture_assets.analysis.transcript.hints import (
    MAX_PROMPT_CHARS,
    TranscriptHints,
    parse_glossary,
)
from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber
from tests.fixtures.slide_terms import ON_SLIDES, SLIDES, slide, spoken_wav, terms_heard


def test_prompt_holds_the_glossary_and_the_slides_on_screen_then() -> None:
    hints = TranscriptHints(
        [slide(0, 30, "Gradient Descent", "follow the negative gradient", "page 3"),
         slide(30, 60, "Bayesian Inference", "prior times likelihood")],
        glossary=["Kullback-Leibler"],
    )  # fmt: skip
    prompt = hints.prompt(5.0, 25.0)
    assert prompt == "Kullback-Leibler. Gradient Descent. Follow the negative gradient."
    assert "Bayesian" in hints.prompt(25.0, 40.0)
    many = TranscriptHints([slide(0, 10, *[f"Theorem number {i} holds" for i in range(200)])])
    assert len(many.prompt(0, 10)) <= MAX_PROMPT_CHARS + 2
    assert not TranscriptHints() and TranscriptHints().prompt(0, 10) == ""


def test_glossary_text_is_split_and_deduplicated() -> None:
    assert parse_glossary("Hessian, Adam;\nadam , Kullback-Leibler") == [
        "Hessian", "Adam", "Kullback-Leibler"]  # fmt: skip
    assert parse_glossary(None) == []


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="make system-deps")
def test_slide_words_fix_misheard_terms_and_decoding_repeats(tmp_path: Path) -> None:
    wav = spoken_wav(tmp_path)
    slides = SLIDES
    engine = FasterWhisperTranscriber()
    plain = engine.transcribe(wav)
    primed = engine.transcribe(wav, hints=TranscriptHints(slides))
    again = engine.transcribe(wav, hints=TranscriptHints(slides))

    assert terms_heard(primed.text) >= len(ON_SLIDES) - 1, primed.text
    assert terms_heard(primed.text) > terms_heard(plain.text), (plain.text, primed.text)
    assert again.text == primed.text and again.words == primed.words
