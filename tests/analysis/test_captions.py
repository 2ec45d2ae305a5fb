"""Caption cues follow the clip's jump cuts, stay within two lines and write valid files."""

from __future__ import annotations

import itertools
from pathlib import Path

import pysubs2

from lecture_assets.analysis.models import (
    HighlightSegment,
    Interval,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.render.captions import (
    CaptionStyle,
    build_cues,
    write_ass,
    write_srt,
    write_vtt,
)

TEXT = (
    "So today we look at gradient descent. It is the workhorse of machine learning and we see why."
)


def _transcript(t0: float = 10.0, step: float = 0.4) -> Transcript:
    words = [Word(t0 + i * step, t0 + i * step + 0.3, w) for i, w in enumerate(TEXT.split())]
    return Transcript("en", [TranscriptSegment(t0, t0 + 10, TEXT, words)], "test", 30.0)


def _segment(keep: list[Interval]) -> HighlightSegment:
    return HighlightSegment(0, keep[0].start, keep[-1].end, 1.0, "t", "r", 0, keep)


def test_cues_are_relative_to_the_clip_and_shift_across_a_jump_cut() -> None:
    # keep 10.0-12.6 and 13.8-17.8: "descent." (12.4-12.7) is kept by its middle, "It is" cut
    seg = _segment([Interval(10.0, 12.6), Interval(13.8, 17.8)])
    cues = build_cues(_transcript(), seg)
    words = [w for c in cues for w in c.words]
    spoken = [w.text for w in words]
    assert "It" not in spoken and "is" not in spoken
    assert spoken[0] == "So" and words[0].start == 0.0
    # "the" is spoken at 13.6+... 13.6 is cut; "workhorse" at 14.0 lands at 2.6 + 0.2
    workhorse = next(w for w in words if w.text == "workhorse")
    assert abs(workhorse.start - 2.8) < 1e-6
    assert all(0.0 <= c.start < c.end <= seg.output_duration + 1e-6 for c in cues)
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))


def test_cues_break_at_sentence_end_and_never_exceed_two_lines() -> None:
    style = CaptionStyle(max_chars_per_line=20)
    cues = build_cues(_transcript(), _segment([Interval(0.0, 30.0)]), style)
    assert any(c.lines[-1].endswith("descent.") for c in cues)
    assert all(len(c.lines) <= 2 and all(len(line) <= 20 for line in c.lines) for c in cues)
    assert " ".join(" ".join(c.lines) for c in cues) == TEXT


def test_no_words_gives_empty_but_valid_files(tmp_path: Path) -> None:
    empty = Transcript("en", [], "test", 30.0, reason="no speech")
    cues = build_cues(empty, _segment([Interval(0.0, 5.0)]))
    assert cues == []
    assert write_srt(cues, tmp_path / "c.srt").read_text() == ""
    assert write_vtt(cues, tmp_path / "c.vtt").read_text().startswith("WEBVTT")
    assert len(pysubs2.load(str(write_ass(cues, tmp_path / "c.ass")))) == 0


def test_srt_vtt_and_karaoke_ass_round_trip(tmp_path: Path) -> None:
    seg = _segment([Interval(10.0, 12.6), Interval(13.8, 17.8)])
    cues = build_cues(_transcript(), seg)
    srt = pysubs2.load(str(write_srt(cues, tmp_path / "c.srt")))
    vtt_path = write_vtt(cues, tmp_path / "c.vtt")
    assert vtt_path.read_text().startswith("WEBVTT")
    assert [e.start for e in srt] == [round(c.start * 1000) for c in cues]
    assert srt[-1].end <= round(seg.output_duration * 1000)
    ass = pysubs2.load(str(write_ass(cues, tmp_path / "k.ass", karaoke=True)))
    n_words = sum(len(c.words) for c in cues)
    assert len(ass) == n_words  # one event per spoken word, the word highlighted
    assert all("\\c&H" in e.text for e in ass)
    assert ass.info["PlayResY"] == "1920" and ass.styles["Default"].fontsize >= 60
