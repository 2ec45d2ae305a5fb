"""Secrets reach Dagster resources as EnvVar: resolved inside runs, never shown as values."""

from __future__ import annotations

import pytest
from dagster import EnvVar, asset, materialize

from lecture_assets.resources_by_settings import build_resources
from resources.settings import get_settings
from resources.storage import S3StorageResource

SECRETS = {
    "LECTURE_S3_SECRET_ACCESS_KEY": "s3-key-6c1e",
    "LECTURE_OPENAI_API_KEY": "sk-test-91ab",
    "LECTURE_GEMINI_API_KEY": "gm-test-77f0",
    "LECTURE_JOB_STORE_URL": "postgresql+psycopg2://lecture:pw-4d2a@db/lecture",
}


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("secret_env")
def test_secrets_from_the_environment_are_env_vars_not_values() -> None:
    resources = build_resources(get_settings())
    configured = {
        "LECTURE_S3_SECRET_ACCESS_KEY": resources["storage"].secret_access_key,
        "LECTURE_OPENAI_API_KEY": resources["transcriber"].openai_api_key,
        "LECTURE_GEMINI_API_KEY": resources["scorer"].gemini_api_key,
        "LECTURE_JOB_STORE_URL": resources["job_store"].url,
    }
    for name, value in configured.items():
        assert isinstance(value, EnvVar) and value.env_var_name == name, name
    shown = repr(resources)
    assert not [v for v in SECRETS.values() if v in shown]


@pytest.mark.usefixtures("secret_env")
def test_a_run_still_gets_the_secret_itself() -> None:
    seen: list[str | None] = []

    @asset
    def reads_the_key(storage: S3StorageResource) -> None:
        seen.append(storage.secret_access_key)

    resources = build_resources(get_settings())
    assert materialize([reads_the_key], resources={"storage": resources["storage"]}).success
    assert seen == ["s3-key-6c1e"]


@pytest.mark.usefixtures("secret_env")
def test_outside_dagster_the_values_are_plain() -> None:
    # the CLI's chapters command builds its scorer directly, where an EnvVar cannot resolve
    resources = build_resources(get_settings(), env_secrets=False)
    assert resources["scorer"].gemini_api_key == "gm-test-77f0"
    assert not isinstance(resources["scorer"].gemini_api_key, EnvVar)


def test_a_development_default_is_kept_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    # not in the environment (a default or a .env entry): Dagster could not resolve an EnvVar
    monkeypatch.delenv("LECTURE_S3_SECRET_ACCESS_KEY", raising=False)
    storage = build_resources(get_settings(s3_secret_access_key="from-dotenv"))["storage"]
    assert storage.secret_access_key == "from-dotenv"
    assert not isinstance(storage.secret_access_key, EnvVar)


def test_the_local_transcriber_searches_with_the_configured_beam(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lecture_assets.analysis.transcript.transcribe import FasterWhisperTranscriber

    monkeypatch.delenv("LECTURE_WHISPER_BEAM_SIZE", raising=False)
    default = build_resources(get_settings(), env_secrets=False)["transcriber"].build()
    assert isinstance(default, FasterWhisperTranscriber) and default.beam_size == 5
    monkeypatch.setenv("LECTURE_WHISPER_BEAM_SIZE", "1")
    greedy = build_resources(get_settings(), env_secrets=False)["transcriber"].build()
    assert isinstance(greedy, FasterWhisperTranscriber) and greedy.beam_size == 1
