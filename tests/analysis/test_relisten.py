"""A slide term the transcriber missed is heard again primed with the slide, and only the term
is taken from that second listen."""

from __future__ import annotations

import shutil
from collections.abc import Sequence

import pytest

from bench.asr_eval import normalize
from lecture_assets.analysis.models import Interval, Transcript, TranscriptSegment, Word
from lecture_assets.analysis.transcript import relisten
from lecture_assets.analysis.transcript.chunks import Pack
from lecture_assets.analysis.transcript.relisten import (
    Suspect,
    find_suspects,
    plan_packs,
    relisten_for_terms,
)
from tests.fixtures.slide_terms import slide

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="make system-deps")

BAYES = slide(0, 60, "Bayesian Inference", "Posterior is prior times likelihood")


def _segment(start: float, text: str, step: float = 0.4) -> TranscriptSegment:
    said = [Word(round(start + i * step, 3), round(start + (i + 1) * step - 0.05, 3), w)
            for i, w in enumerate(text.split())]  # fmt: skip
    return TranscriptSegment(said[0].start, said[-1].end, text, said)


def _transcript(*segments: TranscriptSegment) -> Transcript:
    return Transcript("en", list(segments), "test", segments[-1].end + 5)


class ScriptedDecoder:
    """Answers each pack with the words scripted for the segments in it (timed like them);
    records the prompts it was given."""

    def __init__(self, script: dict[float, str]) -> None:
        self.script = script
        self.prompts: list[str] = []

    def __call__(self, pieces: Sequence[Interval], prompt: str) -> list[Word]:
        self.prompts.append(prompt)
        words: list[Word] = []
        for start, text in self.script.items():
            if any(p.start <= start <= p.end for p in pieces):
                words += _segment(start, text).words
        return words


def _prompt(pieces: Sequence[Interval]) -> str:
    return "Bayesian Inference. Posterior is prior times likelihood."


def test_a_term_heard_again_replaces_the_words_it_was_misheard_as() -> None:
    heard = _transcript(
        _segment(10.0, "The region inference multiplies the prior by the like a clip of."),
        _segment(20.0, "Then we look at the data."),
    )
    decoder = ScriptedDecoder({
        10.0: "Bayesian inference multiplies the priors by the likelihood of.",
        20.0: "Then we look at Bayesian data.",  # an echo of the prompt: not taken
    })  # fmt: skip
    fixed, fixes = relisten_for_terms(heard, [BAYES], decoder, _prompt)
    # "The region" (two words under one re-heard term) and "like a clip" become the terms;
    # "prior" stays as first heard although the second listen said "priors"
    assert fixed.segments[0].text == "Bayesian inference multiplies the prior by the likelihood of."
    assert fixed.segments[1].text == "Then we look at the data."
    assert [(f.heard, f.term) for f in fixes] == [
        ("The region", "Bayesian"), ("like a clip", "likelihood")]  # fmt: skip
    assert {f.how for f in fixes} == {"heard again"}
    bayes = fixed.segments[0].words[0]
    assert (bayes.start, bayes.end) == (10.0, 10.75)  # the time of the words it replaced
    assert decoder.prompts == [_prompt([])]


def test_a_term_is_not_taken_where_nothing_sounding_like_it_was_heard() -> None:
    heard = _transcript(_segment(10.0, "The region office multiplies the weight of votes."))
    assert find_suspects(heard, [BAYES])  # "region" sounds a little like "Bayesian"
    # primed, the decoder puts the term in place of a word that sounds nothing like it
    decoder = ScriptedDecoder({10.0: "The region office multiplies the Bayesian of votes."})
    fixed, fixes = relisten_for_terms(heard, [BAYES], decoder, _prompt)
    assert decoder.prompts and fixed == heard and fixes == []


