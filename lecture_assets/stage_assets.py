"""The asset of each registered stage, checked against the stage registry when imported."""

from __future__ import annotations

from dagster import AssetsDefinition

from lecture_assets import stages
from lecture_assets.assets.audio import silence_map, transcript
from lecture_assets.assets.clips import highlight_clips
from lecture_assets.assets.content import content_scores, highlight_segments
from lecture_assets.assets.layout import screen_layout
from lecture_assets.assets.slides import slides
from lecture_assets.assets.source import source_video

# one asset per stage of lecture_assets/stages.py, keyed by the stage's name
BY_STAGE: dict[str, AssetsDefinition] = {
    a.key.path[-1]: a
    for a in (
        source_video,
        silence_map,
        screen_layout,
        slides,
        transcript,
        content_scores,
        highlight_segments,
        highlight_clips,
    )
}


def check() -> None:
    """Fail loudly when the registry and the assets disagree (a stage without asset, or
    an asset without stage, or an asset reading other stages than its registry entry)."""
    registered = set(stages.names())
    built = set(BY_STAGE)
    if registered != built:
        raise RuntimeError(
            f"stages without an asset: {sorted(registered - built) or 'none'}; assets without a "
            f"stage: {sorted(built - registered) or 'none'}. Register each stage once in "
            "lecture_assets/stages.py and add its asset to lecture_assets/stage_assets.py"
        )
    for name, asset in BY_STAGE.items():
        reads = {key.path[-1] for key in asset.asset_deps[asset.key]}
        declared = set(stages.upstream(name))
        if reads != declared:
            raise RuntimeError(
                f"asset {name} reads {sorted(reads)} but its registry entry lists "
                f"{sorted(declared)}; make the asset's inputs and lecture_assets/stages.py agree"
            )


def assets() -> list[AssetsDefinition]:
    """The stage assets in pipeline order, after checking them against the registry."""
    check()
    return [BY_STAGE[name] for name in stages.names()]


check()
