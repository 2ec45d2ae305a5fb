"""Clip edges that take whole words: a clip's first and last sentence widened to the speech
around them, never into the neighbouring sentences."""

from __future__ import annotations

from lecture_assets.analysis.models import Interval, Sentence, SpeechMap

LEAD_S = 0.15  # quiet kept before the first word, so the clip doesn't open mid-breath
TAIL_S = 0.25  # and after the last, so the final word rings out
REACH_S = 1.0  # how far the speech map may move an edge past the transcriber's word time
GAP_S = 0.05  # distance kept from a neighbouring sentence's words
HEARD_SHARE = 0.5  # a neighbour counts when at least this share of it lies in speech


def clip_edges(
    sentences: list[Sentence],
    first: int,
    last: int,
    speech: SpeechMap | None,
) -> tuple[float, float]:
    """Source start and end of a clip made of sentences `first`..`last`.

    Word times from a transcriber are often late at a sentence's start and early at its end,
    most on noisy recordings (the first syllable or the trailing consonant sits under the noise
    floor). An edge moves to the start (end) of the speech region it lies in when that region
    begins (ends) within REACH_S of it, then by a short pad; it never reaches a neighbouring
    sentence's words, nor takes more than half of the pause before them. A neighbour heard in
    silence (a transcriber's "Thank you." after the last word, seen in CI on a noisy lecture)
    does not hold an edge back.
    """

    s0, s1 = sentences[first].start, sentences[last].end
    before = _heard_neighbour(sentences[:first][::-1], speech)
    after = _heard_neighbour(sentences[last + 1 :], speech)
    # the pause between two sentences is shared: an edge takes at most half of it (word times
    # run late on both sides of a short pause, so the neighbour's first word may be earlier)
    lo = max(before.end + GAP_S, (before.end + s0) / 2) if before is not None else 0.0
    hi = min(after.start - GAP_S, (s1 + after.start) / 2) if after is not None else s1 + REACH_S
    if speech is not None and speech.duration_s > 0:
        hi = min(hi, speech.duration_s)
    start, end = s0, s1
    if speech is not None:
        onset = _region_at(speech.speech, s0)
        if onset is not None and s0 - onset.start <= REACH_S:
            start = onset.start
        offset = _region_at(speech.speech, s1)
        if offset is not None and offset.end - s1 <= REACH_S:
            end = offset.end
    start = min(s0, max(lo, start - LEAD_S))
    end = max(s1, min(hi, end + TAIL_S))
    return round(start, 3), round(end, 3)


def _heard_neighbour(neighbours: list[Sentence], speech: SpeechMap | None) -> Sentence | None:
    """The nearest of `neighbours` (nearest first) that was said in the detected speech."""
    for sentence in neighbours:
        if speech is None or _speech_share(sentence, speech.speech) >= HEARD_SHARE:
            return sentence
    return None


def _speech_share(sentence: Sentence, regions: list[Interval]) -> float:
    """The share of a sentence's span that lies in speech regions (1.0 for a zero span)."""
    span = sentence.end - sentence.start
    if span <= 0:
        return 1.0
    inside = sum(max(0.0, min(sentence.end, r.end) - max(sentence.start, r.start)) for r in regions)
    return inside / span


def _region_at(regions: list[Interval], t: float) -> Interval | None:
    """The speech region holding time `t` (a word edge), if any."""
    for region in regions:
        if region.start <= t <= region.end:
            return region
    return None
