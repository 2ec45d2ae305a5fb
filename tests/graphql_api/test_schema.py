"""The public schema: exported and current, described throughout, UPPER_CASE enums, Long sizes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    parse,
    validate,
)

from graphql_api.export_schema import COMMAND, SCHEMA_FILE, main, schema_sdl
from graphql_api.schema import build_schema
from graphql_api.studio import STATIC_DIR
from graphql_api.types import Timeline
from lecture_assets.stages import STAGES
from resources.jobs.store import JobStoreResource
from tests.graphql_api.conftest import Gql

# the studio's GraphQL documents: `const NAME = `...`;` in its modules, `${OTHER}` spliced in
CONSTANT = re.compile(r"const ([A-Z_]+) = `(.*?)`;", re.S)
CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) { __typename
  ... on UploadTicket { job { id status } } ... on ValidationError { code field } } }"""


def _schema() -> GraphQLSchema:
    return build_schema()._schema


def _ours(schema: GraphQLSchema) -> list[object]:
    return [t for name, t in schema.type_map.items() if not name.startswith("__")]


def test_schema_graphql_matches_what_the_api_serves() -> None:
    current = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
    assert current == schema_sdl(), f"schema.graphql is out of date: run {COMMAND}"


def test_the_export_check_fails_on_a_stale_file_and_passes_once_written(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    out.write_text("type Query { old: String }\n")
    assert main(["--check", "--out", str(out)]) == 1
    assert main(["--out", str(out)]) == 0
    assert main(["--check", "--out", str(out)]) == 0
    assert "createUpload(" in out.read_text() and "scalar Long" in out.read_text()


def test_the_export_runs_as_a_module(tmp_path: Path) -> None:
    out = tmp_path / "s.graphql"
    cmd = [sys.executable, "-m", "graphql_api.export_schema", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    assert out.read_text() == schema_sdl()


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing: list[str] = []
    for t in _ours(_schema()):
        name = getattr(t, "name", "?")
        if name in ("String", "Int", "Float", "Boolean", "ID"):
            continue  # the built-in scalars, described by the spec
        if not getattr(t, "description", None):
            missing.append(name)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in t.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(t, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, d in t.values.items() if not d.description]
    assert not missing, f"add a description= to: {', '.join(missing)}"


def test_enum_values_are_upper_case_and_stage_follows_the_registry() -> None:
    schema = _schema()
    enums = [t for t in _ours(schema) if isinstance(t, GraphQLEnumType)]
    assert {e.name for e in enums} >= {"JobStatus", "Stage", "Layout", "CaptionStyle"}
    for enum in enums:
        assert all(v == v.upper() for v in enum.values), (enum.name, list(enum.values))
    stage = schema.type_map["Stage"]
    assert isinstance(stage, GraphQLEnumType)
    assert list(stage.values) == [s.upper() for s in STAGES]


def test_a_stage_added_to_the_registry_appears_in_the_api() -> None:
    # a fresh interpreter: the enum is built when graphql_api is first imported
    child = """
from lecture_assets import stages
new = stages.StageSpec("source_digest", ("source_video",), 5.0, "frame count of the upload")
stages.REGISTRY = (*stages.REGISTRY[:2], new, *stages.REGISTRY[2:])
from graphql_api.schema import build_schema
print(build_schema().as_str())
"""
    run = subprocess.run(
        [sys.executable, "-c", child], check=True, capture_output=True, text=True, timeout=120
    )
    enum = run.stdout.split("enum Stage {", 1)[1].split("}", 1)[0]
    assert "`source_digest`: frame count of the upload." in enum
    names = [line.strip() for line in enum.splitlines() if line.strip().isupper()]
    assert names[:3] == ["SOURCE_VIDEO", "SILENCE_MAP", "SOURCE_DIGEST"]


def test_byte_sizes_are_64_bit_integers() -> None:
    sdl = schema_sdl()
    assert "sizeBytes: Long!" in sdl and "sizeBytes: Float" not in sdl


def test_a_size_past_32_bits_is_accepted_and_a_fraction_refused(gql: Gql) -> None:
    three_gib = {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 3 * 1024**3}
    ticket = gql(CREATE, {"input": three_gib})["data"]["createUpload"]
    assert ticket["__typename"] == "UploadTicket" and ticket["job"]["status"] == "QUEUED"
    fraction = gql(CREATE, {"input": {**three_gib, "sizeBytes": 10.5}})
    assert fraction.get("data") is None
    assert "whole number" in fraction["errors"][0]["message"]


@pytest.mark.parametrize(
    ("layout", "style"),
    [("AUTO", "STANDARD"), ("SPLIT", "KARAOKE"), ("SCREEN", "NONE"), ("CAMERA", "STANDARD")],
)
def test_every_layout_and_caption_style_reaches_the_job(
    gql: Gql, sqlite_store: JobStoreResource, layout: str, style: str
) -> None:
    options = {"layout": layout, "captionStyle": style}
    upload = {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10, "options": options}
    ticket = gql(CREATE, {"input": upload})["data"]["createUpload"]
    assert ticket["__typename"] == "UploadTicket", ticket
    job = sqlite_store.get(ticket["job"]["id"])
    assert job is not None
    assert (job.options.layout, job.options.caption_style) == (layout.lower(), style.lower())


def test_lower_case_enum_values_are_refused_with_the_valid_ones(gql: Gql) -> None:
    options = {"layout": "split"}
    upload = {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10, "options": options}
    refused = gql(CREATE, {"input": upload})
    assert refused.get("data") is None and "SPLIT" in refused["errors"][0]["message"]


def _studio_operations() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((STATIC_DIR / "js").glob("*.js")):
        consts = dict(CONSTANT.findall(path.read_text()))
        for name, body in consts.items():
            text = re.sub(r"\$\{([A-Z_]+)\}", lambda m, c=consts: c[m.group(1)], body)
            if text.lstrip().startswith(("query", "mutation", "subscription")):
                found[f"{path.name}:{name}"] = text
    return found


def test_every_studio_operation_is_valid_against_the_schema() -> None:
    operations = _studio_operations()
    assert len(operations) >= 8, sorted(operations)  # the page's queries, mutations, subscription
    schema = _schema()
    problems = {
        name: [e.message for e in errors]
        for name, text in operations.items()
        if (errors := validate(schema, parse(text)))
    }
    assert not problems, problems


def test_a_stored_layout_kind_the_api_does_not_know_reads_as_unknown() -> None:
    layout = {
        "periods": [
            {"start": 0, "end": 9, "kind": "screen"},
            {
                "start": 9,
                "end": 20,
                "kind": "side_by_side",
                "screen": {"x": 0, "y": 0, "width": 640, "height": 720},
            },
        ]
    }
    periods = Timeline.from_domain({}, layout).layout_periods
    assert [p.kind.name for p in periods] == ["UNKNOWN", "SIDE_BY_SIDE"]
    assert periods[1].screen is not None and periods[1].screen.width == 640
