"""Misheard words snap to the terms on the slide shown at that moment, and nothing else does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lecture_assets.analysis.models import Transcript, TranscriptSegment, Word
from lecture_assets.analysis.transcript import phonetic
from lecture_assets.analysis.transcript.term_fix import snap_to_terms
from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber
from tests.fixtures.slide_terms import ON_SLIDES, SLIDES, slide, spoken_wav, terms_heard, words


def _transcript(text: str, start: float = 0.0) -> Transcript:
    said = [Word(start + i, start + i + 0.8, f" {w}") for i, w in enumerate(text.split())]
    segment = TranscriptSegment(start, said[-1].end, text, said)
    return Transcript("en", [segment], "test", said[-1].end + 1)


def test_a_misheard_word_becomes_the_term_on_the_slide_then() -> None:
    slides = [slide(0, 10, "Gradient Descent", "Step size is the learning rate")]
    fixed, fixes = snap_to_terms(_transcript("Radiant descent takes a radiant step."), slides)
    assert fixed.text == "Gradient descent takes a gradient step."
    assert [f.heard for f in fixes] == ["Radiant", "radiant"]
    # the same words said long after that slide left the screen stay as heard
    later, none = snap_to_terms(_transcript("Radiant descent", start=120.0), slides)
    assert later.text == "Radiant descent" and none == []


def test_two_heard_words_that_spell_one_term_become_it() -> None:
    slides = [slide(0, 30, "Eigenvalues and Eigenvectors", "Curvature of the Hessian")]
    fixed, _ = snap_to_terms(_transcript("the eigen values of it"), slides)
    assert fixed.text == "the eigenvalues of it"
    eigen = fixed.segments[0].words[1]
    assert (eigen.start, eigen.end) == (1.0, 2.8)  # spans both words it replaced


def test_forms_of_a_term_and_ordinary_words_are_left_alone() -> None:
    slides = [slide(0, 30, "Weight decay", "Shared kernels over images")]
    text = "weights decay while the kernel shares an image and we wait"
    fixed, fixes = snap_to_terms(_transcript(text), slides)
    assert fixed.text == text and fixes == []


def test_the_glossary_counts_all_lecture_long() -> None:
    fixed, _ = snap_to_terms(
        _transcript("the Kullback Leibler divergence", 500.0), [], ["Kullback"]
    )
    assert fixed.text == "the Kullback Leibler divergence"
    fixed, fixes = snap_to_terms(_transcript("we use the hessien", 900.0), [], ["Hessian"])
    assert fixed.text == "we use the hessian" and fixes[0].term == "hessian"


needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="make system-deps")


@needs_espeak
def test_words_that_sound_like_a_long_term_become_it() -> None:
    slides = [
        slide(0, 30, "Eigenvalues and Eigenvectors", "Curvature of the Hessian"),
        slide(30, 90, "Attention", "Softmax over queries and keys"),
    ]
    fixed, fixes = snap_to_terms(_transcript("the item values of the curvature"), slides)
    assert fixed.text == "the eigenvalues of the curvature"
    assert [(f.heard, f.term) for f in fixes] == [("item values", "eigenvalues")]
    fixed, _ = snap_to_terms(_transcript("attention computes us off max over keys", 60.0), slides)
    assert fixed.text == "attention computes us softmax over keys"


@needs_espeak
def test_short_terms_and_ordinary_words_keep_their_own_sound() -> None:
    # "wait" sounds exactly like "weight", "prime" much like "prior": short terms never match
    slides = [slide(0, 30, "Weight decay", "Prior times likelihood")]
    text = "we wait a prime moment and then the values of it"
    fixed, fixes = snap_to_terms(_transcript(text), slides)
    assert fixed.text == text and fixes == []


@needs_espeak
def test_a_token_espeak_says_nothing_for_does_not_spoil_the_batch() -> None:
    sounds = phonetic.pronunciations(["-", "'", "eigenvalues", "item values"])
    assert set(sounds) == {"eigenvalues", "item values"}


def test_without_espeak_terms_match_by_spelling_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phonetic, "espeak_binary", lambda: None)
    slides = [slide(0, 30, "Eigenvalues", "Gradient descent")]
    fixed, _ = snap_to_terms(_transcript("the item values and a radiant step"), slides)
    assert fixed.text == "the item values and a gradient step"


@needs_espeak
def test_terms_heard_wrong_are_right_after_snapping_and_nothing_else_changes(
    tmp_path: Path,
) -> None:
    wav = spoken_wav(tmp_path)
    slides = SLIDES
    plain = FasterWhisperTranscriber().transcribe(wav)
    fixed, fixes = snap_to_terms(plain, slides)

    assert terms_heard(fixed.text) > terms_heard(plain.text), (plain.text, fixed.text)
    assert terms_heard(fixed.text) >= len(ON_SLIDES) - 1, fixed.text
    # every change is one of the recorded fixes, to a word on the slides
    assert all(f.term.lower() in " ".join(s.text.lower() for s in slides) for f in fixes)
    assert len(words(fixed.text)) >= len(words(plain.text)) - len(fixes)
