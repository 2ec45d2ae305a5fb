"""Plan transcription chunks around silences and make stitched timestamps consistent."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from lecture_assets.analysis.models import Interval, TranscriptSegment, Word


def plan_chunks(
    speech: list[Interval],
    duration_s: float,
    *,
    split_gap_s: float = 2.0,
    max_chunk_s: float = 120.0,
    pad_s: float = 0.2,
) -> list[Interval]:
    """Group speech regions into source ranges to transcribe one at a time.

    A new chunk starts at every silence of at least `split_gap_s` (so long pauses are never
    decoded) and whenever a chunk would pass `max_chunk_s`; every cut lies inside a
    silence, so no word straddles two chunks. Speech longer than `max_chunk_s` without any
    pause is cut hard at that length.
    """
    groups: list[list[float]] = []
    for seg in sorted(speech, key=lambda s: s.start):
        if seg.end <= seg.start:
            continue
        if groups and (
            seg.start - groups[-1][1] < split_gap_s and seg.end - groups[-1][0] <= max_chunk_s
        ):
            groups[-1][1] = max(groups[-1][1], seg.end)
        else:
            groups.append([seg.start, seg.end])
    pieces: list[list[float]] = []
    for a, b in groups:
        while b - a > max_chunk_s:
            pieces.append([a, a + max_chunk_s])
            a += max_chunk_s
        pieces.append([a, b])
    chunks: list[Interval] = []
    for i, (a, b) in enumerate(pieces):
        lo = a - pad_s if i == 0 else max(a - pad_s, (pieces[i - 1][1] + a) / 2)
        hi = b + pad_s if i == len(pieces) - 1 else min(b + pad_s, (b + pieces[i + 1][0]) / 2)
        chunks.append(Interval(round(max(0.0, lo), 3), round(min(duration_s, hi), 3)))
    return [c for c in chunks if c.end > c.start]


@dataclass(frozen=True)
class Pack:
    """Chunks sent to the model as one stretch of audio, joined end to end.

    Whisper encodes 30 s windows whatever they hold, so a 10 s chunk costs as much encoder
    work as a full window; joining the chunks (each already cut inside a silence with some
    of it kept at both ends) fills the windows with speech and never decodes a long pause.
    Times the model reports on the joined audio map back to the source piece by piece.
    """

    pieces: tuple[Interval, ...]
    gap_s: float = 0.0  # silence put between two pieces when they are joined

    @property
    def duration(self) -> float:
        """Seconds of the lecture's audio in the joined stretch."""
        return sum(p.duration for p in self.pieces)

    def _offsets(self) -> list[float]:
        # where each piece starts in the joined audio (and, last, where it all ends)
        ends = accumulate(p.duration for p in self.pieces)
        return [0.0, *(t + k * self.gap_s for k, t in enumerate(ends, 1))]

    def piece_at(self, t: float) -> int:
        """Index of the piece that joined time `t` falls in."""
        return max(0, min(len(self.pieces) - 1, bisect_right(self._offsets(), t) - 1))

    def to_source(self, t: float, piece: int | None = None) -> float:
        """Joined time `t` on the source timeline, clamped to its piece (or to `piece`)."""
        i = self.piece_at(t) if piece is None else piece
        p = self.pieces[i]
        return round(min(p.end, max(p.start, p.start + t - self._offsets()[i])), 3)

    def place_segment(
        self, start: float, end: float, text: str, words: list[Word]
    ) -> TranscriptSegment:
        """A segment timed on the joined audio, moved to the source timeline.

        Each word keeps to the piece its start falls in, so a word never spans the silence
        that was cut out between two pieces.
        """
        moved: list[Word] = []
        for w in words:
            i = self.piece_at(w.start)
            ws = self.to_source(w.start, i)
            moved.append(Word(ws, max(ws, self.to_source(w.end, i)), w.word, w.probability))
        first = self.to_source(start)
        # an end exactly on a joint belongs to the piece before it
        last = self.to_source(end, self.piece_at(max(start, end - 1e-3)))
        return TranscriptSegment(first, max(first, last), text.strip(), moved)


def pack_chunks(chunks: list[Interval], max_pack_s: float = 120.0) -> list[Pack]:
    """Join consecutive chunks into packs of at most `max_pack_s` seconds of audio."""
    packs: list[list[Interval]] = []
    for chunk in chunks:
        if packs and sum(c.duration for c in packs[-1]) + chunk.duration <= max_pack_s:
            packs[-1].append(chunk)
        else:
            packs.append([chunk])
    return [Pack(tuple(group)) for group in packs]


def shift_segment(
    start: float, end: float, text: str, words: list[Word], offset: float, limit: float
) -> TranscriptSegment:
    """A chunk-relative segment moved to the source timeline and clipped to its chunk."""

    def at(t: float) -> float:
        return round(float(min(limit, max(offset, offset + float(t)))), 3)

    moved = [Word(at(w.start), at(w.end), w.word, float(w.probability)) for w in words]
    return TranscriptSegment(at(start), at(end), text.strip(), moved)


def enforce_order(segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """Make segments non-overlapping and in order, and every word monotonic inside its segment.

    Segments are first widened to cover their own words (word times come from alignment and
    are usually the more precise ones), then clamped so they never run backwards.
    """
    out: list[TranscriptSegment] = []
    floor = 0.0
    for seg in sorted(segments, key=lambda s: s.start):
        if not seg.text.strip() and not seg.words:
            continue
        start = min([seg.start, *(w.start for w in seg.words)])
        end = max([seg.end, *(w.end for w in seg.words)])
        start = max(start, floor)
        end = max(end, start)
        words: list[Word] = []
        cursor = start
        for w in seg.words:
            ws = min(max(w.start, cursor), end)
            we = min(max(w.end, ws), end)
            words.append(Word(round(ws, 3), round(we, 3), w.word, w.probability))
            cursor = we
        out.append(TranscriptSegment(round(start, 3), round(end, 3), seg.text.strip(), words))
        floor = end
    return out


def total_speech(chunks: list[Interval] | list[Pack]) -> float:
    """Seconds of audio that will be sent to the model."""
    return sum(c.duration for c in chunks)
