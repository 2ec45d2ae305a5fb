"""Slide text and a glossary steer the transcriber; decoding gives the same text every run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lecture_assets.analysis.media.ffmpeg import ffmpeg_exe
from lecture_assets.analysis.slides.read import Slide
from lecture_assets.analysis.transcript.hints import (
    MAX_PROMPT_CHARS,
    TranscriptHints,
    parse_glossary,
)
from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber

SAID = (
    "Today we look at gradient descent, the workhorse of machine learning. "
    "Gradient descent follows the negative gradient with a step called the learning rate. "
    "Backpropagation applies the chain rule through the network layer by layer. "
    "Regularisation with dropout randomly silences units during training."
)
ON_SLIDES = ["gradient", "descent", "backpropagation", "regularisation", "dropout"]


def _slide(start: float, end: float, *lines: str) -> Slide:
    return Slide(start, end, lines[0], "\n".join(lines), list(lines))


def test_prompt_holds_the_glossary_and_the_slides_on_screen_then() -> None:
    hints = TranscriptHints(
        [_slide(0, 30, "Gradient Descent", "follow the negative gradient", "page 3"),
         _slide(30, 60, "Bayesian Inference", "prior times likelihood")],
        glossary=["Kullback-Leibler"],
    )  # fmt: skip
    prompt = hints.prompt(5.0, 25.0)
    assert prompt == "Kullback-Leibler. Gradient Descent. Follow the negative gradient."
    assert "Bayesian" in hints.prompt(25.0, 40.0)
    many = TranscriptHints([_slide(0, 10, *[f"Theorem number {i} holds" for i in range(200)])])
    assert len(many.prompt(0, 10)) <= MAX_PROMPT_CHARS + 2
    assert not TranscriptHints() and TranscriptHints().prompt(0, 10) == ""


def test_glossary_text_is_split_and_deduplicated() -> None:
    assert parse_glossary("Hessian, Adam;\nadam , Kullback-Leibler") == [
        "Hessian", "Adam", "Kullback-Leibler"]  # fmt: skip
    assert parse_glossary(None) == []


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower().replace("-", " ")).split()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="make system-deps")
def test_slide_words_fix_misheard_terms_and_decoding_repeats(tmp_path: Path) -> None:
    raw, wav = tmp_path / "raw.wav", tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(raw), SAID], check=True)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(raw), "-ar", "16000", "-ac",
                    "1", str(wav)], check=True)  # fmt: skip
    slides = [_slide(0, 1e6, "Gradient Descent", "Step size is the learning rate"),
              _slide(0, 1e6, "Backpropagation", "Chain rule through the network"),
              _slide(0, 1e6, "Regularisation: Dropout", "Randomly silence units")]  # fmt: skip
    engine = FasterWhisperTranscriber()
    plain = engine.transcribe(wav)
    primed = engine.transcribe(wav, hints=TranscriptHints(slides))
    again = engine.transcribe(wav, hints=TranscriptHints(slides))

    def right(text: str) -> int:
        heard = _words(text)
        return sum(term in heard for term in ON_SLIDES)

    assert right(primed.text) >= len(ON_SLIDES) - 1, primed.text
    assert right(primed.text) > right(plain.text), (plain.text, primed.text)
    assert again.text == primed.text and again.words == primed.words
