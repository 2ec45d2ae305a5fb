"""THE stage registry: assets, CLI order, progress spans and the API's stages derive from it."""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class StageSpec:
    """One stage of the pipeline, as everything outside its asset needs to know it."""

    name: str
    upstream: tuple[str, ...]
    # share of the job's progress bar (relative weight; the bar's spans follow registry order)
    share: float
    description: str
    # the celery queue of a heavy stage (None: the shared default queue)
    queue: str | None = None


# pipeline order: each stage after its upstream stages; this order is also the progress bar's
REGISTRY: tuple[StageSpec, ...] = (
    StageSpec("source_video", (), 5.0, "the upload, probed and validated; its audio decoded"),
    StageSpec("silence_map", ("source_video",), 3.0, "speech regions, silences and loudness"),
    StageSpec(
        "screen_layout",
        ("source_video",),
        4.0,
        "screen and camera rectangles, layout timeline, slide changes",
        queue="layout",
    ),
    StageSpec(
        "slides",
        ("screen_layout", "source_video"),
        3.0,
        "OCR of each slide: title, text, the lecture's vocabulary",
        queue="slides",
    ),
    # the slides' words prime the transcriber, so it waits for them
    StageSpec(
        "transcript",
        ("source_video", "silence_map", "slides"),
        45.0,
        "timestamped words and segments of everything said",
        queue="transcript",
    ),
    StageSpec(
        "content_scores",
        ("transcript", "silence_map", "screen_layout", "slides"),
        6.0,
        "chapters with titles and how much each window is worth a clip",
    ),
    StageSpec(
        "highlight_segments",
        ("content_scores", "transcript", "silence_map", "source_video"),
        4.0,
        "the chosen clips: sentence-aligned ranges, titles and reasons",
    ),
    StageSpec(
        "highlight_clips",
        (
            "highlight_segments",
            "screen_layout",
            "slides",
            "transcript",
            "silence_map",
            "source_video",
        ),
        30.0,
        "9:16 clips with burned subtitles, SRT/VTT, thumbnails, EDL and the manifest",
        queue="render",
    ),
)


def validate(registry: tuple[StageSpec, ...]) -> None:
    """Refuse a registry with duplicate names, unknown upstreams or upstreams listed later."""
    seen: set[str] = set()
    for spec in registry:
        if spec.name in seen:
            raise ValueError(f"stage {spec.name!r} is registered twice in lecture_assets/stages.py")
        missing = [up for up in spec.upstream if up not in seen]
        if missing:
            raise ValueError(
                f"stage {spec.name!r} depends on {missing}, which are not registered before it "
                "in lecture_assets/stages.py; register upstream stages first"
            )
        if spec.share <= 0:
            raise ValueError(f"stage {spec.name!r} needs a positive progress share")
        seen.add(spec.name)


validate(REGISTRY)

# the stage names in pipeline order (the GraphQL Stage enum and reprocess checks read this)
STAGES: tuple[str, ...] = tuple(s.name for s in REGISTRY)


def names() -> tuple[str, ...]:
    """The registered stage names in pipeline order, read at call time."""
    return tuple(s.name for s in REGISTRY)


def spec(stage: str) -> StageSpec:
    """The registry entry of `stage`."""
    for entry in REGISTRY:
        if entry.name == stage:
            return entry
    raise ValueError(f"unknown stage {stage!r}; choose one of {', '.join(names())}")


def upstream(stage: str) -> tuple[str, ...]:
    """The stages `stage` reads."""
    return spec(stage).upstream


def downstream_of(stage: str) -> list[str]:
    """`stage` and every stage that depends on it, in pipeline order."""
    spec(stage)
    chosen = {stage}
    for entry in REGISTRY:
        if any(up in chosen for up in entry.upstream):
            chosen.add(entry.name)
    return [s.name for s in REGISTRY if s.name in chosen]


def levels() -> list[list[str]]:
    """Topological levels: each stage one level below its deepest upstream stage."""
    depth: dict[str, int] = {}
    for entry in REGISTRY:
        depth[entry.name] = 1 + max((depth[up] for up in entry.upstream), default=-1)
    out: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name, level in depth.items():
        out[level].append(name)
    return out


def waves() -> list[list[list[str]]]:
    """The local run's order: waves of groups; groups in a wave run side by side.

    Every level is a wave with one group per stage; a run of consecutive one-stage levels
    becomes a single group (one run, in order), which saves a run's start-up per stage.
    """
    out: list[list[list[str]]] = []
    previous: list[str] = []
    for level in levels():
        if len(level) == 1 and len(previous) == 1:
            out[-1][0].append(level[0])
        else:
            out.append([[name] for name in level])
        previous = level
    return out


def spans() -> dict[str, tuple[float, float]]:
    """Each stage's (start, end) percent of the job's progress bar, in registry order."""
    total = sum(s.share for s in REGISTRY)
    out: dict[str, tuple[float, float]] = {}
    done = 0.0
    for entry in REGISTRY:
        out[entry.name] = (100.0 * done / total, 100.0 * (done + entry.share) / total)
        done += entry.share
    return out


def markdown_table() -> str:
    """The README's stage table (`python -m lecture_assets.stages` prints it)."""
    rows = ["| stage | reads | progress | queue | what it makes |", "|---|---|---|---|---|"]
    bar = spans()
    for entry in REGISTRY:
        lo, hi = bar[entry.name]
        reads = ", ".join(f"`{up}`" for up in entry.upstream) or "the upload"
        rows.append(
            f"| `{entry.name}` | {reads} | {lo:.0f}-{hi:.0f} % | {entry.queue or 'dagster'} "
            f"| {entry.description} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    sys.stdout.write(markdown_table() + "\n")
