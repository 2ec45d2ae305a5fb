"""`lecture-highlights chapters FILE...`: chapters from SRT, VTT and JSON captions, many files."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pysubs2
import pytest

from lecture_assets.analysis.content.embeddings import SentenceEmbedder
from lecture_assets.cli import main
from tests.fixtures.topic_lectures import TopicLecture, easy_lectures, pk, word_labels

ROOT = Path(__file__).resolve().parents[2]
LECTURE = easy_lectures(range(60, 61))[0]


def _cues(lecture: TopicLecture) -> list[dict[str, object]]:
    return [{"start": s.start, "end": s.end, "text": s.text} for s in lecture.transcript.segments]


def _write_all(lecture: TopicLecture, folder: Path) -> list[Path]:
    cues = _cues(lecture)
    subs = pysubs2.SSAFile()
    for c in cues:
        start, end = int(float(str(c["start"])) * 1000), int(float(str(c["end"])) * 1000)
        subs.append(pysubs2.SSAEvent(start=start, end=end, text=str(c["text"])))
    srt, vtt, js = folder / "talk.srt", folder / "talk.vtt", folder / "talk.json"
    subs.save(str(srt))
    subs.save(str(vtt))
    js.write_text(json.dumps(cues), encoding="utf-8")
    return [srt, vtt, js]


def test_every_format_gives_the_lectures_topics_and_bad_files_do_not_stop_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []
    real_load = SentenceEmbedder._load

    def counting_load(self: SentenceEmbedder) -> None:
        if self._session is None:
            loads.append(1)
        real_load(self)

    monkeypatch.setattr(SentenceEmbedder, "_load", counting_load)
    srt, vtt, js = _write_all(LECTURE, tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text("[{oops", encoding="utf-8")
    missing = tmp_path / "missing.vtt"
    code = main(["chapters", str(srt), str(broken), str(vtt), str(missing), str(js)])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p in (srt, broken, vtt, missing, js)]
    assert code == 1  # some files failed ...
    assert "broken.json" in err and "invalid JSON" in err and "missing.vtt" in err
    assert lines[1]["chapters"] == [] and "error" in lines[1]
    assert loads == [1]  # ... and one model load served every file
    for line in (lines[0], lines[2], lines[4]):  # ... while the others got their chapters
        chapters = line["chapters"]
        assert set(chapters[0]) == {"start", "end", "title"}
        assert all(c["title"] for c in chapters)
        assert all(a["end"] <= b["start"] for a, b in pairwise(chapters))
        ref, hyp = word_labels(LECTURE, [c["start"] for c in chapters])
        assert pk(ref, hyp) <= 0.1, chapters
    # the three formats carry the same cues, so they give the same chapters
    assert lines[0]["chapters"] == lines[2]["chapters"] == lines[4]["chapters"]


def test_console_script_exit_code_zero_when_all_files_read(tmp_path: Path) -> None:
    srt = _write_all(LECTURE, tmp_path)[0]
    done = subprocess.run(
        [sys.executable, "-m", "lecture_assets.cli", "chapters", str(srt)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (line,) = done.stdout.splitlines()
    assert len(json.loads(line)["chapters"]) == len(LECTURE.topics)
