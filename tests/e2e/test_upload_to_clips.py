"""One upload travels the whole way: API → presigned PUT → S3 → sensor → Dagster run → clips.

Then the owner re-cuts it: reprocessJob → command sensor → a run of segments + clips only.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from dagster import DagsterInstance, build_sensor_context, instance_for_test
from fastapi.testclient import TestClient

from graphql_api.app import create_app
from graphql_api.dagster_control import DagsterControl
from lecture_assets.definitions import build_definitions
from lecture_assets.pipeline_sensors import command_sensor
from lecture_assets.resources_by_settings import build_resources
from lecture_assets.stages import STAGES
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from sensors.upload_sensor import upload_sensor
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id status } uploadUrl uploadHeaders } } }"""
JOB = """query($id: ID!) { job(id: $id) { id status stage progress error { code message }
  chapters { start end title } edlUrl chaptersText chaptersVttUrl slides { start end title }
  transcript(limit: 5) { totalSegments segments { text } }
  timeline { speech { start end } slideChanges layoutPeriods { kind } }
  clips { index start end duration title videoUrl srtUrl vttUrl thumbnailUrl } } }"""
REPROCESS = """mutation($id: ID!, $o: JobOptionsInput) {
  reprocessJob(id: $id, fromStage: HIGHLIGHT_SEGMENTS, options: $o) { __typename } }"""
SUB = "subscription($id: ID!) { jobProgress(jobId: $id) { status stage percent message } }"
AUTH = {"Authorization": "Bearer dev-token"}


def _gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", headers=AUTH, json={"query": query, "variables": variables})
    data: dict[str, Any] = body.json()["data"]
    return data


def _listen(client: TestClient, job_id: str, events: list[dict[str, Any]]) -> threading.Thread:
    """Collect jobProgress events in the background until the job ends."""
    ready = threading.Event()

    def run() -> None:
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json(
                {"type": "connection_init", "payload": {"authorization": AUTH["Authorization"]}}
            )
            ws.receive_json()
            ws.send_json({"id": "1", "type": "subscribe",
                          "payload": {"query": SUB, "variables": {"id": job_id}}})  # fmt: skip
            ready.set()
            while (msg := ws.receive_json())["type"] == "next":
                events.append(msg["payload"]["data"]["jobProgress"])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    return thread


def _steps(instance: DagsterInstance, run_id: str) -> set[str]:
    """The stages a run computed (its asset checks' steps left out)."""
    return {
        r.dagster_event.step_key
        for r in instance.all_logs(run_id)
        if r.dagster_event is not None
        and r.dagster_event.event_type_value == "STEP_SUCCESS"
        and r.dagster_event.step_key in STAGES
    }


def _check_results(instance: DagsterInstance, run_id: str) -> dict[str, str | None]:
    """Each asset check the run evaluated: None when it passed, else what it said."""
    found: dict[str, str | None] = {}
    for r in instance.all_logs(run_id):
        event = r.dagster_event
        if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION":
            result = event.event_specific_data
            passed = bool(getattr(result, "passed", False))
            found[str(getattr(result, "check_name", "?"))] = (
                None if passed else str(getattr(result, "description", ""))
            )
    return found


def _check_clip(clip: dict[str, Any], tmp_path: Path, lo: float, hi: float) -> None:
    video = tmp_path / f"clip{clip['index']}.mp4"
    video.write_bytes(httpx.get(clip["videoUrl"]).raise_for_status().content)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1080, 1920)
        assert container.streams.audio, "every clip has sound"
        duration = float(container.duration or 0) / 1e6
    assert abs(duration - clip["duration"]) <= 0.15
    assert lo - 0.5 <= clip["duration"] <= hi + 0.5
    assert "-->" in httpx.get(clip["srtUrl"]).raise_for_status().text
    assert httpx.get(clip["thumbnailUrl"]).raise_for_status().content[:3] == b"\xff\xd8\xff"


