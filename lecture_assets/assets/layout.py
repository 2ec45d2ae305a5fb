"""`screen_layout`: where the slides and the camera are, over time, and when slides change."""

from dagster import AssetExecutionContext, MetadataValue, Output, asset

from lecture_assets import keys
from lecture_assets.analysis.layout.detect import detect_layout, render_layout_previews
from lecture_assets.analysis.models import Rect, ScreenLayout, SourceInfo
from lecture_assets.assets.common import duration_meta, run_stage
from lecture_assets.io_manager import IO_MANAGER_KEY
from lecture_assets.partitions import lectures
from lecture_assets.scale_out import queue_tags
from resources.jobs.store import JobStoreResource
from resources.progress import ProgressResource
from resources.storage import StorageResource
from resources.workdir import WorkdirResource


def _rect_text(rect: Rect | None) -> str:
    return "none" if rect is None else f"{rect.width}x{rect.height} at ({rect.x}, {rect.y})"


@asset(
    partitions_def=lectures,
    group_name="lecture",
    kinds={"opencv"},
    io_manager_key=IO_MANAGER_KEY,
    op_tags=queue_tags("screen_layout"),
)
def screen_layout(
    context: AssetExecutionContext,
    source_video: SourceInfo,
    storage: StorageResource,
    job_store: JobStoreResource,
    workdir: WorkdirResource,
    progress: ProgressResource,
) -> Output[ScreenLayout]:
    """Screen and camera rectangles, the layout timeline, slide changes and previews."""
    job_id = context.partition_key
    with run_stage(context, job_store, progress, "screen_layout") as stage:
        info = source_video
        video = workdir.fetch(storage, job_id, stage.job.source_key)
        layout = detect_layout(video, info, on_progress=lambda f: stage.report(0.9 * f))
        preview_dir = workdir.scratch(job_id, "layout_previews")
        preview_keys = []
        for n, path in enumerate(render_layout_previews(video, layout, preview_dir)):
            key = keys.layout_preview(job_id, n)
            storage.put_file(key, path, "image/jpeg")
            preview_keys.append(key)
        # previews of an earlier run go; the output itself is rewritten after this step
        keep = {keys.output(job_id, "screen_layout"), *preview_keys}
        storage.delete_prefix(keys.asset_prefix(job_id, "screen_layout"), keep=keep)
    kinds = sorted({p.kind for p in layout.periods})
    return Output(
        layout,
        metadata={
            "screen": MetadataValue.text(_rect_text(layout.screen)),
            "camera": MetadataValue.text(_rect_text(layout.camera)),
            "layout_kinds": MetadataValue.text(", ".join(kinds) or "none"),
            "periods": MetadataValue.int(len(layout.periods)),
            "slide_changes": MetadataValue.int(len(layout.slide_changes)),
            "previews": MetadataValue.md("\n".join(f"- `{k}`" for k in preview_keys) or "none"),
            **duration_meta(stage, info.duration_s),
        },
    )
