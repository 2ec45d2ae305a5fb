"""`highlight_clips`: render every chosen segment, upload it with captions, write the manifest."""

from dataclasses import replace
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from lecture_assets import keys
from lecture_assets.analysis.content.exports import write_chapter_files
from lecture_assets.analysis.media.loudness import integrated_loudness, normalising_gain_db
from lecture_assets.analysis.models import (
    HighlightPlan,
    ScreenLayout,
    SourceInfo,
    SpeechMap,
    Transcript,
)
from lecture_assets.analysis.render.captions import (
    CaptionStyle,
    build_cues,
    write_ass,
    write_srt,
    write_vtt,
)
from lecture_assets.analysis.render.clip_edits import fixed_cues, reconcile
from lecture_assets.analysis.render.compile import render_clips
from lecture_assets.analysis.render.edl import write_edl, write_fcpxml
from lecture_assets.analysis.render.graph import LayoutPreference
from lecture_assets.analysis.render.plan import RenderOptions, plan_clip
from lecture_assets.analysis.slides.read import SlideDeck
from lecture_assets.assets.common import duration_meta, run_stage
from lecture_assets.clip_edit_store import CLIPS_TAG, load_edits, parse_clips_tag, save_edits
from lecture_assets.manifest import ClipFiles, build_manifest
from lecture_assets.partitions import lectures
from lecture_assets.scale_out import queue_tags
from resources.jobs import JobOptions, JobStatus
from resources.jobs.store import JobStoreResource
from resources.media import MediaResource
from resources.progress import ProgressResource
from resources.storage import StorageError, StorageResource
from resources.workdir import WorkdirResource

CLIP_FILES = {"video": "clip.mp4", "srt": "clip.srt", "vtt": "clip.vtt", "thumbnail": "thumb.jpg"}


@asset(
    partitions_def=lectures,
    group_name="lecture",
    kinds={"video"},
    op_tags=queue_tags("highlight_clips"),
)
def highlight_clips(
    context: AssetExecutionContext,
    highlight_segments: HighlightPlan,
    screen_layout: ScreenLayout,
    slides: SlideDeck,
    transcript: Transcript,
    silence_map: SpeechMap,
    source_video: SourceInfo,
    storage: StorageResource,
    job_store: JobStoreResource,
    workdir: WorkdirResource,
    media: MediaResource,
    progress: ProgressResource,
) -> MaterializeResult:
    """9:16 split-screen clips with burned subtitles, SRT/VTT, thumbnails, EDL and manifest."""
    job_id = context.partition_key
    with run_stage(context, job_store, progress, "highlight_clips") as stage:
        info, speech, text = source_video, silence_map, transcript
        layout, deck, plan = screen_layout, slides, highlight_segments
        video = workdir.fetch(storage, job_id, stage.job.source_key)
        out_dir = workdir.scratch(job_id, "clips")
        style = CaptionStyle(karaoke=stage.job.options.caption_style == "karaoke")
        wav = workdir.fetch(storage, job_id, keys.audio(job_id))
        gain = normalising_gain_db(integrated_loudness(wav, timeout_s=media.ffmpeg_timeout_s))
        workers, threads = media.render_budget(len(plan.segments))
        options = RenderOptions(
            threads=threads,
            preset=media.render_preset,
            camera_fps=media.render_camera_fps,
            layout=_layout(stage.job.options),
            gain_db=gain,
        )

        # reviewers' edits apply to the clips whose cut they were made on; a re-render for
        # some clips (run tag) keeps the others' files and manifest entries as they are
        segments, edits, replaced = reconcile(plan.segments, load_edits(storage, job_id))
        previous = _previous_clips(storage, job_id)
        only = parse_clips_tag(context.run.tags.get(CLIPS_TAG)) if previous else None
        todo = [s for s in segments if only is None or s.index in only or s.index not in previous]
        plans = []
        for segment in todo:
            edit = edits.get(segment.index)
            look = (edit.caption_style if edit else None) or stage.job.options.caption_style
            clip_style = replace(style, karaoke=look == "karaoke")
            clip_dir = out_dir / str(segment.index)
            clip_dir.mkdir()
            cues = build_cues(text, segment, clip_style)
            if edit and edit.status == "applied" and edit.captions:
                cues = fixed_cues(cues, edit.captions, segment.keep, clip_style)
            write_srt(cues, clip_dir / CLIP_FILES["srt"])
            write_vtt(cues, clip_dir / CLIP_FILES["vtt"])
            ass = write_ass(cues, clip_dir / "clip.ass", clip_style) if look != "none" else None
            clip_options = options
            if edit and edit.status == "applied" and edit.layout:
                clip_options = replace(
                    options, layout=_layout(JobOptions.parse(layout=edit.layout))
                )
            plans.append(
                plan_clip(
                    video, info, layout, segment, ass, clip_dir / CLIP_FILES["video"], clip_options
                )
            )
        done: dict[int, float] = {}

        def on_clip(index: int, fraction: float) -> None:
            done[index] = fraction
            overall = sum(done.values()) / max(1, len(plans))
            stage.report(0.95 * overall, f"rendering clips: {overall * 100:.0f}%")

        rendered = render_clips(
            plans, workers=workers, timeout_s=media.ffmpeg_timeout_s, on_progress=on_clip
        )

        uploaded: set[str] = set()
        files: list[ClipFiles] = []
        for segment, result in zip(todo, rendered, strict=True):
            clip_dir = out_dir / str(segment.index)
            local = {
                "video": result.video_path,
                "srt": clip_dir / CLIP_FILES["srt"],
                "vtt": clip_dir / CLIP_FILES["vtt"],
                "thumbnail": result.thumbnail_path,
            }
            for kind, path in local.items():
                key = keys.clip(job_id, segment.index, CLIP_FILES[kind])
                storage.put_file(key, Path(path), _content_type(CLIP_FILES[kind]))
                uploaded.add(key)
            files.append(_clip_files(segment.index, result.duration_s))
        for segment in segments:
            kept = previous.get(segment.index)
            if segment not in todo and kept is not None:
                files.append(_clip_files(segment.index, float(kept["duration_s"])))
                uploaded.update(keys.clip(job_id, segment.index, n) for n in CLIP_FILES.values())
        plan = replace(plan, segments=segments)
        source_name = Path(stage.job.filename).name
        edl = write_edl(plan.segments, source_name, info.fps, out_dir / "edit.edl")
        fcpxml = write_fcpxml(
            plan.segments,
            source_name,
            info.fps,
            info.duration_s,
            info.width,
            info.height,
            out_dir / "edit.fcpxml",
        )
        vtt, txt = write_chapter_files(plan.chapters, info.duration_s, out_dir)
        exports = ((edl, "text/plain"), (fcpxml, "application/xml"), (vtt, "text/vtt"),
                   (txt, "text/plain; charset=utf-8"))  # fmt: skip
        for path, kind in exports:
            key = keys.clips_prefix(job_id) + path.name
            storage.put_file(key, path, kind)
            uploaded.add(key)
        removed = storage.delete_prefix(keys.clips_prefix(job_id), keep=uploaded)

        manifest = build_manifest(
            job_id, info, speech, text, layout, plan, files, edl="clips/edit.edl", slides=deck
        )
        rendered_now = {s.index for s in todo}
        for clip in manifest["clips"]:
            old = previous.get(clip["index"], {})
            bump = clip["index"] in rendered_now
            clip["version"] = int(old.get("version", 0)) + 1 if bump else old.get("version", 1)
            clip["edited"] = (e := edits.get(clip["index"])) is not None and e.status == "applied"
        storage.put_json(keys.manifest(job_id), manifest)
        save_edits(storage, job_id, edits)
        job_store.update(job_id, manifest_key=keys.manifest(job_id))
        workdir.cleanup(job_id)
    job_store.record_progress(
        job_id,
        status=JobStatus.DONE,
        stage="done",
        percent=100.0,
        message=_done_message(len(files), len(todo), plan.note, replaced),
    )
    total = float(sum(f.duration_s for f in files))
    return MaterializeResult(
        metadata={
            "clips": MetadataValue.int(len(files)),
            "clip_seconds": MetadataValue.float(round(total, 2)),
            "orphans_removed": MetadataValue.int(removed),
            "manifest": MetadataValue.text(keys.manifest(job_id)),
            **duration_meta(stage, total),
        }
    )


