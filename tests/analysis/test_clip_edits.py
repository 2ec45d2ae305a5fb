"""Reviewers' edits: sentence snapping, trims that keep jump cuts, caption fixes that follow
the words through a trim, and re-cuts that say which edits they replace."""

from __future__ import annotations

import pytest

from lecture_assets.analysis.models import (
    HighlightSegment,
    Interval,
    Sentence,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.render.captions import Cue, build_cues, to_output_time
from lecture_assets.analysis.render.clip_edits import (
    CaptionFix,
    ClipEdit,
    ClipEdits,
    edited_segment,
    fixed_cues,
    reconcile,
    snap_to_sentences,
    to_source_time,
)

SENTENCES = [Sentence(i, i * 5.0 + 0.2, i * 5.0 + 4.4, f"s{i}.") for i in range(20)]


def _segment(index: int = 1, start: float = 10.2, end: float = 34.4) -> HighlightSegment:
    # a jump cut removed 20.0-21.0 s of dead air
    keep = [Interval(start, 20.0), Interval(21.0, end)]
    return HighlightSegment(index, start, end, 0.8, "Machine", "why", 0, keep)


def _edit(**kw: object) -> ClipEdit:
    base = {"index": 1, "base_start": 10.2, "base_end": 34.4, "author": "a", "edited_at": "t"}
    return ClipEdit(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ((11.0, 30.0), (10.2, 29.4)),  # both edges move to the nearest sentence edges
        ((14.0, 46.0), (15.2, 44.4)),  # extending past the machine's cut
        ((3.1, 9.9), (5.2, 9.4)),  # nearest start, nearest end
    ],
)
def test_edges_snap_to_the_nearest_sentence_edges(
    asked: tuple[float, float], expected: tuple[float, float]
) -> None:
    assert snap_to_sentences(*asked, SENTENCES) == expected


def test_edges_far_from_any_sentence_stay_where_the_reviewer_put_them() -> None:
    assert snap_to_sentences(200.0, 230.0, SENTENCES) == (200.0, 230.0)


def test_a_trim_keeps_the_jump_cut_and_an_extension_is_kept_whole() -> None:
    trimmed = edited_segment(_segment(), _edit(start=15.2, end=29.4, title="Mine"))
    assert trimmed.keep == [Interval(15.2, 20.0), Interval(21.0, 29.4)]
    assert trimmed.title == "Mine"
    longer = edited_segment(_segment(), _edit(start=5.2, end=44.4))
    assert longer.keep == [Interval(5.2, 20.0), Interval(21.0, 44.4)]
    assert longer.output_duration == pytest.approx(38.2)


def test_source_and_clip_times_map_back_and_forth_across_jump_cuts() -> None:
    keep = _segment().keep
    for t in (0.0, 3.0, 9.8, 12.0, 20.0):
        source = to_source_time(t, keep)
        assert to_output_time(source, keep) == pytest.approx(t)


def _transcript() -> Transcript:
    words = []
    for i, text in enumerate(["the", "nut", "product", "multiplies", "matching", "components."]):
        words.append(Word(12.0 + i * 0.4, 12.3 + i * 0.4, text))
    seg = TranscriptSegment(12.0, 14.7, " ".join(w.word for w in words), words)
    return Transcript("en", [seg], "test", 60.0)


def test_a_caption_fix_replaces_the_text_and_follows_its_words_through_a_trim() -> None:
    segment = _segment()
    cues = build_cues(_transcript(), segment)
    assert cues[0].text == "the nut product multiplies\nmatching components."
    keep = segment.keep
    fix = CaptionFix(
        to_source_time(cues[0].start, keep),
        to_source_time(cues[0].end, keep),
        "the dot product multiplies matching components.",
    )
    assert "dot product" in fixed_cues(cues, [fix], keep)[0].text
    # after a trim of the start the caption sits earlier in the clip, the fix still finds it
    trimmed = edited_segment(segment, _edit(start=11.5, end=29.4))
    again = fixed_cues(build_cues(_transcript(), trimmed), [fix], trimmed.keep)
    assert again[0].start < cues[0].start
    assert "dot product" in again[0].text.replace("\n", " ")


def test_a_fix_whose_words_were_trimmed_away_changes_nothing() -> None:
    cue = Cue(0.0, 2.0, ["hello"], [])
    fix = CaptionFix(50.0, 52.0, "gone")
    assert fixed_cues([cue], [fix], _segment().keep) == [cue]


def test_a_recut_keeps_edits_on_unchanged_clips_and_names_the_replaced_ones() -> None:
    edits = ClipEdits([_edit(title="Kept"), _edit(index=2, base_start=40.2, base_end=59.4)])
    same = _segment()
    moved = HighlightSegment(2, 45.2, 64.4, 0.7, "Other", "", 0, [Interval(45.2, 64.4)])
    rendered, result, replaced = reconcile([same, moved], edits)
    assert replaced == [2]
    assert rendered[0].title == "Kept" and rendered[1].title == "Other"
    assert [e.status for e in result.edits] == ["applied", "replaced"]
    assert "re-cut" in (result.get(2) or _edit()).note
