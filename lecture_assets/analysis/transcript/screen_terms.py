"""The terms on screen (and in the glossary) brought into a finished transcript."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from lecture_assets.analysis.models import Transcript
from lecture_assets.analysis.transcript.hints import TranscriptHints
from lecture_assets.analysis.transcript.term_fix import TermFix, snap_to_terms


@runtime_checkable
class HearsTermsAgain(Protocol):
    """A transcriber that can decode stretches of the lecture again, primed with a slide."""

    def hear_terms_again(
        self, wav: Path, transcript: Transcript, hints: TranscriptHints
    ) -> tuple[Transcript, list[TermFix]]:
        """`transcript` with the slide terms it missed heard again (`relisten`)."""
        ...


def fit_screen_terms(
    engine: object,
    wav: Path,
    transcript: Transcript,
    hints: TranscriptHints,
    *,
    relisten: bool = True,
) -> tuple[Transcript, list[TermFix]]:
    """Misheard words snapped to the terms on the slide shown then (or the glossary), by
    spelling and by sound; then, if `relisten` and `engine` can, the slide terms still
    missing are heard again primed with their slide. Returns the transcript and every fix,
    in time order."""
    fixed, fixes = snap_to_terms(transcript, hints.slides, hints.glossary)
    if relisten and isinstance(engine, HearsTermsAgain):
        fixed, again = engine.hear_terms_again(wav, fixed, hints)
        fixes = sorted(fixes + again, key=lambda f: f.start)
    return fixed, fixes
