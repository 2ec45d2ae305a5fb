"""A reviewer's fixes to clips (trim, title, caption text, look) and how they apply to a plan."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from lecture_assets.analysis.models import HighlightSegment, Interval, Sentence
from lecture_assets.analysis.render.captions import (
    CaptionStyle,
    Cue,
    CueWord,
    _wrap,
    to_output_time,
)

# how far a cut may move to reach a sentence edge before the reviewer's time is kept as is
SNAP_WINDOW_S = 4.0
# two ranges closer than this are the same clip (a re-cut that kept a clip keeps its edits)
SAME_RANGE_S = 0.05


@dataclass(frozen=True)
class CaptionFix:
    """New text for the caption shown from `source_start` to `source_end` (source seconds)."""

    source_start: float
    source_end: float
    text: str


@dataclass(frozen=True)
class ClipEdit:
    """Everything a reviewer changed on one clip, against the machine's cut `base_*`."""

    index: int
    base_start: float
    base_end: float
    author: str
    edited_at: str
    start: float | None = None
    end: float | None = None
    title: str | None = None
    captions: list[CaptionFix] = field(default_factory=list)
    caption_style: str | None = None
    layout: str | None = None
    # pending: saved, not rendered yet; applied: in the current clip; replaced: a re-cut chose
    # another range for this clip, so the edit no longer applies (it stays for reference)
    status: str = "pending"
    note: str = ""


@dataclass(frozen=True)
class ClipEdits:
    """All edits of one job, one per clip index."""

    edits: list[ClipEdit] = field(default_factory=list)

    def get(self, index: int) -> ClipEdit | None:
        """The edit of clip `index`, if any."""
        return next((e for e in self.edits if e.index == index), None)

    def put(self, edit: ClipEdit) -> ClipEdits:
        """These edits with `edit` replacing the one of its clip."""
        others = [e for e in self.edits if e.index != edit.index]
        return ClipEdits(sorted([*others, edit], key=lambda e: e.index))


def snap_to_sentences(
    start: float, end: float, sentences: Sequence[Sentence], window_s: float = SNAP_WINDOW_S
) -> tuple[float, float]:
    """Move `start` to the nearest sentence start and `end` to the nearest sentence end.

    An edge with no sentence boundary within `window_s` stays where the reviewer put it; the
    result never collapses (end stays after start).
    """
    starts = sorted(s.start for s in sentences)
    ends = sorted(s.end for s in sentences)
    snapped_start = _nearest(starts, start, window_s)
    snapped_end = _nearest([e for e in ends if e > snapped_start + 1.0], end, window_s)
    return round(snapped_start, 3), round(max(snapped_end, snapped_start + 1.0), 3)


def _nearest(edges: Sequence[float], t: float, window_s: float) -> float:
    i = bisect_left(edges, t)
    near = [edges[j] for j in (i - 1, i) if 0 <= j < len(edges)]
    best = min(near, key=lambda e: abs(e - t), default=t)
    return best if abs(best - t) <= window_s else t


def same_range(edit: ClipEdit, segment: HighlightSegment) -> bool:
    """Whether the edit was made on this cut of the clip."""
    return (
        abs(edit.base_start - segment.start) <= SAME_RANGE_S
        and abs(edit.base_end - segment.end) <= SAME_RANGE_S
    )


def edited_segment(segment: HighlightSegment, edit: ClipEdit) -> HighlightSegment:
    """The segment with the edit's range and title; jump cuts inside the old range are kept,
    an extension is kept whole."""
    start = segment.start if edit.start is None else edit.start
    end = segment.end if edit.end is None else edit.end
    pieces = [
        Interval(max(k.start, start), min(k.end, end))
        for k in segment.keep
        if min(k.end, end) - max(k.start, start) > 0.0
    ]
    if start < segment.start:
        pieces.append(Interval(start, min(segment.start, end)))
    if end > segment.end:
        pieces.append(Interval(max(segment.end, start), end))
    return replace(
        segment,
        start=start,
        end=end,
        title=edit.title if edit.title else segment.title,
        keep=_merge(pieces) or [Interval(start, end)],
    )


def _merge(pieces: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for p in sorted(pieces, key=lambda p: p.start):
        if merged and p.start <= merged[-1].end + 1e-3:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, p.end))
        else:
            merged.append(p)
    return merged


def to_source_time(t: float, keep: Sequence[Interval]) -> float:
    """Map a clip-output time back onto the source timeline (inverse of `to_output_time`)."""
    offset = 0.0
    for k in sorted(keep, key=lambda k: k.start):
        if t <= offset + k.duration:
            return k.start + max(0.0, t - offset)
        offset += k.duration
    return keep[-1].end if keep else t


def fixed_cues(
    cues: Sequence[Cue],
    fixes: Sequence[CaptionFix],
    keep: Sequence[Interval],
    style: CaptionStyle | None = None,
) -> list[Cue]:
    """The cues with each fixed caption's text replaced; a fix applies to the cue it overlaps
    most (in output time), so a trim made with it or later keeps it on the right words."""
    style = style or CaptionStyle()
    out = list(cues)
    for fix in fixes:
        a = to_output_time(fix.source_start, keep)
        b = to_output_time(fix.source_end, keep)
        if a is None and b is None:
            continue  # trimmed away
        lo, hi = (a if a is not None else 0.0), (b if b is not None else float("inf"))
        overlaps = [(min(c.end, hi) - max(c.start, lo), i) for i, c in enumerate(out)]
        best = max(overlaps, default=(0.0, -1))
        if best[0] <= 0.0:
            continue
        cue = out[best[1]]
        words = fix.text.split()
        lines = _wrap(words, style.max_chars_per_line, style.max_lines) or [" ".join(words)]
        out[best[1]] = Cue(cue.start, cue.end, lines, _spread(words, cue.start, cue.end))
    return [c for c in out if c.text.strip()]


def _spread(words: Sequence[str], start: float, end: float) -> list[CueWord]:
    # edited text has no word timings: share the cue's time evenly (karaoke still steps)
    if not words:
        return []
    step = (end - start) / len(words)
    return [CueWord(start + i * step, start + (i + 1) * step, w) for i, w in enumerate(words)]


def reconcile(
    segments: Sequence[HighlightSegment], edits: ClipEdits
) -> tuple[list[HighlightSegment], ClipEdits, list[int]]:
    """Apply the edits that still match the plan's cut; mark the others replaced.

    Returns the segments to render, the edits with their new status, and the indices of the
    clips whose edits a re-cut replaced.
    """
    by_index = {s.index: s for s in segments}
    out_edits: list[ClipEdit] = []
    replaced: list[int] = []
    for edit in edits.edits:
        segment = by_index.get(edit.index)
        if edit.status == "replaced":
            out_edits.append(edit)
        elif segment is None or not same_range(edit, segment):
            replaced.append(edit.index)
            note = "a re-cut chose a different range for this clip; your edit was not applied"
            out_edits.append(replace(edit, status="replaced", note=note))
        else:
            out_edits.append(replace(edit, status="applied", note=""))
    result = ClipEdits(out_edits)
    rendered = []
    for s in segments:
        found = result.get(s.index)
        rendered.append(edited_segment(s, found) if found and found.status == "applied" else s)
    return rendered, result, replaced
