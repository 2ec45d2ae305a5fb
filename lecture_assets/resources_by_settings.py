"""Resources chosen by settings, in one dictionary (embedded default or production)."""

from __future__ import annotations

from typing import Any

from lecture_assets.io_manager import IO_MANAGER_KEY, artifact_io_manager
from resources.ai import ScorerResource, TranscriberResource
from resources.job_store import JobStoreResource
from resources.limits import LimitsResource
from resources.media import MediaResource
from resources.progress import ProgressResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from resources.workdir import WorkdirResource


def build_resources(settings: Settings) -> dict[str, Any]:
    """Every resource the assets and sensors use, configured from `settings`."""
    return {
        "storage": s3_storage(settings),
        "job_store": JobStoreResource(url=settings.resolved_job_store_url),
        "workdir": WorkdirResource(root=str(settings.work_dir)),
        "media": MediaResource(
            ffmpeg_timeout_s=settings.ffmpeg_timeout_s,
            min_duration_s=settings.min_duration_s,
            max_duration_s=settings.max_duration_s,
            render_workers=settings.render_workers,
            render_preset=settings.render_preset,
            render_camera_fps=settings.render_camera_fps,
            max_clips=settings.max_clips,
            min_clip_seconds=settings.min_clip_seconds,
            max_clip_seconds=settings.max_clip_seconds,
        ),
        "limits": LimitsResource(
            max_upload_bytes=settings.max_upload_bytes,
            presign_expiry_s=settings.presign_expiry_s,
        ),
        "progress": ProgressResource(),
        # stage outputs, on whichever `storage` the run is given
        IO_MANAGER_KEY: artifact_io_manager,
        "transcriber": TranscriberResource(
            kind=settings.transcriber,
            model=settings.whisper_model,
            allow_download=settings.whisper_allow_download,
            slide_hints=settings.transcript_slide_hints,
            openai_api_key=settings.openai_api_key.get_secret_value(),
            openai_base_url=settings.openai_base_url,
        ),
        "scorer": ScorerResource(
            kind=settings.scorer,
            embedding_model=settings.embedding_model,
            gemini_api_key=settings.gemini_api_key.get_secret_value(),
            gemini_model=settings.gemini_model,
            gemini_base_url=settings.gemini_base_url,
        ),
    }


def s3_storage(settings: Settings) -> S3StorageResource:
    """The S3 storage resource for these settings."""
    return S3StorageResource(
        bucket=settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        public_endpoint_url=settings.s3_public_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key.get_secret_value(),
        max_attempts=settings.s3_max_attempts,
    )
