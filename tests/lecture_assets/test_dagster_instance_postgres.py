"""A Dagster instance on PostgreSQL (and SQLite) stores runs and events of partitioned assets."""

import json
from pathlib import Path

import pytest
import yaml
from dagster import AssetExecutionContext, DagsterEventType, asset, materialize

from lecture_assets.partitions import lectures
from tests.lecture_assets.dagster_pg import dagster_instance

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
DAGSTER_YAML = Path(__file__).parents[2] / "dagster.yaml"
JOB_ID = "6f1d8a52-3c0e-4f43-9b1e-1c2d3e4f5a6b"


@asset(partitions_def=lectures)
def tiny_lecture(context: AssetExecutionContext) -> int:
    context.log.info(f"processing {context.partition_key}")
    return 1


@pytest.mark.parametrize("kind", KINDS)
def test_partitioned_materialization_is_stored(kind: str) -> None:
    with dagster_instance(kind) as instance:
        storage = type(instance.run_storage).__name__
        assert storage.startswith("Postgres" if kind == "postgres" else "Sqlite")
        instance.add_dynamic_partitions(lectures.name, [JOB_ID])
        result = materialize([tiny_lecture], instance=instance, partition_key=JOB_ID)
        assert result.success
        [run] = instance.get_runs()
        assert run.tags["dagster/partition"] == JOB_ID
        assert run.is_success
        events = instance.all_logs(run.run_id)
        kinds = {e.dagster_event.event_type for e in events if e.dagster_event}
        assert DagsterEventType.ASSET_MATERIALIZATION in kinds
        assert DagsterEventType.RUN_SUCCESS in kinds
        assert any(f"processing {JOB_ID}" in e.user_message for e in events)
        assert instance.get_dynamic_partitions(lectures.name) == [JOB_ID]


@pytest.mark.parametrize("kind", KINDS)
def test_dagster_logs_are_json_with_job_id_stage_and_duration(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The python_logs handler of the production dagster.yaml formats Dagster's events as JSON."""
    python_logs = yaml.safe_load(DAGSTER_YAML.read_text())["python_logs"]
    with dagster_instance(kind, {"python_logs": python_logs}) as instance:
        instance.add_dynamic_partitions(lectures.name, [JOB_ID])
        capsys.readouterr()
        assert materialize([tiny_lecture], instance=instance, partition_key=JOB_ID).success
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line[:1] == "{"]
    success = [line for line in lines if line.get("event") == "STEP_SUCCESS"]
    assert success, lines
    assert success[0]["job_id"] == JOB_ID
    assert success[0]["stage"] == "tiny_lecture"
    assert success[0]["duration_s"] >= 0
    assert success[0]["run_id"]
    assert any(line["message"].endswith(f"processing {JOB_ID}") for line in lines)
