"""`slides`: each slide's title and text, read from the screen at the layout's slide changes."""

from dagster import AssetExecutionContext, MetadataValue, Output, asset

from lecture_assets.analysis.media.ffmpeg import MediaError
from lecture_assets.analysis.models import ScreenLayout, SourceInfo
from lecture_assets.analysis.slides.read import SlideDeck, read_slides
from lecture_assets.assets.common import duration_meta, run_stage
from lecture_assets.io_manager import IO_MANAGER_KEY
from lecture_assets.partitions import lectures
from lecture_assets.scale_out import queue_tags
from resources.jobs.store import JobStoreResource
from resources.progress import ProgressResource
from resources.storage import StorageResource
from resources.workdir import WorkdirResource


def _titles_md(deck: SlideDeck, limit: int = 40) -> str:
    rows = ["| start | end | title |", "|---|---|---|"]
    for slide in deck.slides[:limit]:
        title = slide.title.replace("|", "/") or "(no title)"
        rows.append(f"| {slide.start:.1f} | {slide.end:.1f} | {title} |")
    if len(deck.slides) > limit:
        rows.append(f"| ... | | {len(deck.slides) - limit} more |")
    return "\n".join(rows) if deck.slides else "no slide text found"


@asset(
    partitions_def=lectures,
    group_name="lecture",
    kinds={"tesseract"},
    io_manager_key=IO_MANAGER_KEY,
    op_tags=queue_tags("slides"),
)
def slides(
    context: AssetExecutionContext,
    source_video: SourceInfo,
    screen_layout: ScreenLayout,
    storage: StorageResource,
    job_store: JobStoreResource,
    workdir: WorkdirResource,
    progress: ProgressResource,
) -> Output[SlideDeck]:
    """OCR of the screen once per slide: title (top/largest line), text and lines."""
    job_id = context.partition_key
    with run_stage(context, job_store, progress, "slides") as stage:
        video = workdir.fetch(storage, job_id, stage.job.source_key)
        try:
            deck = read_slides(
                video, screen_layout, source_video.duration_s, on_progress=stage.report
            )
        except MediaError as exc:
            if exc.code != "OCR_UNAVAILABLE":
                raise
            # slide text improves titles; a lecture is still worth cutting without it
            context.log.warning(exc.message)
            deck = SlideDeck(slides=[], note=exc.message)
    titled = sum(1 for s in deck.slides if s.title)
    return Output(
        deck,
        metadata={
            "slides": MetadataValue.int(len(deck.slides)),
            "titled_slides": MetadataValue.int(titled),
            "frames_read": MetadataValue.int(deck.frames_read),
            "ocr_engine": MetadataValue.text(deck.engine),
            "titles": MetadataValue.md(_titles_md(deck)),
            "vocabulary": MetadataValue.text(", ".join(deck.vocabulary[:60]) or "none"),
            "note": MetadataValue.text(deck.note or ""),
            **duration_meta(stage, source_video.duration_s),
        },
    )
