"""A reviewer's fixes reach the rendered clip: only the edited clip is rendered again, with the
new title, range and caption text; a later re-cut says which edits it replaced."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from dagster import build_sensor_context, instance_for_test
from fastapi.testclient import TestClient

from graphql_api.app import create_app
from graphql_api.dagster_control import DagsterControl
from lecture_assets.definitions import build_definitions
from lecture_assets.pipeline_sensors import command_sensor
from lecture_assets.resources_by_settings import build_resources
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from sensors.upload_sensor import upload_sensor
from tests.e2e.test_upload_to_clips import CREATE, REPROCESS, _gql, _steps
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

CLIPS = """query($id: ID!) { job(id: $id) { status message sentences { start end }
  clips { index start end duration title version edited srtUrl cues { start end text } }
  edits { index status note } } }"""
UPDATE = """mutation($job: ID!, $i: Int!, $e: Float, $t: String) {
  updateClip(jobId: $job, index: $i, end: $e, title: $t) { __typename } }"""
CAPTIONS = """mutation($job: ID!, $i: Int!, $cues: [CaptionCueInput!]!) {
  editCaptions(jobId: $job, index: $i, cues: $cues) { __typename } }"""
APPLY = """mutation($job: ID!) { applyClipEdits(jobId: $job) { __typename
  ... on JobResult { job { message } } } }"""


@pytest.mark.slow
def test_an_edit_renders_only_its_clip_and_a_recut_names_what_it_replaced(
    settings: Settings, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=16))
    resources = build_resources(settings)
    resources.update(storage=storage, job_store=sqlite_store)
    job_def = build_definitions(settings, resources).resolve_job_def("process_lecture")
    with instance_for_test() as instance:
        control = DagsterControl(instance_factory=lambda: instance)
        client = TestClient(create_app(settings, storage=storage, job_store=sqlite_store,
                                       dagster=control))  # fmt: skip
        upload = {
            "filename": "lecture.mp4",
            "contentType": "video/mp4",
            "sizeBytes": lecture.path.stat().st_size,
            "options": {"maxClips": 2, "minSeconds": 10, "maxSeconds": 30},
        }
        created = _gql(client, CREATE, input=upload)["createUpload"]
        job_id = created["job"]["id"]
        assert httpx.put(created["uploadUrl"], content=lecture.path.read_bytes(),
                         headers=created["uploadHeaders"])  # fmt: skip
        tick = upload_sensor(build_sensor_context(instance=instance, resources=resources))
        for request in tick.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        run = job_def.execute_in_process(partition_key=job_id, instance=instance,
                                         tags=tick.run_requests[0].tags)  # fmt: skip
        assert run.success
        job = _gql(client, CLIPS, id=job_id)["job"]
        assert len(job["clips"]) == 2
        edited, other = job["clips"]
        other_files = _etags(storage, job_id, other["index"])

        # trim the first clip by its last sentence, retitle it, fix one caption's text
        ends = [s["end"] for s in job["sentences"] if edited["start"] < s["end"] < edited["end"]]
        cue = edited["cues"][0]
        fixed = {**cue, "text": "Zebra " + cue["text"]}
        assert _gql(client, UPDATE, job=job_id, i=edited["index"], e=ends[-1], t="My title")
        assert _gql(client, CAPTIONS, job=job_id, i=edited["index"], cues=[fixed])
        applied = _gql(client, APPLY, job=job_id)["applyClipEdits"]
        assert applied["job"]["message"] == f"re-rendering clip {edited['index']}"
        commands = command_sensor(build_sensor_context(instance=instance, resources=resources))
        [request] = commands.run_requests  # type: ignore[union-attr]
        rerender = job_def.execute_in_process(partition_key=job_id, instance=instance,
                                              tags=request.tags,
                                              asset_selection=request.asset_selection)  # fmt: skip
        assert rerender.success
        assert _steps(instance, rerender.run_id) == {"highlight_clips"}  # no re-transcription
        job = _gql(client, CLIPS, id=job_id)["job"]
        new, same = job["clips"]
        assert (new["title"], new["version"], new["edited"]) == ("My title", 2, True)
        assert new["end"] == pytest.approx(ends[-1], abs=0.01)
        assert new["duration"] < edited["duration"] - 0.5
        assert "Zebra" in httpx.get(new["srtUrl"]).text
        assert same == {**other, "srtUrl": same["srtUrl"]}  # untouched, version 1
        assert _etags(storage, job_id, other["index"]) == other_files
        assert [e["status"] for e in job["edits"]] == ["APPLIED"]

        # a re-cut with other lengths: the edit no longer fits and the job says so
        _gql(client, REPROCESS, id=job_id, o={"maxClips": 1, "minSeconds": 20, "maxSeconds": 45})
        commands = command_sensor(build_sensor_context(instance=instance, resources=resources))
        [request] = commands.run_requests  # type: ignore[union-attr]
        recut = job_def.execute_in_process(partition_key=job_id, instance=instance,
                                           tags=request.tags,
                                           asset_selection=request.asset_selection)  # fmt: skip
        assert recut.success
        job = _gql(client, CLIPS, id=job_id)["job"]
        recut_clip = job["clips"][0]
        plan = storage.get_json(f"jobs/{job_id}/highlight_segments/highlight_segments.json")
        cut = {s["index"]: (s["start"], s["end"]) for s in plan["segments"]}.get(edited["index"])
        # the edit was made on the first run's cut of this clip
        moved = cut is None or cut != pytest.approx((edited["start"], edited["end"]), abs=0.05)
        if moved:
            assert f"replaced your edits of clip {edited['index']}" in job["message"]
            assert job["edits"][0]["status"] == "REPLACED" and job["edits"][0]["note"]
            assert recut_clip["title"] != "My title"
        else:  # the re-cut chose the same clip: the edit survives it
            assert job["edits"][0]["status"] == "APPLIED" and recut_clip["title"] == "My title"


def _etags(storage: S3StorageResource, job_id: str, index: int) -> dict[str, Any]:
    return {o.key: o.etag for o in storage.list(f"jobs/{job_id}/clips/{index}/")}
