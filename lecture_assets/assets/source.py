"""`source_video`: fetch the upload, probe and validate it, decode its audio once for everyone."""

from dagster import AssetExecutionContext, MetadataValue, Output, asset

from lecture_assets import keys
from lecture_assets.analysis.media.audio import extract_audio
from lecture_assets.analysis.media.ffmpeg import probe
from lecture_assets.analysis.models import SourceInfo
from lecture_assets.assets.common import StageError, duration_meta, run_stage
from lecture_assets.io_manager import IO_MANAGER_KEY
from lecture_assets.partitions import lectures
from resources.jobs.store import JobStoreResource
from resources.lifecycle import INTERMEDIATE_TAG
from resources.media import MediaResource
from resources.progress import ProgressResource
from resources.storage import StorageResource
from resources.workdir import WorkdirResource

AUDIO_NAME = "audio.wav"


def validate_source(info: SourceInfo, media: MediaResource) -> None:
    """Refuse sources the pipeline cannot turn into clips, saying what to upload instead."""
    if not info.has_video:
        raise StageError(
            "NO_VIDEO",
            "The file has no video stream (audio only?). Upload the lecture recording with "
            "its picture: clips show the slides and the speaker.",
        )
    if not info.has_audio:
        raise StageError(
            "NO_AUDIO",
            "The video has no audio track, so there is nothing to transcribe or cut on. "
            "Upload a recording that includes the lecturer's sound.",
        )
    if info.duration_s < media.min_duration_s:
        raise StageError(
            "TOO_SHORT",
            f"The video lasts {info.duration_s:.1f} s; highlights need at least "
            f"{media.min_duration_s:.0f} s of lecture. Upload the full recording.",
        )
    if info.duration_s > media.max_duration_s:
        raise StageError(
            "TOO_LONG",
            f"The video lasts {info.duration_s / 3600:.1f} h, over the "
            f"{media.max_duration_s / 3600:.1f} h limit. Split it into parts and upload each.",
        )


def check_unchanged(storage: StorageResource, key: str, accepted_etag: str | None) -> None:
    """Refuse an upload replaced after the sensor checked it (it was never validated)."""
    found = storage.head(key)
    if found is None:
        raise StageError(
            "UPLOAD_MISSING",
            "The uploaded file is no longer in storage (deleted or expired). Create a new "
            "upload with the video.",
        )
    if accepted_etag is not None and found.etag != accepted_etag:
        raise StageError(
            "UPLOAD_CHANGED",
            "The file was replaced after it was checked, so it is not processed. Create a new "
            "upload for the new file.",
        )


@asset(
    partitions_def=lectures, group_name="lecture", kinds={"video"}, io_manager_key=IO_MANAGER_KEY
)
def source_video(
    context: AssetExecutionContext,
    storage: StorageResource,
    job_store: JobStoreResource,
    workdir: WorkdirResource,
    media: MediaResource,
    progress: ProgressResource,
) -> Output[SourceInfo]:
    """The uploaded lecture, probed and validated, with its audio decoded to 16 kHz mono."""
    job_id = context.partition_key
    with run_stage(context, job_store, progress, "source_video") as stage:
        check_unchanged(storage, stage.job.source_key, stage.job.source_etag)
        video = workdir.fetch(storage, job_id, stage.job.source_key)
        info = probe(video)
        validate_source(info, media)
        stage.report(0.1, "decoding audio")
        wav = workdir.job_dir(job_id) / "cache" / AUDIO_NAME
        extract_audio(
            video,
            wav,
            timeout_s=media.ffmpeg_timeout_s,
            duration_s=info.duration_s,
            on_progress=lambda f: stage.report(0.1 + 0.8 * f, "decoding audio"),
        )
        storage.put_file(keys.audio(job_id), wav, "audio/wav", tags=INTERMEDIATE_TAG)
    return Output(
        info,
        metadata={
            "duration_s": MetadataValue.float(round(info.duration_s, 2)),
            "resolution": MetadataValue.text(f"{info.width}x{info.height}"),
            "fps": MetadataValue.float(info.fps),
            "codecs": MetadataValue.text(f"{info.video_codec} / {info.audio_codec}"),
            "size_mb": MetadataValue.float(round(info.size_bytes / 1e6, 2)),
            **duration_meta(stage, info.duration_s),
        },
    )
