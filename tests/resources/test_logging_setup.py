"""JSON logs: one object per line, with tokens, signatures and passwords redacted."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import MaterializeResult, MetadataValue, asset, instance_for_test, materialize
from pydantic import SecretStr

from resources.logging_setup import HANDLER_NAME, configure_logging, redact
from resources.settings import Settings

PRESIGNED = (
    "http://127.0.0.1:9000/b/uploads/a/j/source.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)


@pytest.fixture
def json_log(tmp_path: object) -> Iterator[io.StringIO]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        api_tokens=SecretStr("alice:s3cr3t-alice-token"),
        openai_api_key=SecretStr("sk-test-openai-key-123"),
    )
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    yield stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_each_line_is_json_with_structured_fields(json_log: io.StringIO) -> None:
    logging.getLogger("lecture_assets.test").info(
        "stage done", extra={"job_id": "j-1", "stage": "transcript", "duration_s": 1.5}
    )
    [line] = _lines(json_log)
    assert line["message"] == "stage done"
    assert line["level"] == "INFO"
    assert line["logger"] == "lecture_assets.test"
    assert (line["job_id"], line["stage"], line["duration_s"]) == ("j-1", "transcript", 1.5)
    assert "time" in line


def test_tokens_signatures_and_secrets_never_reach_the_output(json_log: io.StringIO) -> None:
    log = logging.getLogger("graphql_api.test")
    log.info("upload ticket %s", PRESIGNED)
    log.info("headers %s", {"authorization": "Bearer s3cr3t-alice-token", "host": "api"})
    log.warning("retrying", extra={"url": PRESIGNED, "Authorization": "Bearer s3cr3t-alice-token"})
    log.info("openai key is sk-test-openai-key-123")
    log.info("db postgresql+psycopg2://lecture:hunter2pw@postgres:5432/lecture")
    try:
        raise RuntimeError(f"GET {PRESIGNED} failed")
    except RuntimeError:
        log.exception("storage call failed")
    out = json_log.getvalue()
    assert len(_lines(json_log)) == 6
    for secret in (
        "s3cr3t-alice-token",
        "0123456789abcdef0123456789abcdef",
        "AKIAEXAMPLE",
        "sk-test-openai-key-123",
        "hunter2pw",
    ):
        assert secret not in out
    assert "X-Amz-Signature=[REDACTED]" in out
    # what is not secret stays readable
    assert "X-Amz-Expires=3600" in out
    assert "postgres:5432/lecture" in out


def test_configure_logging_is_idempotent_and_leaves_other_handlers(json_log: io.StringIO) -> None:
    root = logging.getLogger()
    others = [h for h in root.handlers if h.get_name() != HANDLER_NAME]
    configure_logging(Settings(_env_file=None), stream=json_log)  # type: ignore[call-arg]
    assert [h.get_name() for h in root.handlers].count(HANDLER_NAME) == 1
    assert all(h in root.handlers for h in others)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Authorization: Bearer abc.def", "Authorization: [REDACTED]"),
        ('{"authorization": "tok"}', '{"authorization": "[REDACTED]"}'),
        ("token=Bearer xyz", "token=Bearer [REDACTED]"),
        ("?X-Amz-Security-Token=FwoG&x=1", "?X-Amz-Security-Token=[REDACTED]&x=1"),
        ("no secrets here", "no secrets here"),
    ],
)
def test_redact_patterns(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def test_dagster_step_events_with_metadata_log_as_json(tmp_path: Path) -> None:
    # dagster.yaml hands Dagster's own events to this formatter; their metadata values are
    # records that refuse iteration, and json iterates every tuple
    @asset
    def shown_in_the_ui() -> MaterializeResult:
        return MaterializeResult(
            metadata={"preview": MetadataValue.md("# slides"), "clips": 3, "title": "Intro"}
        )

    log_file = tmp_path / "dagster.jsonl"
    handler_config = {
        "handlers": {
            "json": {"class": "logging.FileHandler", "filename": str(log_file), "formatter": "json"}
        },
        "formatters": {"json": {"()": "resources.logging_setup.JsonLogFormatter"}},
    }
    with instance_for_test(
        overrides={"python_logs": {"dagster_handler_config": handler_config}}
    ) as inst:
        assert materialize([shown_in_the_ui], instance=inst).success
    # every line parses: none was lost to a formatting error
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
    events = {line.get("event") for line in lines}
    assert "ASSET_MATERIALIZATION" in events, events
    assert "STEP_SUCCESS" in events, events
