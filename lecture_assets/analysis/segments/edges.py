"""Clip edges that take whole words: a clip's first and last sentence widened to the speech
around them, never into the neighbouring sentences."""

from __future__ import annotations

from itertools import pairwise
from typing import Any, TypeVar

from lecture_assets.analysis.models import Interval, Sentence, SpeechMap

LEAD_S = 0.15  # quiet kept before the first word, so the clip doesn't open mid-breath
TAIL_S = 0.25  # and after the last, so the final word rings out
REACH_S = 1.0  # how far the speech map may move an edge past the transcriber's word time
GAP_S = 0.05  # distance kept from a neighbouring sentence's words
HEARD_SHARE = 0.5  # a neighbour counts when at least this share of it lies in speech
# speech next to an edge that no other sentence was heard in is this sentence's, this far:
# under room noise a transcriber drops a sentence's last words ("...with Adam and M." and
# 1.5 s more of speech, tiny.en on a -40 dB noise floor), and the clip must not cut them off
UNCLAIMED_S = 3.0
# words this far apart are a pause whatever the speech map says (it bridges gaps < 0.3 s)
FLOW_GAP_S = 0.3


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
    does not hold an edge back. Speech that runs on past the words, up to UNCLAIMED_S, with no
    other sentence heard in it, is the sentence's own words the transcriber dropped: the
    edge takes it whole.
    """

    s0, s1 = sentences[first].start, sentences[last].end
    before = _heard_neighbour(sentences[:first][::-1], speech)
    after = _heard_neighbour(sentences[last + 1 :], speech)
    start, end = s0, s1
    # where the pause shared with a neighbour is measured from: the words, or the end of
    # speech nobody else said
    near, far = s0, s1
    if speech is not None:
        onset = _region_at(speech.speech, s0)
        if onset is not None:
            unclaimed = before is None or before.end <= onset.start
            if s0 - onset.start <= REACH_S:
                start = onset.start
            elif unclaimed and s0 - onset.start <= UNCLAIMED_S:
                start = near = onset.start
        offset = _region_at(speech.speech, s1)
        if offset is not None:
            unclaimed = after is None or after.start >= offset.end
            if offset.end - s1 <= REACH_S:
                end = offset.end
            elif unclaimed and offset.end - s1 <= UNCLAIMED_S:
                end = far = offset.end
    # the pause between two sentences is shared: an edge takes at most half of it (word times
    # run late on both sides of a short pause, so the neighbour's first word may be earlier)
    lo = max(before.end + GAP_S, (before.end + near) / 2) if before is not None else 0.0
    hi = min(after.start - GAP_S, (far + after.start) / 2) if after is not None else far + REACH_S
    if speech is not None and speech.duration_s > 0:
        hi = min(hi, speech.duration_s)
    start = min(s0, max(lo, start - LEAD_S))
    end = max(s1, min(hi, end + TAIL_S))
    return round(start, 3), round(end, 3)


def pauses_after(sentences: list[Sentence], speech: SpeechMap | None) -> list[bool]:
    """For each sentence, whether the lecturer pauses between it and the next (True after the
    last): a transcriber also ends sentences where the speech flows on ("...start with Adam
    and M." / "Tune the learning rate schedule." said as one), and a clip edge there cuts
    the lecturer off mid-phrase whatever its padding."""
    flags = [_pause_between(a.end, b.start, speech) for a, b in pairwise(sentences)]
    return [*flags, True]


_Window = TypeVar("_Window", bound=tuple[Any, ...])


def at_pauses(windows: list[_Window], pauses: list[bool]) -> list[_Window]:
    """The windows `(score, first, last, ...)` that start and end where the lecturer pauses
    (`pauses_after`), in their order; all of them when none does (a clip mid-flow is still
    better than none)."""
    kept = [w for w in windows if (w[1] == 0 or pauses[w[1] - 1]) and pauses[w[2]]]
    return kept or windows


def _pause_between(end: float, start: float, speech: SpeechMap | None) -> bool:
    if start - end >= FLOW_GAP_S or speech is None:
        return True
    # one stretch of detected speech from the last word to the next sentence's first
    return not any(r.start <= end and r.end >= start for r in speech.speech)


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
