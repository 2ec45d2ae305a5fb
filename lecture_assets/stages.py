"""The pipeline's stages in order and what each one invalidates downstream."""

from __future__ import annotations

STAGES: tuple[str, ...] = (
    "source_video",
    "silence_map",
    "screen_layout",
    "slides",
    "transcript",
    "content_scores",
    "highlight_segments",
    "highlight_clips",
)

UPSTREAM: dict[str, tuple[str, ...]] = {
    "source_video": (),
    "silence_map": ("source_video",),
    # the slides' words prime the transcriber, so it waits for them
    "transcript": ("source_video", "silence_map", "slides"),
    "screen_layout": ("source_video",),
    "slides": ("screen_layout", "source_video"),
    "content_scores": ("transcript", "silence_map", "screen_layout", "slides"),
    "highlight_segments": ("content_scores", "transcript", "silence_map"),
    "highlight_clips": (
        "highlight_segments",
        "screen_layout",
        "slides",
        "transcript",
        "source_video",
    ),
}


def downstream_of(stage: str) -> list[str]:
    """`stage` and every stage that depends on it, in pipeline order."""
    if stage not in UPSTREAM:
        raise ValueError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")
    chosen = {stage}
    for name in STAGES:
        if any(up in chosen for up in UPSTREAM[name]):
            chosen.add(name)
    return [s for s in STAGES if s in chosen]
