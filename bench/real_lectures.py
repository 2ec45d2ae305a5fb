"""Real lecture transcripts with human topic boundaries (bayes-seg corpus) and their scoring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lecture_assets.analysis.models import Transcript, TranscriptSegment, Word

REPO = "jacobeisenstein/bayes-seg"
# where `python -m bench.chapters --extract` puts the corpus unless --corpus says otherwise
DEFAULT_CORPUS = Path(__file__).resolve().parent / ".cache" / "bayes-seg" / "data" / "lectures"
SUBSETS = ("ai/manual", "physics/manual")
WORDS_PER_S = 2.5  # 150 words a minute, a usual lecturing pace
SENTENCE_GAP_S = 0.3
TOLERANCE = 2  # a boundary within this many sentences of a human one counts as found
_MARK = "=========="


@dataclass(frozen=True)
class RealLecture:
    """One transcript: its sentences and the index of the first sentence of each later topic."""

    name: str
    sentences: list[str]
    boundaries: list[int]


def parse_choi(text: str, name: str) -> RealLecture:
    """Parse the corpus's "Choi" format: one sentence a line, topics split by '=========='."""
    sentences: list[str] = []
    bounds: list[int] = []
    for line in text.replace(_MARK, f"\n{_MARK}\n").splitlines():
        line = line.strip()
        if line.startswith(_MARK):
            bounds.append(len(sentences))
        elif line:
            # the physics files space their punctuation out ("meter , the second .")
            sentences.append(re.sub(r"\s+([,.;:?!'])", r"\1", line))
    inner = sorted({b for b in bounds if 0 < b < len(sentences)})
    return RealLecture(name, sentences, inner)


def load_subset(root: Path, subset: str) -> list[RealLecture]:
    """Every lecture (.ref and .dev files) of one corpus subset, e.g. 'ai/manual'."""
    folder = root / subset
    files = sorted([*folder.glob("*.ref"), *folder.glob("*.dev")])
    return [parse_choi(f.read_text(encoding="utf-8", errors="replace"), f.stem) for f in files]


def timed_transcript(lecture: RealLecture) -> tuple[Transcript, list[float]]:
    """A transcript timed from word counts, and the start time of each corpus sentence."""
    t = 0.0
    segments: list[TranscriptSegment] = []
    starts: list[float] = []
    step = 1.0 / WORDS_PER_S
    for text in lecture.sentences:
        starts.append(t)
        words = []
        for tok in text.split():
            words.append(Word(round(t, 3), round(t + 0.9 * step, 3), tok))
            t += step
        if words:
            segments.append(TranscriptSegment(words[0].start, words[-1].end, text, words))
        t += SENTENCE_GAP_S
    return Transcript("en", segments, "corpus text", round(t, 3)), starts


def to_sentence_bounds(starts: list[float], chapter_starts: list[float]) -> list[int]:
    """Map chapter start times onto the nearest corpus sentence (first chapter dropped)."""
    ref = np.asarray(starts)
    return sorted({int(np.argmin(np.abs(ref - t))) for t in chapter_starts} - {0})


def labels(n: int, bounds: list[int]) -> np.ndarray:
    """Segment number of each of n sentences given the first sentence of each later segment."""
    lab = np.zeros(n, dtype=np.int64)
    for b in bounds:
        lab[b:] += 1
    return lab


def pk_windowdiff(n: int, gold: list[int], hyp: list[int]) -> tuple[float, float]:
    """Pk and WindowDiff over sentences, k = half the mean gold segment length."""
    ref, out = labels(n, gold), labels(n, hyp)
    k = max(1, round(n / (len(gold) + 1) / 2))
    pk = float(np.mean((ref[:-k] == ref[k:]) != (out[:-k] == out[k:])))
    wd = float(np.mean((ref[k:] - ref[:-k]) != (out[k:] - out[:-k])))
    return pk, wd


def recall_precision(gold: list[int], hyp: list[int], tol: int = TOLERANCE) -> tuple[float, float]:
    """Share of gold boundaries with a hypothesis within tol sentences, and the converse."""
    rec = float(np.mean([any(abs(g - h) <= tol for h in hyp) for g in gold])) if gold else 1.0
    pre = float(np.mean([any(abs(g - h) <= tol for g in gold) for h in hyp])) if hyp else 1.0
    return rec, pre


def evenly_spaced(n: int, count: int) -> list[int]:
    """`count` boundaries splitting n sentences into equal parts."""
    return [round(n * i / (count + 1)) for i in range(1, count + 1)]
