"""The transcript as pages of timed segments and words, and its sentences."""

from __future__ import annotations

from typing import Any

import strawberry

from lecture_assets.analysis.models import Sentence as DomainSentence

MAX_PAGE = 500


@strawberry.type(description="One spoken word with its timing.")
class TranscriptWord:
    start: float = strawberry.field(description="When it starts, source seconds.")
    end: float = strawberry.field(description="When it ends, source seconds.")
    word: str = strawberry.field(description="The word as transcribed.")


@strawberry.type(description="A segment of the transcript: a stretch of speech and its words.")
class TranscriptSegment:
    start: float = strawberry.field(description="When it starts, source seconds.")
    end: float = strawberry.field(description="When it ends, source seconds.")
    text: str = strawberry.field(description="What was said.")
    words: list[TranscriptWord] = strawberry.field(description="Its words, in order.")

    @classmethod
    def from_domain(cls, raw: dict[str, Any]) -> TranscriptSegment:
        """From one segment of the `transcript` artifact."""
        words = [
            TranscriptWord(start=w["start"], end=w["end"], word=w["word"].strip())
            for w in raw.get("words", [])
        ]
        return cls(start=raw["start"], end=raw["end"], text=raw["text"].strip(), words=words)


@strawberry.type(description="A page of the transcript's segments.")
class TranscriptPage:
    language: str = strawberry.field(description="The language spoken (ISO 639-1, e.g. en).")
    total_segments: int = strawberry.field(description="How many segments the transcript has.")
    offset: int = strawberry.field(description="The index of this page's first segment.")
    segments: list[TranscriptSegment] = strawberry.field(description="This page's segments.")

    @classmethod
    def from_domain(cls, data: dict[str, Any], offset: int, limit: int) -> TranscriptPage:
        """`limit` segments (1 to 500) of the `transcript` artifact from `offset`."""
        segments = data.get("segments", [])
        offset, limit = max(0, offset), max(1, min(limit, MAX_PAGE))
        return cls(
            language=data.get("language", ""),
            total_segments=len(segments),
            offset=offset,
            segments=[TranscriptSegment.from_domain(s) for s in segments[offset : offset + limit]],
        )


@strawberry.type(description="A sentence of the transcript: the edges clip trims snap to.")
class Sentence:
    start: float = strawberry.field(description="When it starts, source seconds.")
    end: float = strawberry.field(description="When it ends, source seconds.")
    text: str = strawberry.field(description="What was said.")

    @classmethod
    def from_domain(cls, sentence: DomainSentence) -> Sentence:
        """From a sentence of the transcript agent."""
        return cls(start=sentence.start, end=sentence.end, text=sentence.text)
