"""Real-lecture bench scoring: corpus parsing, Pk/WindowDiff and boundary matching."""

from __future__ import annotations

import pytest

from bench.real_lectures import (
    evenly_spaced,
    parse_choi,
    pk_windowdiff,
    recall_precision,
    timed_transcript,
    to_sentence_bounds,
)

TEXT = """==========
We start with search .
Search explores a tree .
==========
Now logic .
Logic has rules .
Rules don 't lie ==========
Finally , planning .
=========="""


def test_parse_keeps_inline_markers_and_joins_spaced_punctuation() -> None:
    lec = parse_choi(TEXT, "x")
    assert lec.boundaries == [2, 5]
    assert lec.sentences[3] == "Logic has rules."
    assert lec.sentences[4] == "Rules don't lie"
    transcript, starts = timed_transcript(lec)
    assert transcript.duration_s > starts[-1]
    assert len(starts) == 6 and starts == sorted(starts)
    # chapter start times map back onto the corpus sentences
    assert to_sentence_bounds(starts, [0.0, starts[2] + 0.1, starts[5]]) == [2, 5]


def test_scores_reward_the_truth_and_punish_no_structure() -> None:
    gold = [10, 20, 30]
    assert pk_windowdiff(40, gold, gold) == (0.0, 0.0)
    pk_none, wd_none = pk_windowdiff(40, gold, [])
    assert pk_none > 0.3 and wd_none > 0.3
    assert evenly_spaced(40, 3) == gold
    assert recall_precision(gold, [12, 25]) == pytest.approx((1 / 3, 0.5))
