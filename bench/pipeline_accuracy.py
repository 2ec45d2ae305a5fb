"""Score a pipeline manifest against the long lecture's ground truth (WER, F1, IoU, Pk, sync)."""

from __future__ import annotations

import bisect
import itertools
import re
from pathlib import Path
from typing import Any

import jiwer

from bench.asr_eval import normalize
from bench.long_lecture import LongLecture
from bench.vad_eval import counts, f1
from lecture_assets.analysis.models import Interval, Rect
from tests.fixtures.layouts import slide_title_text
from tests.fixtures.topic_lectures import pk

WORD_TOL_S = 0.05  # how far an edge may sit inside a sentence's speech (a frame of audio)


def _iou(a: Rect | None, b: dict[str, int] | None) -> float:
    if a is None and b is None:
        return 1.0
    if a is None or b is None:
        return 0.0
    x0, y0 = max(a.x, b["x"]), max(a.y, b["y"])
    x1 = min(a.x + a.width, b["x"] + b["width"])
    y1 = min(a.y + a.height, b["y"] + b["height"])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = a.width * a.height + b["width"] * b["height"] - inter
    return inter / union if union else 0.0


def layout_iou(lecture: LongLecture, layout: dict[str, Any]) -> dict[str, float]:
    """Time-weighted IoU of screen and camera regions, truth period against found periods."""
    found = layout.get("periods") or [
        {"start": 0.0, "end": lecture.duration_s, "screen": layout["screen"],
         "camera": layout["camera"], "kind": "?"}
    ]  # fmt: skip
    score = {"screen": 0.0, "camera": 0.0}
    for truth in lecture.layout.periods:
        for p in found:
            overlap = min(truth.end, p["end"]) - max(truth.start, p["start"])
            if overlap > 0:
                score["screen"] += overlap * _iou(truth.screen, p["screen"])
                score["camera"] += overlap * _iou(truth.camera, p["camera"])
    d = lecture.duration_s
    return {
        "screen_iou": round(score["screen"] / d, 3),
        "camera_iou": round(score["camera"] / d, 3),
        "periods_found": len(found),
        "periods_truth": len(lecture.layout.periods),
    }


def clean_edges(start: float, end: float, sentences: list[Interval]) -> bool:
    """A clip starts in the pause before a sentence and ends in the pause after one: it cuts
    no word of its own first and last sentence and takes none of a neighbour's. (Until
    2026-12-07 an edge counted as clean within 0.3 s of the sentence's first or last word
    either way, which passed clips ending 0.24 s inside their last word and failed ones that
    kept 0.3 s of the pause.)"""
    first = min(range(len(sentences)), key=lambda i: abs(sentences[i].start - start))
    last = min(range(len(sentences)), key=lambda i: abs(sentences[i].end - end))
    before = sentences[first - 1].end if first > 0 else 0.0
    after = sentences[last + 1].start if last + 1 < len(sentences) else float("inf")
    starts_clean = before - WORD_TOL_S <= start <= sentences[first].start + WORD_TOL_S
    ends_clean = sentences[last].end - WORD_TOL_S <= end <= after + WORD_TOL_S
    return starts_clean and ends_clean


def _nearest(t: float, points: list[float]) -> float:
    return min((abs(t - p) for p in points), default=float("inf"))


def _srt_cues(path: Path) -> list[tuple[float, str]]:
    """(start seconds, text) of each cue of an SRT file."""
    cues = []
    for block in path.read_text().strip().split("\n\n"):
        lines = block.strip().splitlines()
        m = re.match(r"(\d+):(\d+):(\d+)[,.](\d+)", lines[1]) if len(lines) >= 3 else None
        if m:
            h, mi, s, ms = (int(g) for g in m.groups())
            cues.append((h * 3600 + mi * 60 + s + ms / 1000, " ".join(lines[2:])))
    return cues


def _to_source(t: float, keep: list[list[float]]) -> float:
    """Clip time to source time through the clip's kept ranges (jump cuts)."""
    for a, b in keep:
        if t <= b - a:
            return a + t
        t -= b - a
    return keep[-1][1]


