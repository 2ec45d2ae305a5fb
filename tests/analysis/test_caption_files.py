"""Caption file reader: SRT, VTT and JSON cues become a timed transcript; bad files say why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lecture_assets.analysis.render.caption_files import CaptionFileError, read_captions
from lecture_assets.analysis.transcript.sentences import split_sentences

SRT = """1
00:00:01,000 --> 00:00:04,500
Today we talk about <i>eigenvalues</i>.

2
00:00:05,000 --> 00:00:09,000
An eigenvector keeps its direction
under the matrix.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.500
Today we talk about eigenvalues.

00:00:05.000 --> 00:00:09.000
<v Prof>An eigenvector keeps its direction under the matrix.</v>
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.srt", SRT),
        ("a.vtt", VTT),
        (
            "a.json",
            json.dumps(
                [
                    {
                        "start": 5.0,
                        "end": 9.0,
                        "text": "An eigenvector keeps its direction " "under the matrix.",
                    },
                    {"start": 1.0, "end": 4.5, "text": "Today we talk about eigenvalues."},
                ]
            ),
        ),
    ],
)
def test_each_format_gives_the_same_timed_sentences(tmp_path: Path, name: str, text: str) -> None:
    tr = read_captions(_write(tmp_path, name, text))
    sents = split_sentences(tr)
    assert [s.text for s in sents] == [
        "Today we talk about eigenvalues.",
        "An eigenvector keeps its direction under the matrix.",
    ]  # markup gone, line breaks joined, cues in time order
    assert sents[0].start == pytest.approx(1.0)
    assert sents[1].end == pytest.approx(9.0)
    assert tr.duration_s == pytest.approx(9.0)


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("bad.json", '[{"start": 1}', "invalid JSON"),
        ("bad.json", json.dumps([{"start": "x", "end": 2, "text": "hi"}]), "cue 0"),
        ("bad.json", json.dumps({"a": 1}), "JSON list"),
        ("empty.srt", "", "no caption text"),
        ("notes.txt", "hello", ".srt, .vtt or .json"),
    ],
)
def test_bad_files_raise_an_actionable_error(
    tmp_path: Path, name: str, text: str, says: str
) -> None:
    with pytest.raises(CaptionFileError, match=says) as info:
        read_captions(_write(tmp_path, name, text))
    assert name in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(CaptionFileError, match="no such file"):
        read_captions(tmp_path / "nope.srt")
    blob = tmp_path / "blob.vtt"
    blob.write_bytes(b"\xff\xfe\x00\x81garbage\x00" * 50)
    with pytest.raises(CaptionFileError, match=r"blob\.vtt"):
        read_captions(blob)
