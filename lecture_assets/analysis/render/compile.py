"""Render planned clips: run each clip's ffmpeg command, check the result, move it into place."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lecture_assets.analysis.media.cpu import usable_cores
from lecture_assets.analysis.media.ffmpeg import MediaError, probe, run_ffmpeg
from lecture_assets.analysis.render import graph as cg
from lecture_assets.analysis.render.plan import ClipPlan, temp_path, thumbnail_path

log = logging.getLogger(__name__)

ClipProgress = Callable[[int, float], None]


@dataclass(frozen=True)
class RenderedClip:
    """A finished clip on disk and what ffprobe-style probing measured."""

    index: int
    video_path: Path
    thumbnail_path: Path
    duration_s: float
    expected_duration_s: float
    layout: cg.RenderLayout
    width: int
    height: int


def render_clip(
    plan: ClipPlan, *, timeout_s: float, on_progress: Callable[[float], None] | None = None
) -> RenderedClip:
    """Run the planned ffmpeg command, then atomically move the clip into place.

    Writes the clip to a hidden temp name and renames it, so a reader never sees a half
    file; makes a JPEG thumbnail; raises MediaError if the result is off-plan.
    """
    plan.out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(plan.out_path)
    thumb = thumbnail_path(plan.out_path)
    thumb_tmp = temp_path(thumb)
    try:
        try:
            run_ffmpeg(
                plan.args,
                timeout_s=timeout_s,
                expected_duration_s=plan.expected_duration_s,
                on_progress=on_progress,
            )
        except MediaError as exc:
            raise _ours_unless_the_source(exc, plan) from exc
        info = probe(tmp)
        if abs(info.duration_s - plan.expected_duration_s) > 0.1 or not info.has_audio:
            raise MediaError(
                "CLIP_OFF_PLAN",
                f"Clip {plan.index} came out {info.duration_s:.2f} s long (planned "
                f"{plan.expected_duration_s:.2f} s, audio={info.has_audio}); re-run the "
                "render, and report the source if it happens again.",
            )
        if not thumb_tmp.exists() or thumb_tmp.stat().st_size == 0:
            raise MediaError(
                "NO_THUMBNAIL",
                f"Clip {plan.index} rendered without its thumbnail frame "
                f"({plan.thumbnail_at_s:.2f} s); re-run the render, and report the source if "
                "it happens again.",
            )
        os.replace(thumb_tmp, thumb)
        os.replace(tmp, plan.out_path)
    finally:
        tmp.unlink(missing_ok=True)
        thumb_tmp.unlink(missing_ok=True)
    if on_progress is not None:
        on_progress(1.0)
    return RenderedClip(
        index=plan.index,
        video_path=plan.out_path,
        thumbnail_path=thumb,
        duration_s=info.duration_s,
        expected_duration_s=plan.expected_duration_s,
        layout=plan.layout,
        width=info.width,
        height=info.height,
    )


# what ffmpeg logs when the input itself cannot be read; anything else failing in a render
# (whose input every earlier stage decoded already) is a fault of our own filter graph
_SOURCE_TROUBLE = (
    "Invalid data found",
    "error while decoding",
    "corrupt",
    "moov atom not found",
    "No such file or directory",
    "Permission denied",
    "End of file",
)


def _ours_unless_the_source(exc: MediaError, plan: ClipPlan) -> MediaError:
    """A failed render reported as RENDER_FAILED (ours) unless ffmpeg blamed the source."""
    if exc.code != "FFMPEG_FAILED" or any(m in exc.log for m in _SOURCE_TROUBLE):
        return exc
    log.error(
        "render of clip %d failed; graph: %s; log: %s", plan.index, plan.filter_graph, exc.log
    )
    return MediaError(
        "RENDER_FAILED",
        f"Rendering clip {plan.index} failed inside our own processing, not because of your "
        "upload: there is no need to re-encode or upload the file again. Retry the render "
        "(reprocess from highlight_clips), or try another caption style or layout for this "
        f"clip; if it keeps failing, send the operator this log: {exc.log.strip()[-600:]}",
        log=exc.log,
    )


def default_workers(n_clips: int, threads_per_clip: int) -> int:
    """Clips to render at once: the CPU budget divided by threads per clip (at least 1)."""
    return max(1, min(n_clips, usable_cores() // max(1, threads_per_clip)))


def render_clips(
    plans: Sequence[ClipPlan],
    *,
    workers: int | None = None,
    timeout_s: float,
    on_progress: ClipProgress | None = None,
) -> list[RenderedClip]:
    """Render clips in parallel within the CPU budget; results keep the order of `plans`."""
    if not plans:
        return []
    n = workers or default_workers(len(plans), _threads_of(plans[0]))

    def one(plan: ClipPlan) -> RenderedClip:
        def report(frac: float) -> None:
            if on_progress is not None:
                on_progress(plan.index, frac)

        log.info(
            "rendering clip %d (%.1f s, %s)", plan.index, plan.expected_duration_s, plan.layout
        )
        return render_clip(plan, timeout_s=timeout_s, on_progress=report)

    with ThreadPoolExecutor(max_workers=max(1, n)) as pool:
        return list(pool.map(one, plans))


def _threads_of(plan: ClipPlan) -> int:
    try:
        return int(plan.args[plan.args.index("-threads") + 1])
    except (ValueError, IndexError):
        return 1
