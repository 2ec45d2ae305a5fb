"""One upload travels the whole way: API → presigned PUT → S3 → sensor → Dagster run → clips."""

from __future__ import annotations

from pathlib import Path

import av
import httpx
import pytest
from dagster import instance_for_test
from fastapi.testclient import TestClient

from graphql_api.app import create_app
from lecture_assets.definitions import build_definitions
from lecture_assets.resources_by_settings import build_resources
from resources.job_store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from sensors.upload_sensor import upload_sensor
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id status } uploadUrl uploadHeaders } } }"""
JOB = """query($id: ID!) { job(id: $id) { id status stage progress error { code message }
  chapters { start end title }
  clips { index start end duration title videoUrl srtUrl vttUrl thumbnailUrl } } }"""
AUTH = {"Authorization": "Bearer dev-token"}


@pytest.mark.slow
def test_upload_becomes_downloadable_vertical_clips(
    settings: Settings, storage: S3StorageResource, sqlite_store: JobStoreResource, tmp_path: Path
) -> None:
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=16))
    app = create_app(settings, storage=storage, job_store=sqlite_store)
    client = TestClient(app)
    options = {"maxClips": 2, "minSeconds": 10, "maxSeconds": 30}
    created = client.post(
        "/graphql",
        headers=AUTH,
        json={
            "query": CREATE,
            "variables": {
                "input": {
                    "filename": "linear-algebra.mp4",
                    "contentType": "video/mp4",
                    "sizeBytes": lecture.path.stat().st_size,
                    "options": options,
                }
            },
        },
    ).json()["data"]["createUpload"]
    assert created["__typename"] == "UploadTicket"
    job_id = created["job"]["id"]
    put = httpx.put(
        created["uploadUrl"], content=lecture.path.read_bytes(), headers=created["uploadHeaders"]
    )
    assert put.status_code == 200

    resources = build_resources(settings)
    resources.update(storage=storage, job_store=sqlite_store)
    defs = build_definitions(settings, resources)
    with instance_for_test() as instance:
        from dagster import build_sensor_context

        tick = upload_sensor(build_sensor_context(instance=instance, resources=resources))
        assert [r.partition_key for r in tick.run_requests] == [job_id]
        for request in tick.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        run = defs.resolve_job_def("process_lecture").execute_in_process(
            partition_key=job_id,
            instance=instance,
            tags=tick.run_requests[0].tags,
            raise_on_error=False,
        )
        failures = [e.message for e in run.all_events if e.is_failure]
        assert run.success, (failures, sqlite_store.get(job_id))

    job = client.post(
        "/graphql", headers=AUTH, json={"query": JOB, "variables": {"id": job_id}}
    ).json()["data"]["job"]
    assert job["status"] == "done" and job["progress"] == 100
    assert 1 <= len(job["clips"]) <= 2
    assert len(job["chapters"]) >= 2
    for clip in job["clips"]:
        video = tmp_path / f"clip{clip['index']}.mp4"
        video.write_bytes(httpx.get(clip["videoUrl"]).raise_for_status().content)
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.width, stream.codec_context.height) == (1080, 1920)
            assert container.streams.audio, "every clip has sound"
            duration = float(container.duration or 0) / 1e6
        assert abs(duration - clip["duration"]) <= 0.15
        assert 10 - 0.5 <= clip["end"] - clip["start"] <= 30 + 3.0
        srt = httpx.get(clip["srtUrl"]).raise_for_status().text
        assert "-->" in srt
        assert httpx.get(clip["thumbnailUrl"]).raise_for_status().content[:3] == b"\xff\xd8\xff"
