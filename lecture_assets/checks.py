"""Asset checks on what a user would notice: clip limits and overlaps, captions, times, regions."""

import warnings
from collections.abc import Sequence
from itertools import pairwise
from typing import Any, TypeVar

import pysubs2
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from lecture_assets import keys
from lecture_assets.analysis.models import (
    HighlightPlan,
    Rect,
    ScreenLayout,
    Transcript,
    from_jsonable,
)
from lecture_assets.assets.audio import transcript
from lecture_assets.assets.clips import highlight_clips
from lecture_assets.assets.content import highlight_segments
from lecture_assets.assets.layout import screen_layout
from lecture_assets.partitions import lectures
from resources.jobs import ClipLimits, OptionError
from resources.jobs.store import JobStoreResource
from resources.media import MediaResource
from resources.storage import StorageError, StorageResource

T = TypeVar("T")
# artifacts keep times to the millisecond; a rendered clip may differ from its plan by 0.1 s
TIME_TOLERANCE_S = 0.002
LENGTH_TOLERANCE_S = 0.05
CAPTION_TOLERANCE_S = 0.1
SHOWN = 8  # problems spelled out in a check's description (all are in its metadata)

# a check result per lecture (partition) is a preview feature of dagster 1.13 and exactly what
# these checks need: its warning is silenced for that one message, nowhere else
warnings.filterwarnings(
    "ignore", "Specifying a partitions_def on an AssetCheckSpec", category=PreviewWarning
)


class Unreadable(Exception):
    """An artifact a check needs is missing or not what its asset writes."""


def _clock(t: float) -> str:
    minutes, seconds = divmod(max(0.0, t), 60.0)
    return f"{int(minutes)}:{seconds:04.1f}"


def _read(storage: StorageResource, job_id: str, asset: str, cls: type[T]) -> T:
    # the key the IO manager stores the asset's output under; read here without it so a
    # missing or garbled artifact is a failed check, not a failed step (and run)
    key = keys.output(job_id, asset)
    try:
        return from_jsonable(cls, storage.get_json(key))
    except StorageError as exc:
        raise Unreadable(f"{key} is missing; reprocess the job from {asset}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise Unreadable(
            f"{key} does not hold a {cls.__name__} ({exc}); reprocess the job from {asset}"
        ) from exc


def clip_limit_problems(plan: HighlightPlan, limits: ClipLimits) -> list[str]:
    """Clips beyond the job's count, or whose kept length is outside its length range."""
    problems = []
    if len(plan.segments) > limits.max_clips:
        problems.append(f"{len(plan.segments)} clips, more than the job's {limits.max_clips}")
    lo, hi = limits.min_seconds - LENGTH_TOLERANCE_S, limits.max_seconds + LENGTH_TOLERANCE_S
    for s in plan.segments:
        length = sum(k.end - k.start for k in s.keep)
        if not lo <= length <= hi:
            problems.append(
                f"clip {s.index} ({_clock(s.start)}-{_clock(s.end)}) lasts {length:.1f} s, "
                f"outside the job's {limits.min_seconds:g}-{limits.max_seconds:g} s"
            )
    return problems


def overlap_problems(plan: HighlightPlan) -> list[str]:
    """Clips that run backwards or share a stretch of the lecture with another clip."""
    problems = [
        f"clip {s.index} ends ({_clock(s.end)}) before it starts ({_clock(s.start)})"
        for s in plan.segments
        if s.end < s.start
    ]
    for a, b in pairwise(sorted(plan.segments, key=lambda s: s.start)):
        if b.start < a.end - TIME_TOLERANCE_S:
            problems.append(
                f"clip {b.index} ({_clock(b.start)}-{_clock(b.end)}) overlaps clip {a.index} "
                f"({_clock(a.start)}-{_clock(a.end)}) by {a.end - b.start:.1f} s"
            )
    return problems


def caption_problems(index: int, duration_s: float, srt: str) -> list[str]:
    """Captions of one clip (its SRT text) that start before it or end after it."""
    try:
        subs = pysubs2.SSAFile.from_string(srt, format_="srt")
    except Exception as exc:  # pysubs2 raises several unrelated types on malformed input
        return [f"clip {index}: its SRT file does not parse ({exc})"]
    problems = []
    for number, event in enumerate((e for e in subs if not e.is_comment), start=1):
        start, end = event.start / 1000.0, event.end / 1000.0
        if start < 0 or end < start or end > duration_s + CAPTION_TOLERANCE_S:
            problems.append(
                f"clip {index}: caption {number} ({start:.2f}-{end:.2f} s, "
                f"{event.plaintext[:40]!r}) is not inside the clip's {duration_s:.2f} s"
            )
    return problems


def transcript_problems(text: Transcript) -> list[str]:
    """Segments or words whose times go backwards, and words outside their segment."""
    problems = []
    tol = TIME_TOLERANCE_S
    for i, seg in enumerate(text.segments):
        where = f"segment {i} ({_clock(seg.start)}, {seg.text.strip()[:30]!r})"
        if seg.end < seg.start - tol:
            problems.append(f"{where} ends before it starts ({seg.end:.3f} s)")
        if i and seg.start < text.segments[i - 1].end - tol:
            previous = text.segments[i - 1]
            problems.append(f"{where} starts before segment {i - 1} ends ({previous.end:.3f} s)")
        cursor = seg.start
        for w in seg.words:
            if w.start < cursor - tol or w.end < w.start - tol or w.end > seg.end + tol:
                problems.append(
                    f"{where}: word {w.word.strip()!r} ({w.start:.3f}-{w.end:.3f} s) goes "
                    "backwards or leaves its segment"
                )
            cursor = max(cursor, w.end)
    return problems