@pytest.mark.slow
def test_upload_becomes_clips_and_a_recut_skips_transcription(
    settings: Settings, storage: S3StorageResource, sqlite_store: JobStoreResource, tmp_path: Path
) -> None:
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=16))
    resources = build_resources(settings)
    resources.update(storage=storage, job_store=sqlite_store)
    defs = build_definitions(settings, resources)
    job_def = defs.resolve_job_def("process_lecture")
    with instance_for_test() as instance:
        control = DagsterControl(instance_factory=lambda: instance)
        app = create_app(settings, storage=storage, job_store=sqlite_store, dagster=control)
        client = TestClient(app)
        upload = {
            "filename": "linear-algebra.mp4",
            "contentType": "video/mp4",
            "sizeBytes": lecture.path.stat().st_size,
            "options": {"maxClips": 2, "minSeconds": 10, "maxSeconds": 30},
        }
        created = _gql(client, CREATE, input=upload)["createUpload"]
        assert created["__typename"] == "UploadTicket"
        job_id = created["job"]["id"]
        body = lecture.path.read_bytes()
        assert httpx.put(created["uploadUrl"], content=body, headers=created["uploadHeaders"])

        tick = upload_sensor(build_sensor_context(instance=instance, resources=resources))
        assert [r.partition_key for r in tick.run_requests] == [job_id]
        for request in tick.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        events: list[dict[str, Any]] = []
        listener = _listen(client, job_id, events)
        run = job_def.execute_in_process(
            partition_key=job_id, instance=instance, tags=tick.run_requests[0].tags,
            raise_on_error=False,
        )  # fmt: skip
        failures = [e.message for e in run.all_events if e.is_failure]
        assert run.success, (failures, sqlite_store.get(job_id))
        listener.join(30)
        assert len(events) >= 3 and events[-1]["status"] == "DONE", events
        stages = {e["stage"] for e in events}
        assert {"transcript", "highlight_clips"} <= stages
        assert [e["percent"] for e in events] == sorted(e["percent"] for e in events)

        job = _gql(client, JOB, id=job_id)["job"]
        assert job["status"] == "DONE" and job["progress"] == 100
        assert 1 <= len(job["clips"]) <= 2 and len(job["chapters"]) >= 2
        assert job["transcript"]["totalSegments"] > 5 and job["timeline"]["speech"]
        assert job["edlUrl"] and "TITLE:" in httpx.get(job["edlUrl"]).text
        # chapters as a WebVTT chapter track and as YouTube lines, one per chapter
        vtt = httpx.get(job["chaptersVttUrl"]).text
        assert vtt.startswith("WEBVTT") and vtt.count(" --> ") == len(job["chapters"])
        lines = job["chaptersText"].splitlines()
        assert len(lines) == len(job["chapters"]) and lines[0].startswith("00:00 ")
        assert isinstance(job["slides"], list)
        for clip in job["clips"]:
            _check_clip(clip, tmp_path, 10, 30)

        # the owner asks for one longer clip: segments and clips run again, nothing else
        result = _gql(client, REPROCESS, id=job_id, o={"maxClips": 1, "minSeconds": 20,
                                                       "maxSeconds": 45})  # fmt: skip
        assert result["reprocessJob"]["__typename"] == "JobResult"
        commands = command_sensor(build_sensor_context(instance=instance, resources=resources))
        [request] = commands.run_requests  # type: ignore[union-attr]
        recut = job_def.execute_in_process(
            partition_key=job_id, instance=instance, tags=request.tags,
            asset_selection=request.asset_selection, raise_on_error=False,
        )  # fmt: skip
        assert recut.success
        assert _steps(instance, recut.run_id) == {"highlight_segments", "highlight_clips"}
        # the re-cut's own checks ran on real artifacts and raised no false alarm
        checks = _check_results(instance, recut.run_id)
        assert "clips_do_not_overlap" in checks and "captions_inside_clips" in checks, checks
        assert not {name: said for name, said in checks.items() if said}, checks
        job = _gql(client, JOB, id=job_id)["job"]
        assert job["status"] == "DONE" and len(job["clips"]) == 1
        _check_clip(job["clips"][0], tmp_path, 20, 45)
        # the earlier second clip's files are gone: no orphans
        left = {
            o.key.split("/")[3]
            for o in storage.list(f"jobs/{job_id}/clips/")
            if o.key.count("/") > 3
        }
        assert left == {str(job["clips"][0]["index"])}
