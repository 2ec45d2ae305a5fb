"""`content_scores` and `highlight_segments`: chapters, what is worth a clip, and the picks."""

from dagster import AssetExecutionContext, MetadataValue, Output, asset

from lecture_assets.agent_resources import ScorerResource
from lecture_assets.analysis.content.score import LocalScorer, chapters_text, score_content
from lecture_assets.analysis.content.titles import retitle_scores
from lecture_assets.analysis.models import (
    ContentScores,
    HighlightPlan,
    ScreenLayout,
    SegmentOptions,
    SourceInfo,
    SpeechMap,
    Transcript,
)
from lecture_assets.analysis.segments.select import select_segments
from lecture_assets.analysis.slides.read import SlideDeck
from lecture_assets.assets.common import StageError, duration_meta, run_stage
from lecture_assets.io_manager import IO_MANAGER_KEY
from lecture_assets.partitions import lectures
from resources.jobs import ClipLimits, JobOptions, OptionError
from resources.jobs.store import JobStoreResource
from resources.media import MediaResource
from resources.progress import ProgressResource


def segment_options(options: JobOptions, media: MediaResource) -> SegmentOptions:
    """The job's clip options over the server defaults, checked together (OptionError)."""
    defaults = ClipLimits(media.max_clips, media.min_clip_seconds, media.max_clip_seconds)
    try:
        limits = options.clip_limits(defaults)
    except OptionError as exc:  # the server's defaults changed since the job was accepted
        raise StageError(
            "INVALID_OPTIONS", f"{exc.message}; reprocess the job with clip lengths that agree"
        ) from exc
    return SegmentOptions(limits.max_clips, limits.min_seconds, limits.max_seconds)


@asset(
    partitions_def=lectures,
    group_name="lecture",
    kinds={"python"},
    io_manager_key=IO_MANAGER_KEY,
)
def content_scores(
    context: AssetExecutionContext,
    transcript: Transcript,
    silence_map: SpeechMap,
    screen_layout: ScreenLayout,
    slides: SlideDeck,
    job_store: JobStoreResource,
    progress: ProgressResource,
    scorer: ScorerResource,
) -> Output[ContentScores]:
    """Chapters with titles and how much each sentence and window is worth a clip."""
    with run_stage(context, job_store, progress, "content_scores") as stage:
        model = scorer.build()
        scores = score_content(transcript, silence_map, screen_layout, model)
        # slide titles name chapters; a configured model's titles stand where no slide does
        keep = not isinstance(model, LocalScorer)
        scores = retitle_scores(scores, slides.slides, keep_spoken=keep)
    top = sorted(scores.candidates, key=lambda c: -c.score)[:5]
    return Output(
        scores,
        metadata={
            "method": MetadataValue.text(scores.method),
            "sentences": MetadataValue.int(len(scores.sentences)),
            "chapters": MetadataValue.md(chapters_text(scores.chapters) or "_(none)_"),
            "candidates": MetadataValue.int(len(scores.candidates)),
            "top_candidates": MetadataValue.md(
                "\n".join(f"- {c.score:.2f} {c.start:.0f}-{c.end:.0f}s {c.title}" for c in top)
                or "_(none)_"
            ),
            **duration_meta(stage, transcript.duration_s),
        },
    )


@asset(
    partitions_def=lectures,
    group_name="lecture",
    kinds={"python"},
    io_manager_key=IO_MANAGER_KEY,
)
def highlight_segments(
    context: AssetExecutionContext,
    content_scores: ContentScores,
    transcript: Transcript,
    silence_map: SpeechMap,
    source_video: SourceInfo,
    job_store: JobStoreResource,
    progress: ProgressResource,
    media: MediaResource,
) -> Output[HighlightPlan]:
    """The chosen clips: sentence-aligned ranges with dead air trimmed, titles and reasons."""
    with run_stage(context, job_store, progress, "highlight_segments") as stage:
        options = segment_options(stage.job.options, media)
        plan = select_segments(content_scores, transcript, silence_map, options)
    table = "\n".join(
        f"| {s.index} | {s.start:.1f} | {s.end:.1f} | {s.output_duration:.1f} | {s.score:.2f} "
        f"| {s.title} |"
        for s in plan.segments
    )
    return Output(
        plan,
        metadata={
            "clips": MetadataValue.int(len(plan.segments)),
            "options": MetadataValue.json(
                {
                    "max_clips": options.max_clips,
                    "min_s": options.min_seconds,
                    "max_s": options.max_seconds,
                }
            ),
            "note": MetadataValue.text(plan.note or ""),
            "segments": MetadataValue.md(
                "| # | start | end | length | score | title |\n|---|---|---|---|---|---|\n" + table
            ),
            **duration_meta(stage, source_video.duration_s),
        },
    )
