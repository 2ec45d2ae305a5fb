"""Resources chosen by settings, in one dictionary (embedded default or production)."""

from __future__ import annotations

import os
from typing import Any

from dagster import EnvVar
from pydantic import SecretStr

from lecture_assets.agent_resources import ScorerResource, TranscriberResource
from lecture_assets.io_manager import IO_MANAGER_KEY, artifact_io_manager
from resources.jobs.store import JobStoreResource
from resources.limits import LimitsResource
from resources.media import MediaResource
from resources.progress import ProgressResource
from resources.settings import Settings
from resources.storage.settings import s3_storage
from resources.workdir import WorkdirResource


def secret(settings: Settings, field: str, env_secrets: bool = True) -> str:
    """The setting `field` for a Dagster resource: `EnvVar("LECTURE_<FIELD>")` when the
    environment holds its value, so Dagster reads it at run time and its UI shows only the
    variable's name; else the value itself (a development default or a `.env` entry)."""
    raw = getattr(settings, field)
    value = raw.get_secret_value() if isinstance(raw, SecretStr) else str(raw or "")
    name = f"{settings.model_config.get('env_prefix', '')}{field}".upper()
    if env_secrets and value and os.environ.get(name) == value:
        return EnvVar(name)
    return value


def build_resources(settings: Settings, env_secrets: bool = True) -> dict[str, Any]:
    """Every resource the assets and sensors use, configured from `settings`.

    API keys, the S3 secret and the job store's URL (it holds a password) are `EnvVar`s, which
    only Dagster resolves; `env_secrets=False` gives plain values for using a resource outside
    Dagster (the CLI's chapters command builds its scorer directly).
    """

    def hidden(field: str) -> str:
        return secret(settings, field, env_secrets)

    job_store_url = hidden("job_store_url") or settings.resolved_job_store_url
    return {
        "storage": s3_storage(settings, hidden("s3_secret_access_key")),
        "job_store": JobStoreResource(url=job_store_url),
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
            beam_size=settings.whisper_beam_size,
            slide_hints=settings.transcript_slide_hints,
            relisten=settings.transcript_relisten,
            openai_api_key=hidden("openai_api_key"),
            openai_base_url=settings.openai_base_url,
        ),
        "scorer": ScorerResource(
            kind=settings.scorer,
            embedding_model=settings.embedding_model,
            gemini_api_key=hidden("gemini_api_key"),
            gemini_model=settings.gemini_model,
            gemini_base_url=settings.gemini_base_url,
        ),
    }
