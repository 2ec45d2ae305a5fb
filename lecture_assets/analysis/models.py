"""Typed data passed between the six agents; every field is in source-timeline seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


@dataclass(frozen=True)
class Interval:
    """A half-open time range [start, end) in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class SourceInfo:
    """What probing the uploaded file told us."""

    duration_s: float
    width: int
    height: int
    fps: float
    has_video: bool
    has_audio: bool
    container: str
    video_codec: str | None = None
    audio_codec: str | None = None
    rotation: int = 0
    size_bytes: int = 0


@dataclass(frozen=True)
class LoudnessStats:
    """Loudness of the lecture audio in dBFS (frame RMS over 30 ms frames)."""

    mean_dbfs: float
    peak_dbfs: float
    noise_floor_dbfs: float
    speech_level_dbfs: float


@dataclass(frozen=True)
class SpeechMap:
    """Output of the silence agent: where someone is speaking and where nobody is."""

    duration_s: float
    speech: list[Interval]
    silences: list[Interval]
    loudness: LoudnessStats
    method: str


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass(frozen=True)
class TranscriptSegment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass(frozen=True)
class Transcript:
    """Output of the transcript agent. `reason` explains an empty transcript."""

    language: str
    segments: list[TranscriptSegment]
    model: str
    duration_s: float
    reason: str | None = None

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in source pixels."""

    x: int
    y: int
    width: int
    height: int

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    def iou(self, other: Rect) -> float:
        """Intersection over union with another rectangle (0 when disjoint)."""
        x0, y0 = max(self.x, other.x), max(self.y, other.y)
        x1 = min(self.x + self.width, other.x + other.width)
        y1 = min(self.y + self.height, other.y + other.height)
        inter = max(0, x1 - x0) * max(0, y1 - y0)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0


LayoutKind = Literal["pip", "side_by_side", "slides", "camera", "unknown"]


@dataclass(frozen=True)
class LayoutPeriod:
    """A stretch of the lecture with one stable arrangement of screen and camera."""

    start: float
    end: float
    kind: LayoutKind
    screen: Rect | None
    camera: Rect | None


@dataclass(frozen=True)
class SpeakerPosition:
    """Where the speaker's face (or motion centre) is at time t, in source pixels."""

    t: float
    cx: float
    cy: float


@dataclass(frozen=True)
class ScreenLayout:
    """Output of the layout agent: dominant regions, the layout timeline and slide changes."""

    width: int
    height: int
    screen: Rect | None
    camera: Rect | None
    periods: list[LayoutPeriod]
    slide_changes: list[float]
    speaker_track: list[SpeakerPosition] = field(default_factory=list)


@dataclass(frozen=True)
class Sentence:
    index: int
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Chapter:
    start: float
    end: float
    title: str
    first_sentence: int
    last_sentence: int


@dataclass(frozen=True)
class CandidateWindow:
    """A sentence-aligned stretch that could become a clip, with its score and why."""

    start: float
    end: float
    first_sentence: int
    last_sentence: int
    chapter_index: int
    score: float
    title: str
    reason: str
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ContentScores:
    """Output of the content agent."""

    sentences: list[Sentence]
    chapters: list[Chapter]
    candidates: list[CandidateWindow]
    method: str
    # per-sentence teaching value in [0, 1], independent of the user's clip options so a
    # re-cut with other lengths re-runs segment selection only
    sentence_scores: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class SegmentOptions:
    """What the user asked for; defaults follow the product brief."""

    max_clips: int = 8
    min_seconds: float = 20.0
    max_seconds: float = 120.0
    max_pause_s: float = 1.5


@dataclass(frozen=True)
class HighlightSegment:
    """One chosen clip: its source range and the parts kept after trimming dead air."""

    index: int
    start: float
    end: float
    score: float
    title: str
    reason: str
    chapter_index: int
    keep: list[Interval]

    @property
    def output_duration(self) -> float:
        return sum(k.duration for k in self.keep)


@dataclass(frozen=True)
class HighlightPlan:
    """Output of the segment agent. `note` says why there are fewer clips than asked."""

    segments: list[HighlightSegment]
    chapters: list[Chapter]
    chapters_text: str
    note: str | None = None


def to_jsonable(obj: Any) -> Any:
    """Turn a dataclass tree into plain JSON-ready python values."""
    return TypeAdapter(type(obj)).dump_python(obj, mode="json")


def from_jsonable(cls: type[T], data: Any) -> T:
    """Rebuild a dataclass tree from plain JSON values, validating types."""
    return TypeAdapter(cls).validate_python(data)
