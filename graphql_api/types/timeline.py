"""The lecture's timeline: speech and silences, layout periods and slide changes."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_api.types.enums import LayoutKind


def layout_kind(kind: str) -> LayoutKind:
    """The enum member of a stored kind; one this API does not know reads as UNKNOWN."""
    for member in LayoutKind:
        if member.domain == kind:
            return member
    return LayoutKind.__members__["UNKNOWN"]


@strawberry.type(description="A span of the lecture, source seconds.")
class TimeRange:
    start: float = strawberry.field(description="Where it starts, source seconds.")
    end: float = strawberry.field(description="Where it ends, source seconds.")

    @classmethod
    def from_domain(cls, raw: dict[str, Any]) -> TimeRange:
        """From a `{start, end}` entry of an artifact."""
        return cls(start=raw["start"], end=raw["end"])


@strawberry.type(description="A rectangle of the source frame, in pixels.")
class Region:
    x: int = strawberry.field(description="Left edge, pixels from the left.")
    y: int = strawberry.field(description="Top edge, pixels from the top.")
    width: int = strawberry.field(description="Width in pixels.")
    height: int = strawberry.field(description="Height in pixels.")

    @classmethod
    def from_domain(cls, raw: dict[str, Any] | None) -> Region | None:
        """From a `{x, y, width, height}` entry; None stays None."""
        if raw is None:
            return None
        return cls(**{k: int(raw[k]) for k in ("x", "y", "width", "height")})


@strawberry.type(description="A stretch of the lecture with one layout.")
class LayoutPeriod:
    start: float = strawberry.field(description="Where it starts, source seconds.")
    end: float = strawberry.field(description="Where it ends, source seconds.")
    kind: LayoutKind = strawberry.field(description="What the recording shows.")
    screen: Region | None = strawberry.field(description="Where the screen is, if shown.")
    camera: Region | None = strawberry.field(description="Where the speaker is, if shown.")

    @classmethod
    def from_domain(cls, raw: dict[str, Any]) -> LayoutPeriod:
        """From one of the `screen_layout` artifact's periods."""
        return cls(
            start=raw["start"],
            end=raw["end"],
            kind=layout_kind(str(raw.get("kind", "unknown"))),
            screen=Region.from_domain(raw.get("screen")),
            camera=Region.from_domain(raw.get("camera")),
        )


@strawberry.type(description="What happens when in the lecture, as the pipeline found it.")
class Timeline:
    speech: list[TimeRange] = strawberry.field(description="Where someone speaks.")
    silences: list[TimeRange] = strawberry.field(description="The pauses between speech.")
    layout_periods: list[LayoutPeriod] = strawberry.field(description="The layout over time.")
    slide_changes: list[float] = strawberry.field(description="When a new slide appears.")

    @classmethod
    def from_domain(cls, speech: dict[str, Any], layout: dict[str, Any]) -> Timeline:
        """From the `silence_map` and `screen_layout` artifacts (either may be empty)."""
        return cls(
            speech=[TimeRange.from_domain(i) for i in speech.get("speech", [])],
            silences=[TimeRange.from_domain(i) for i in speech.get("silences", [])],
            layout_periods=[LayoutPeriod.from_domain(p) for p in layout.get("periods", [])],
            slide_changes=list(layout.get("slide_changes", [])),
        )
