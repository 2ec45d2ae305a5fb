"""The job's edit files download like its clips: the EDL and the FCPXML listed in the manifest."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource
from tests.graphql_api.conftest import Gql

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  ... on UploadTicket { job { id } } } }"""
JOB = "query($id: ID!) { job(id: $id) { status edlUrl fcpxmlUrl } }"
FCPXML = b'<?xml version="1.0"?>\n<fcpxml version="1.9"></fcpxml>\n'


def _job_with(
    gql: Gql, storage: S3StorageResource, store: JobStoreResource, manifest: dict[str, Any]
) -> str:
    variables = {"input": {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10}}
    job_id = str(gql(CREATE, variables)["data"]["createUpload"]["job"]["id"])
    storage.put_bytes(f"jobs/{job_id}/clips/edit.edl", b"TITLE: l\n")
    if manifest.get("edl"):
        fcpxml = manifest.get("fcpxml") or "clips/edit.fcpxml"
        storage.put_bytes(f"jobs/{job_id}/{fcpxml}", FCPXML)
    storage.put_json(f"jobs/{job_id}/manifest.json", {"clips": [], "topics": [], **manifest})
    store.update(job_id, manifest_key=f"jobs/{job_id}/manifest.json", source_etag="etag")
    store.record_progress(job_id, status=JobStatus.DONE, stage="done", percent=100.0, message="")
    return job_id


@pytest.mark.parametrize(
    "manifest",
    [
        {"edl": "clips/edit.edl", "fcpxml": "clips/timeline.fcpxml"},
        {"edl": "clips/edit.edl"},  # written before the manifest listed the FCPXML
    ],
    ids=["listed", "older-manifest"],
)
def test_the_fcpxml_downloads_beside_the_edl(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource, manifest: dict[str, Any]
) -> None:
    job = gql(JOB, {"id": _job_with(gql, storage, sqlite_store, manifest)})["data"]["job"]
    assert job["status"] == "DONE"
    assert httpx.get(job["edlUrl"]).text == "TITLE: l\n"
    assert httpx.get(job["fcpxmlUrl"]).content == FCPXML


def test_without_edit_files_there_are_no_urls(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job = gql(JOB, {"id": _job_with(gql, storage, sqlite_store, {"edl": None})})["data"]["job"]
    assert (job["edlUrl"], job["fcpxmlUrl"]) == (None, None)