def subtitle_sync(
    manifest: dict[str, Any], out_dir: Path, lecture: LongLecture
) -> dict[str, float | None]:
    """Mean |cue start - word start| in source seconds: against the transcript word the cue
    shows first, and, for cues that open a spoken sentence, against the true sentence start."""
    words = [w for s in manifest["transcript"]["segments"] for w in s["words"]]
    openers = [
        (t.start, normalize(text).split()[:1])
        for t, text in zip(lecture.sentence_times, lecture.sentences, strict=True)
    ]
    vs_words: list[float] = []
    vs_truth: list[float] = []
    for clip in manifest["clips"]:
        srt = out_dir / clip["srt"]
        keep = clip.get("keep") or [[clip["start"], clip["end"]]]
        if not srt.exists():
            continue
        for start, text in _srt_cues(srt):
            first = normalize(text).split()[:1]
            src = _to_source(start, keep)
            same = [w["start"] for w in words if normalize(w["word"]).split()[:1] == first]
            gap = _nearest(src, same)
            if gap < 2.0:
                vs_words.append(gap)
            truth = _nearest(src, [t for t, w in openers if w == first])
            if truth < 1.5:
                vs_truth.append(truth)

    def mean(xs: list[float]) -> float | None:
        return round(sum(xs) / len(xs), 3) if xs else None

    return {
        "subtitle_sync_vs_transcript_s": mean(vs_words),
        "subtitle_sync_vs_true_sentence_start_s": mean(vs_truth),
        "subtitle_cues_at_sentence_start": len(vs_truth),
    }


def slide_titled_chapters(lecture: LongLecture, topics: list[dict[str, Any]]) -> dict[str, Any]:
    """Chapters named by the title of the slide shown longest in them (as the generator drew
    it), among chapters that show a slide; titles that are no slide's at all are listed."""
    changes = sorted(lecture.layout.slide_changes)
    shown = [p for p in lecture.layout.periods if p.screen is not None]
    right, with_slide, strays = 0, 0, []
    drawn = {slide_title_text(n).lower() for n in range(len(changes) + 1)}
    for chapter in topics:
        seconds: dict[int, float] = {}
        for period in shown:
            a, b = max(chapter["start"], period.start), min(chapter["end"], period.end)
            cuts = [a, *(c for c in changes if a < c < b), b]
            for x, y in itertools.pairwise(cuts):
                if y > x:  # slide n shows after the n-th change
                    n = bisect.bisect_right(changes, x + 1e-6)
                    seconds[n] = seconds.get(n, 0.0) + y - x
        if not seconds:
            continue
        with_slide += 1
        longest = max(seconds, key=lambda n: seconds[n])
        title = " ".join(chapter["title"].lower().split())
        right += title == slide_title_text(longest).lower()
        if title not in drawn:
            strays.append(chapter["title"])
    return {
        "chapters_titled_by_slide": round(right / with_slide, 3) if with_slide else None,
        "chapters_with_a_slide": with_slide,
        "chapter_titles_not_on_any_slide": strays,
    }


def score(lecture: LongLecture, manifest: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """Every accuracy figure of one pipeline run against the generator's truth."""
    truth_text = normalize(" ".join(lecture.sentences))
    hyp_text = normalize(manifest["transcript"]["text"])
    speech = [Interval(a, b) for a, b in manifest["speech"]]
    tp, fp, fn = counts(lecture.sentence_times, speech, Interval(0.0, lecture.duration_s))
    words = [w for s in manifest["transcript"]["segments"] for w in s["words"]]
    topic_cuts = sorted(lecture.topic_starts)
    found_cuts = sorted(t["start"] for t in manifest["topics"] if t["start"] > 1.0)
    ref = [sum(1 for c in topic_cuts if w["start"] >= c) for w in words]
    hyp = [sum(1 for c in found_cuts if w["start"] >= c) for w in words]
    starts = [s.start for s in lecture.sentence_times]
    ends = [s.end for s in lecture.sentence_times]
    clips = manifest["clips"]
    clean = [clean_edges(c["start"], c["end"], lecture.sentence_times) for c in clips]
    slides = manifest["layout"].get("slide_changes", [])
    hits = sum(1 for t in lecture.layout.slide_changes if _nearest(t, slides) <= 1.0)
    return {
        "wer": round(jiwer.wer(truth_text, hyp_text), 4),
        "speech_f1": round(f1(tp, fp, fn), 4),
        **layout_iou(lecture, manifest["layout"]),
        "slide_change_recall_1s": round(hits / max(1, len(lecture.layout.slide_changes)), 3),
        "slide_changes_found": len(slides),
        "slide_changes_truth": len(lecture.layout.slide_changes),
        "chapter_pk": round(pk(ref, hyp), 4) if words and len(set(ref)) > 1 else None,
        "chapters_found": len(manifest["topics"]),
        "topics_truth": len(topic_cuts) + 1,
        "boundary_clean_share": round(sum(clean) / len(clean), 3) if clean else None,
        "clip_boundary_errors_s": [
            [round(_nearest(c["start"], starts), 2), round(_nearest(c["end"], ends), 2)]
            for c in clips
        ],
        **subtitle_sync(manifest, out_dir, lecture),
        **slide_titled_chapters(lecture, manifest["topics"]),
    }