def _previous_clips(storage: StorageResource, job_id: str) -> dict[int, dict[str, Any]]:
    """The clips of the job's current manifest by index (none before the first render)."""
    try:
        manifest = storage.get_json(keys.manifest(job_id))
    except StorageError:
        return {}
    return {int(c["index"]): c for c in manifest.get("clips", [])}


def _done_message(total: int, rendered: int, note: str | None, replaced: list[int]) -> str:
    """The final job message: clips ready, how many re-rendered, which edits a re-cut replaced."""
    message = f"{total} clips ready"
    if rendered < total:
        message += f" ({rendered} re-rendered)"
    if note:
        message += f" ({note})"
    if replaced:
        names = ", ".join(str(i) for i in replaced)
        message += (
            f"; this re-cut replaced your edits of clip{'s' if len(replaced) > 1 else ''} "
            f"{names} (they are kept in the edit list: apply them again by hand if still wanted)"
        )
    return message


def _layout(options: JobOptions) -> LayoutPreference:
    # mypy holds the contract's Layout values to the renderer's LayoutPreference literals
    return options.layout.value


def _clip_files(index: int, duration_s: float) -> ClipFiles:
    return ClipFiles(
        index=index,
        video=f"clips/{index}/{CLIP_FILES['video']}",
        srt=f"clips/{index}/{CLIP_FILES['srt']}",
        vtt=f"clips/{index}/{CLIP_FILES['vtt']}",
        thumbnail=f"clips/{index}/{CLIP_FILES['thumbnail']}",
        duration_s=duration_s,
    )


def _content_type(name: str) -> str:
    return {
        ".mp4": "video/mp4",
        ".srt": "application/x-subrip",
        ".vtt": "text/vtt",
        ".jpg": "image/jpeg",
    }.get(Path(name).suffix, "application/octet-stream")