def test_terms_already_heard_near_their_slide_are_not_listened_for() -> None:
    heard = _transcript(_segment(5.0, "Bayesian inference weighs the likelihood by the prior."))
    assert find_suspects(heard, [BAYES]) == []
    decoder = ScriptedDecoder({})
    assert relisten_for_terms(heard, [BAYES], decoder, _prompt) == (heard, [])
    assert decoder.prompts == []  # nothing was decoded again


def test_a_missing_term_makes_the_segment_that_sounds_like_it_a_suspect() -> None:
    heard = _transcript(
        _segment(2.0, "Good morning everyone and welcome back."),
        _segment(8.0, "The region inference multiplies the prior."),
    )
    suspects = find_suspects(heard, [BAYES])
    assert [s.segment for s in suspects][:1] == [1]
    assert "Bayesian" in suspects[0].terms
    # the slide's terms count only near the time it was shown
    later = slide(500, 560, "Bayesian Inference", "Posterior is prior times likelihood")
    assert find_suspects(heard, [later]) == []


def test_the_stretches_heard_again_fit_the_budget_and_whisper_windows() -> None:
    def suspect(start: float, length: float, score: float) -> Suspect:
        return Suspect(0, Interval(start, start + length), ("Bayesian",), score)

    suspects = [suspect(0, 8, 0.9), suspect(7, 8, 0.8), suspect(100, 10, 0.7),
                suspect(200, 12, 0.6), suspect(300, 40, 0.95)]  # fmt: skip
    packs = plan_packs(sorted(suspects, key=lambda s: -s.score), budget_s=30.0)
    pieces = [p for pack in packs for p in pack]
    # the two that overlap are one stretch; the fourth passes the budget; the longest is
    # longer than a window
    assert pieces == [Interval(0, 15), Interval(100, 110)]
    for pack in packs:
        assert sum(p.duration + relisten.GAP_S for p in pack) <= relisten.WINDOW_S + relisten.GAP_S


def test_a_pack_with_gaps_maps_times_back_to_each_piece() -> None:
    pack = Pack((Interval(10.0, 12.0), Interval(50.0, 53.0)), gap_s=0.5)
    assert pack.to_source(1.0) == 11.0
    assert pack.to_source(2.25) == 12.0  # inside the gap: the end of the piece before
    assert pack.to_source(3.0) == 50.5
    segment = pack.place_segment(2.6, 4.0, "x", [Word(2.6, 3.0, "x")])
    assert (segment.words[0].start, segment.words[0].end) == (50.1, 50.5)


def test_a_noisy_lecture_gets_back_terms_snapping_missed_and_keeps_its_other_words() -> None:
    from bench.asr import tech_lecture
    from lecture_assets.analysis.transcript.hints import TranscriptHints
    from lecture_assets.analysis.transcript.screen_terms import fit_screen_terms
    from lecture_assets.analysis.transcript.term_fix import snap_to_terms
    from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber

    lecture = tech_lecture(noisy=True, seed=12)  # 15 dB room noise, eight titled slides
    engine = FasterWhisperTranscriber("base", beam_size=5)
    hints = TranscriptHints(lecture.slides, prime_slides=False)
    heard = engine.transcribe(lecture.wav, hints=hints)
    snapped, _ = snap_to_terms(heard, lecture.slides)
    fixed, fixes = fit_screen_terms(engine, lecture.wav, heard, hints)

    def terms(text: str) -> int:
        said = set(normalize(text).split())
        return sum(term in said for term in lecture.terms)

    assert terms(fixed.text) >= terms(snapped.text) + 2, (snapped.text, fixed.text)
    assert terms(fixed.text) >= 0.9 * len(lecture.terms), fixed.text
    # hearing again only ever puts a slide term in place of words: the rest stays as heard
    on_slides = {w.lower() for s in lecture.slides for w in normalize(s.text).split()}
    new = [w.word for w in fixed.words if w not in snapped.words]
    assert new and all(normalize(w).strip() in on_slides for w in new), new
    assert len(fixes) > len(snap_to_terms(heard, lecture.slides)[1])
