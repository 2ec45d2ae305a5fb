"""GraphQL type of one slide as read from the screen (the `slides` asset)."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(description="A slide as shown on screen, with the text read from it.")
class Slide:
    start: float = strawberry.field(description="When the slide appears, source seconds.")
    end: float = strawberry.field(description="When the next slide replaces it.")
    title: str = strawberry.field(description="Its top/largest line; empty when none was read.")
    text: str = strawberry.field(description="All its text, one line per line.")
    lines: list[str] = strawberry.field(description="Its lines of text, top to bottom.")

    @classmethod
    def from_domain(cls, raw: dict[str, Any]) -> Slide:
        """From one entry of the `slides` artifact."""
        return cls(
            start=float(raw["start"]),
            end=float(raw["end"]),
            title=str(raw.get("title", "")),
            text=str(raw.get("text", "")),
            lines=[str(x) for x in raw.get("lines", [])],
        )