def region_problems(layout: ScreenLayout) -> list[str]:
    """Screen and camera regions (overall and per period) not inside the source frame."""
    regions: list[tuple[str, Rect | None]] = [("screen", layout.screen), ("camera", layout.camera)]
    for i, p in enumerate(layout.periods):
        span = f"period {i} ({_clock(p.start)}-{_clock(p.end)})"
        regions += [(f"{span} screen", p.screen), (f"{span} camera", p.camera)]
    problems = []
    for label, r in regions:
        if r is None:
            continue
        inside = r.x >= 0 and r.y >= 0 and r.width > 0 and r.height > 0
        if not inside or r.x + r.width > layout.width or r.y + r.height > layout.height:
            problems.append(
                f"{label} region at ({r.x}, {r.y}) size {r.width}x{r.height} is not inside "
                f"the {layout.width}x{layout.height} frame"
            )
    return problems


def _outcome(problems: Sequence[str], fix: str, **counts: int) -> AssetCheckResult:
    metadata: dict[str, Any] = {k: MetadataValue.int(v) for k, v in counts.items()}
    metadata["problems"] = MetadataValue.md("\n".join(f"- {p}" for p in problems) or "_(none)_")
    description = None
    if problems:
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        description = "; ".join(problems[:SHOWN]) + f"{more}. {fix}"
    return AssetCheckResult(
        passed=not problems,
        severity=AssetCheckSeverity.ERROR,
        description=description,
        metadata=metadata,
    )


@asset_check(
    asset=transcript,
    partitions_def=lectures,
    description="Segment and word times only move forward; every word lies inside its segment.",
)
def transcript_times_increase(
    context: AssetCheckExecutionContext, storage: StorageResource
) -> AssetCheckResult:
    fix = "Reprocess the job from transcript; if it recurs, report the lecture."
    try:
        text = _read(storage, context.partition_key, "transcript", Transcript)
    except Unreadable as exc:
        return _outcome([str(exc)], fix)
    return _outcome(transcript_problems(text), fix, segments=len(text.segments))


@asset_check(
    asset=screen_layout,
    partitions_def=lectures,
    description="The screen and camera regions (overall and per period) lie inside the frame.",
)
def layout_regions_inside_frame(
    context: AssetCheckExecutionContext, storage: StorageResource
) -> AssetCheckResult:
    fix = "Reprocess the job from screen_layout, or pick a fixed layout option for it."
    try:
        layout = _read(storage, context.partition_key, "screen_layout", ScreenLayout)
    except Unreadable as exc:
        return _outcome([str(exc)], fix)
    return _outcome(region_problems(layout), fix, periods=len(layout.periods))


def _plan(storage: StorageResource, job_id: str) -> HighlightPlan:
    return _read(storage, job_id, "highlight_segments", HighlightPlan)


@asset_check(
    asset=highlight_segments,
    partitions_def=lectures,
    description="No more clips than the job asked for, each as long as its length options.",
)
def clips_within_job_options(
    context: AssetCheckExecutionContext,
    storage: StorageResource,
    job_store: JobStoreResource,
    media: MediaResource,
) -> AssetCheckResult:
    fix = "Reprocess the job from highlight_segments."
    job = job_store.get(context.partition_key)
    if job is None:
        return _outcome([f"job {context.partition_key} is not in the job store"], fix)
    defaults = ClipLimits(media.max_clips, media.min_clip_seconds, media.max_clip_seconds)
    try:
        limits = job.options.clip_limits(defaults)
        plan = _plan(storage, job.id)
    except OptionError as exc:
        return _outcome([exc.message], "Reprocess the job with clip lengths that agree.")
    except Unreadable as exc:
        return _outcome([str(exc)], fix)
    return _outcome(clip_limit_problems(plan, limits), fix, clips=len(plan.segments))


@asset_check(
    asset=highlight_segments,
    partitions_def=lectures,
    description="No two clips share a stretch of the lecture.",
)
def clips_do_not_overlap(
    context: AssetCheckExecutionContext, storage: StorageResource
) -> AssetCheckResult:
    fix = "Reprocess the job from highlight_segments."
    try:
        plan = _plan(storage, context.partition_key)
    except Unreadable as exc:
        return _outcome([str(exc)], fix)
    return _outcome(overlap_problems(plan), fix, clips=len(plan.segments))


@asset_check(
    asset=highlight_clips,
    partitions_def=lectures,
    description="Every caption of every clip starts and ends inside the clip.",
)
def captions_inside_clips(
    context: AssetCheckExecutionContext, storage: StorageResource
) -> AssetCheckResult:
    job_id = context.partition_key
    fix = "Re-render the clips (reprocess from highlight_clips)."
    try:
        manifest = storage.get_json(keys.manifest(job_id))
        clips = [
            (int(c["index"]), float(c["duration_s"]), str(c["srt"])) for c in manifest["clips"]
        ]
    except (StorageError, KeyError, TypeError, ValueError) as exc:
        return _outcome([f"the job's manifest is missing or unreadable ({exc})"], fix)
    problems = []
    for index, duration_s, srt in clips:
        try:
            text = storage.get_bytes(keys.job_prefix(job_id) + srt).decode("utf-8")
        except (StorageError, UnicodeDecodeError) as exc:
            problems.append(f"clip {index}: its captions ({srt}) cannot be read ({exc})")
            continue
        problems += caption_problems(index, duration_s, text)
    return _outcome(problems, fix, clips=len(clips))


CHECKS: list[AssetChecksDefinition] = [
    transcript_times_increase,
    layout_regions_inside_frame,
    clips_within_job_options,
    clips_do_not_overlap,
    captions_inside_clips,
]
