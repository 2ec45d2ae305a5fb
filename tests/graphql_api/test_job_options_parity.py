"""The CLI and the API refuse the same job options with the same message, and keep the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lecture_assets import cli
from resources.jobs import JobOptions, JobStatus
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from tests.graphql_api.conftest import Gql

CREATE = """
mutation($input: CreateUploadInput!) {
  createUpload(input: $input) {
    __typename
    ... on UploadTicket { job { id } }
    ... on ValidationError { code message field }
  }
}"""

INPUT_FIELDS = """{ __type(name: "JobOptionsInput") {
  inputFields { name type { kind ofType { kind } } } } }"""

# options as a user gives them (JobOptions field names), and the field refused (None: accepted)
CASES: list[tuple[dict[str, Any], str | None]] = [
    ({"max_clips": 0}, "max_clips"),
    ({"max_clips": 99}, "max_clips"),
    ({"min_seconds": 4.0}, "min_seconds"),
    ({"max_seconds": 601.0}, "max_seconds"),
    ({"min_seconds": 90.0, "max_seconds": 30.0}, "min_seconds"),
    ({"min_seconds": 150.0}, "min_seconds"),  # above the server's default longest (120 s)
    ({"max_seconds": 10.0}, "max_seconds"),  # below the server's default shortest (20 s)
    ({"layout": "grid"}, "layout"),
    ({"caption_style": "comic"}, "caption_style"),
    ({"language": "English"}, "language"),
    ({"language": "EN"}, "language"),
    ({"glossary": ["Hessian", " ", "Adam"]}, "glossary"),
    ({"glossary": ["x" * 81]}, "glossary"),
    ({"glossary": [f"term{i}" for i in range(201)]}, "glossary"),
    ({}, None),
    ({"max_clips": 3, "min_seconds": 15.0, "max_seconds": 40.0}, None),
    ({"min_seconds": 5.0, "max_seconds": 600.0, "max_clips": 20}, None),
    ({"min_seconds": 100.0}, None),
    ({"layout": "split", "caption_style": "karaoke"}, None),
    ({"layout": "camera", "caption_style": "none", "language": "de"}, None),
    ({"glossary": ["Hessian", "Kullback-Leibler", "hessian"]}, None),
]

FLAGS = {
    "max_clips": "--max-clips",
    "min_seconds": "--min-seconds",
    "max_seconds": "--max-seconds",
    "layout": "--layout",
    "caption_style": "--captions",
    "language": "--language",
    "glossary": "--glossary",
}


class _Started(Exception):
    """Raised in place of the pipeline: the CLI accepted the options and would run."""

    def __init__(self, options: JobOptions) -> None:
        super().__init__("pipeline started")
        self.options = options


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def _run_cli(
    raw: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> int | JobOptions:
    """The exit code when the CLI refuses the options; the options it would run with if not."""
    from lecture_assets import local_run

    def start(video: Path, out: Path, settings: Settings, options: JobOptions, **_: Any) -> None:
        raise _Started(options)

    monkeypatch.setattr(local_run, "process_local", start)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    video = tmp_path / "lecture.mp4"
    video.write_bytes(b"\x00" * 64)
    argv = ["process", str(video), "--out", str(tmp_path / "out")]
    for name, value in raw.items():
        argv += [FLAGS[name], ",".join(value) if isinstance(value, list) else str(value)]
    try:
        code = cli.main(argv)
    except _Started as started:
        return started.options
    return code


def test_the_cli_knows_a_flag_for_every_option() -> None:
    assert set(cli.FLAGS) == set(JobOptions.__dataclass_fields__) == set(FLAGS)


@pytest.mark.parametrize(("raw", "field"), CASES, ids=lambda v: str(v)[:40])
def test_cli_and_api_refuse_and_accept_the_same_options(
    raw: dict[str, Any],
    field: str | None,
    gql: Gql,
    sqlite_store: JobStoreResource,
    api_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kinds = {
        f["name"]: (f["type"]["ofType"] or f["type"])["kind"]
        for f in gql(INPUT_FIELDS)["data"]["__type"]["inputFields"]
    }
    # enum inputs take the member name (UPPER_CASE), other inputs the value itself
    api_input = {_camel(k): v.upper() if kinds[_camel(k)] == "ENUM" else v for k, v in raw.items()}
    body = gql(CREATE, {"input": {"filename": "w3.mp4", "contentType": "video/mp4",
                                  "sizeBytes": 2048, "options": api_input}})  # fmt: skip
    outcome = _run_cli(raw, tmp_path, monkeypatch, api_settings)
    err = capsys.readouterr().err

    if field is None:
        ticket = body["data"]["createUpload"]
        assert ticket["__typename"] == "UploadTicket", ticket
        job = sqlite_store.get(ticket["job"]["id"])
        assert job is not None
        assert outcome == job.options  # the pipeline would run with what the API stored
        return

    assert outcome == 2, f"the CLI accepted {raw}"
    prefix = f"error: {FLAGS[field]}: "
    assert err.startswith(prefix) and err.endswith("\n"), err
    cli_message = err[len(prefix) : -1]
    if kinds[_camel(field)] == "ENUM":
        # a value outside a GraphQL enum never reaches the resolver: the schema refuses it
        assert body.get("errors") and _camel(field) in str(body["errors"])
        assert str(raw[field]) in cli_message
        return
    result = body["data"]["createUpload"]
    assert result["__typename"] == "ValidationError"
    assert (result["code"], result["field"]) == ("INVALID_OPTIONS", _camel(field))
    assert result["message"] == cli_message


REPROCESS = """mutation($id: ID!, $from: Stage!, $o: JobOptionsInput) {
  reprocessJob(id: $id, fromStage: $from, options: $o) { __typename
  ... on ValidationError { code message field } } }"""
STAGES = '{ __type(name: "Stage") { enumValues { name } } }'


def test_reprocess_refuses_options_that_cross_the_kept_ones(
    gql: Gql, sqlite_store: JobStoreResource
) -> None:
    """New options merge over the job's: a shortest length above the kept longest is refused
    with the contract's message, and the job keeps its options and state."""
    body = {"filename": "w3.mp4", "contentType": "video/mp4", "sizeBytes": 2048,
            "options": {"minSeconds": 20.0, "maxSeconds": 30.0}}  # fmt: skip
    job_id = gql(CREATE, {"input": body})["data"]["createUpload"]["job"]["id"]
    sqlite_store.update(job_id, source_etag="etag1")
    sqlite_store.record_progress(
        job_id, status=JobStatus.DONE, stage="done", percent=100.0, message="ok"
    )
    names = [v["name"] for v in gql(STAGES)["data"]["__type"]["enumValues"]]
    stage = next(n for n in names if n.lower() == "highlight_segments")
    variables = {"id": job_id, "from": stage, "o": {"minSeconds": 60.0}}
    refused = gql(REPROCESS, variables)["data"]["reprocessJob"]
    assert refused["__typename"] == "ValidationError"
    assert (refused["code"], refused["field"]) == ("INVALID_OPTIONS", "minSeconds")
    assert "shortest clip length (60 s) is above the longest (30 s)" in refused["message"]
    job = sqlite_store.get(job_id)
    assert job is not None and job.status is JobStatus.DONE
    assert (job.options.min_seconds, job.options.max_seconds) == (20.0, 30.0)
