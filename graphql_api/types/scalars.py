"""The `Long` scalar: 64-bit whole numbers, for sizes in bytes that outgrow GraphQL's 32-bit Int."""

from __future__ import annotations

from typing import TYPE_CHECKING, NewType

import strawberry

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def parse_long(value: object) -> int:
    """A whole number within 64 bits; anything else is refused with what to send instead."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Long needs a whole number (e.g. a size in bytes), not {value!r}")
    if not LONG_MIN <= value <= LONG_MAX:
        raise ValueError(f"Long holds whole numbers from {LONG_MIN} to {LONG_MAX}, not {value}")
    return value


if TYPE_CHECKING:
    Long = NewType("Long", int)
else:
    Long = strawberry.scalar(
        NewType("Long", int),
        name="Long",
        description="A whole number from -2^63 to 2^63-1 (64-bit), sent as a JSON number; "
        "used for sizes in bytes.",
        serialize=parse_long,
        parse_value=parse_long,
    )
