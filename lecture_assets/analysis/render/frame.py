"""The vertical output frame every clip is drawn on: its size, fill colour, even rounding."""

OUT_W, OUT_H = 1080, 1920
FILL = "0x16181d"


def even(v: float) -> int:
    """`v` rounded to an even pixel count (4:2:0 chroma needs even sizes and offsets)."""
    i = round(v)
    return i - i % 2
