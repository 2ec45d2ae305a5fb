"""Slide changes at or just after a layout switch are kept; the switch itself is not one."""

from __future__ import annotations

import pytest

from lecture_assets.analysis.layout.detect import detect_layout
from lecture_assets.analysis.media.ffmpeg import probe
from tests.fixtures.layouts import LayoutSpec, Segment, cached_layout_video

CASES = [
    # a new slide 1 s after the switch (the regular change at 15 s), none at the switch
    ("pip-to-sbs-change-1s-after", (Segment("pip", 14), Segment("side_by_side", 16)), 5.0, ()),
    # a new slide exactly at the first switch and half a second after the second one
    (
        "pip-sbs-pip-change-at-and-after",
        (Segment("pip", 12), Segment("side_by_side", 12), Segment("pip", 12, corner="tl")),
        7.0,
        (12.0, 24.5),
    ),
    # the screen changes size (sbs to slides only) together with a new slide
    (
        "sbs-to-slides-change-at",
        (Segment("side_by_side", 12), Segment("slides", 12)),
        9.0,
        (12.0,),
    ),
]


@pytest.mark.parametrize(("case", "segments", "every", "extra"), CASES, ids=[c[0] for c in CASES])
def test_slide_changes_next_to_a_switch_survive(
    case: str, segments: tuple[Segment, ...], every: float, extra: tuple[float, ...]
) -> None:
    # new slides only (no bullet builds): this is about switches, not about small builds
    spec = LayoutSpec(segments, slide_every_s=every, build_every=0, extra_changes=extra)
    path, truth = cached_layout_video(spec)
    layout = detect_layout(path, probe(path))
    found = layout.slide_changes
    assert [p.kind for p in layout.periods] == [p.kind for p in truth.periods]
    switches = [p.start for p in truth.periods[1:]]
    near = [t for t in truth.slide_changes if any(-0.01 <= t - s <= 1.01 for s in switches)]
    assert near, "the case must hold a change at or just after a switch"
    missed = [t for t in truth.slide_changes if all(abs(t - f) > 0.5 for f in found)]
    assert not missed, (missed, found)
    false = [f for f in found if all(abs(t - f) > 0.5 for t in truth.slide_changes)]
    assert not false, (false, truth.slide_changes)


def test_a_switch_without_new_content_is_not_a_slide_change() -> None:
    spec = LayoutSpec(
        (Segment("pip", 12), Segment("side_by_side", 12), Segment("pip", 12, corner="tl")),
        slide_every_s=100.0,
    )
    path, truth = cached_layout_video(spec)
    layout = detect_layout(path, probe(path))
    assert truth.slide_changes == []
    assert [p.kind for p in layout.periods] == ["pip", "side_by_side", "pip"]
    assert layout.slide_changes == []
