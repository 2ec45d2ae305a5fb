"""JSON logs for the API, the CLI and Dagster, with tokens and presigned-URL signatures redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

from resources.settings import Settings

REDACTED = "[REDACTED]"
HANDLER_NAME = "lecture-json"
_STOP = r"[^&\s\"'<>\\,;}]+"
_HEADER = r"((?:authorization|x-api-key)[\"']?\s*[:=]\s*[\"']?)"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # presigned URLs: the signature and the access key id / credential scope
    (re.compile(r"(X-Amz-(?:Signature|Credential|Security-Token)=)" + _STOP, re.I), r"\1"),
    (re.compile(r"((?:Signature|AWSAccessKeyId)=)" + _STOP), r"\1"),
    # header dumps: Authorization: Bearer x, 'authorization': 'x', authorization=x
    (re.compile(_HEADER + r"(?:(?:bearer|basic)\s+)?" + _STOP, re.I), r"\1"),
    (re.compile(r"\b(Bearer\s+)" + _STOP, re.I), r"\1"),
    # passwords in database URLs: scheme://user:password@host
    (re.compile(r"(://[^:/\s@]+:)[^@\s/]+(?=@)"), r"\1"),
]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with credentials, signatures and the given secret values replaced by REDACTED."""
    for pattern, keep in _PATTERNS:
        text = pattern.sub(keep + REDACTED, text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def settings_secrets(settings: Settings) -> list[str]:
    """Secret values from settings worth redacting verbatim (API tokens, keys, passwords)."""
    values = list(settings.token_owners())
    for secret in (settings.s3_secret_access_key, settings.openai_api_key, settings.gemini_api_key):
        value = secret.get_secret_value()
        if len(value) >= 8:
            values.append(value)
    # longest first so a token containing another is replaced whole
    return sorted(set(values), key=len, reverse=True)


class RedactFilter(logging.Filter):
    """Rewrites each record's message with secrets redacted, before any handler formats it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def _dagster_fields(meta: Any) -> dict[str, Any]:
    """job_id, stage, duration and error code from a Dagster log record's metadata."""
    fields: dict[str, Any] = {}
    if not isinstance(meta, dict):
        return fields
    tags = meta.get("job_tags") or {}
    for key, value in (
        ("run_id", meta.get("run_id")),
        ("dagster_job", meta.get("job_name")),
        ("stage", meta.get("step_key")),
        ("job_id", tags.get("dagster/partition")),
    ):
        if value:
            fields[key] = value
    event = meta.get("dagster_event")
    if event is None:
        return fields
    fields["event"] = event.event_type_value
    data = event.event_specific_data
    duration_ms = getattr(data, "duration_ms", None)
    if isinstance(duration_ms, int | float):
        fields["duration_s"] = round(duration_ms / 1000.0, 3)
    failure = getattr(data, "user_failure_data", None)
    code = getattr(failure, "metadata", {}).get("error_code") if failure else None
    if code is not None:
        fields["error_code"] = getattr(code, "value", code)
    error = getattr(data, "error", None)
    if error is not None and "error_code" not in fields:
        fields["error_code"] = getattr(error, "cls_name", None) or "PIPELINE_ERROR"
    return fields


def _plain(obj: Any) -> Any:
    """`obj` as plain JSON data. Dagster's metadata values are named tuples that forbid
    iteration, and json iterates every tuple, so they go by their payload (or their text)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list) or type(obj) is tuple:
        return [_plain(v) for v in obj]
    if isinstance(obj, tuple):  # a named tuple: a Dagster record or the like
        value = getattr(obj, "value", None)
        return value if isinstance(value, str | int | float | bool) else str(obj)
    return obj


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message and any structured fields."""

    def __init__(self, *args: Any, secrets: Iterable[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)
        self.secrets = list(secrets)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        meta = log_data.pop("dagster_meta", None)
        log_data.update(_dagster_fields(meta))
        for key, value in log_data.items():
            log_data[key] = _plain(value)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class TextLogFormatter(logging.Formatter):
    """Plain lines for a terminal, still redacted."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = list(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Install (or replace) our redacting handler on the root logger; idempotent.

    Other handlers (pytest's, Dagster's) are left alone; uvicorn's loggers are routed to ours.
    """
    secrets = settings_secrets(settings)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    formatter: logging.Formatter = (
        JsonLogFormatter(secrets=secrets)
        if settings.log_format == "json"
        else TextLogFormatter(secrets)
    )
    handler.setFormatter(formatter)
    handler.addFilter(RedactFilter(secrets))
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # chatty libraries: schema migrations and per-request S3/moto chatter say nothing useful
    for name in ("alembic", "botocore", "werkzeug", "urllib3"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
