"""`/media/...`: a job's files and its upload on the API's own origin, only through the owner's
unexpired signed link; Range answers 206 with exactly the asked bytes."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from graphql_api.media_route import parse_range
from graphql_api.media_tokens import MediaDenied, MediaSigner
from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from tests.graphql_api.conftest import Gql

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id } uploadHeaders mediaUploadUrl } } }"""
JOB = """query($id: ID!) { job(id: $id) { media { source edl fcpxml chaptersVtt }
  clips { videoUrl media { video videoDownload srt vtt thumbnail } } } }"""
ARCHIVE = """mutation($job: ID!) { jobArchive(jobId: $job) { __typename
  ... on JobArchive { url mediaUrl sizeBytes } } }"""
VIDEO = bytes(range(256)) * 40  # 10240 bytes, each position recognisable


def _ticket(gql: Gql, size: int = len(VIDEO)) -> dict[str, Any]:
    variables = {"input": {"filename": "Week 1.mp4", "contentType": "video/mp4", "sizeBytes": size}}
    ticket: dict[str, Any] = gql(CREATE, variables)["data"]["createUpload"]
    return ticket


def _done_job(gql: Gql, storage: S3StorageResource, store: JobStoreResource) -> str:
    job_id = str(_ticket(gql)["job"]["id"])
    clip = {"index": 1, "start": 6.6, "end": 19.5, "score": 0.9, "title": "T", "version": 2}
    clip |= {"video": "clips/1/clip.mp4", "srt": "clips/1/clip.srt", "vtt": "clips/1/clip.vtt"}
    clip |= {"thumbnail": "clips/1/thumb.jpg"}
    storage.put_bytes(f"jobs/{job_id}/clips/1/clip.mp4", VIDEO, "video/mp4")
    storage.put_bytes(f"jobs/{job_id}/clips/1/clip.srt", b"1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    storage.put_bytes(f"jobs/{job_id}/clips/1/clip.vtt", b"WEBVTT\n")
    storage.put_bytes(f"jobs/{job_id}/clips/1/thumb.jpg", b"\xff\xd8jpeg")
    storage.put_bytes(f"jobs/{job_id}/clips/edit.edl", b"TITLE: Week 1\n")
    storage.put_bytes(f"jobs/{job_id}/clips/edit.fcpxml", b"<fcpxml/>")
    storage.put_bytes(f"uploads/alice/{job_id}/source.mp4", VIDEO, "video/mp4")
    manifest = {"clips": [clip], "topics": [], "edl": "clips/edit.edl"}
    storage.put_json(f"jobs/{job_id}/manifest.json", manifest)
    store.update(job_id, manifest_key=f"jobs/{job_id}/manifest.json", source_etag="etag")
    store.record_progress(job_id, status=JobStatus.DONE, stage="done", percent=100.0, message="")
    return job_id


def _links(gql: Gql, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = gql(JOB, {"id": job_id})["data"]["job"]
    return job


def test_the_owner_streams_every_file_from_the_apis_origin_with_types_and_names(
    gql: Gql, client: TestClient, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    job = _links(gql, job_id)
    media = job["clips"][0]["media"]
    # same origin (a path), and the presigned URL is still there for API clients
    assert all(url.startswith(f"/media/{job_id}/") for url in media.values())
    assert job["clips"][0]["videoUrl"].startswith(storage.endpoint_url or "?")
    video = client.get(media["video"])
    assert video.status_code == 200 and video.content == VIDEO
    assert video.headers["content-type"] == "video/mp4"
    assert video.headers["accept-ranges"] == "bytes"
    assert video.headers["content-disposition"] == "inline"
    assert "v=2" in media["video"]  # the render version: a new render is a new URL
    named = client.get(media["videoDownload"])
    assert named.content == VIDEO
    assert 'filename="Week 1-clip1.mp4"' in named.headers["content-disposition"]
    srt = client.get(media["srt"])
    assert srt.headers["content-type"].startswith("application/x-subrip")
    assert srt.headers["content-disposition"].startswith("attachment;")
    assert client.get(media["vtt"]).headers["content-type"].startswith("text/vtt")
    assert client.get(media["thumbnail"]).headers["content-type"] == "image/jpeg"
    files = job["media"]
    assert client.get(files["source"]).content == VIDEO
    assert client.get(files["edl"]).text == "TITLE: Week 1\n"
    assert client.get(files["fcpxml"]).headers["content-type"] == "application/xml"
    assert files["chaptersVtt"] is None  # no chapters file: no link
    # a second look at the job gives the same links (the page keeps its <video> elements)
    assert _links(gql, job_id)["clips"][0]["media"] == media
    # the zip on the same origin
    archive = gql(ARCHIVE, {"job": job_id})["data"]["jobArchive"]
    zipped = client.get(archive["mediaUrl"])
    assert zipped.status_code == 200 and len(zipped.content) == archive["sizeBytes"]
    assert zipped.headers["content-type"] == "application/zip"
    assert 'filename="Week 1.zip"' in zipped.headers["content-disposition"]


def test_range_requests_answer_206_with_exactly_those_bytes(
    gql: Gql, client: TestClient, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    url = _links(gql, _done_job(gql, storage, sqlite_store))["clips"][0]["media"]["video"]
    part = client.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == VIDEO[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(VIDEO)}"
    assert part.headers["content-length"] == "1000"
    tail = client.get(url, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.content == VIDEO[-16:]
    rest = client.get(url, headers={"Range": "bytes=10000-"})
    assert rest.status_code == 206 and rest.content == VIDEO[10000:]
    beyond = client.get(url, headers={"Range": f"bytes={len(VIDEO)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(VIDEO)}"
    # a cached copy is revalidated: unchanged, 304 with no body
    etag = part.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # the object changed since the first part: If-Range falls back to the whole file
    whole = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert whole.status_code == 200 and whole.content == VIDEO
    head = client.head(url)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(VIDEO))


def test_another_owner_a_forged_an_altered_or_an_expired_link_gets_nothing(
    gql: Gql,
    client: TestClient,
    storage: S3StorageResource,
    sqlite_store: JobStoreResource,
    api_settings: Settings,
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    media = _links(gql, job_id)["clips"][0]["media"]
    assert gql(JOB, {"id": job_id}, token="bob-token")["data"]["job"] is None
    # bob with a genuine link of his own for alice's job: not his job, so not found
    signer = MediaSigner.for_settings(api_settings)
    bobs = client.get(signer.url("bob", job_id, "clips/1/clip.mp4"))
    assert bobs.status_code == 404 and bobs.json()["error"]["code"] == "NOT_FOUND"
    # alice's link with bob's name put in the token: the signature no longer matches
    query = parse_qs(urlsplit(media["video"]).query)
    exp, _owner, mac = query["t"][0].split(".")
    forged = client.get(f"/media/{job_id}/clips/1/clip.mp4?t={exp}.Ym9i.{mac}")
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "MEDIA_LINK_INVALID"
    # the video's token on another file, or a later expiry, or no token at all
    swapped = client.get(f"/media/{job_id}/clips/1/clip.srt?t={query['t'][0]}")
    assert swapped.status_code == 403
    later = client.get(f"/media/{job_id}/clips/1/clip.mp4?t={int(exp) + 3600}.{_owner}.{mac}")
    assert later.status_code == 403
    assert client.get(f"/media/{job_id}/clips/1/clip.mp4").status_code == 403
    # a link minted long ago has expired; the message says what to do
    old = MediaSigner.for_settings(api_settings, clock=lambda: time.time() - 3 * 3600)
    expired = client.get(old.url("alice", job_id, "clips/1/clip.mp4"))
    assert expired.status_code == 403
    assert expired.json()["error"]["code"] == "MEDIA_LINK_EXPIRED"
    assert "reload the page" in expired.json()["error"]["message"]
    # a GET link does not upload
    assert client.put(media["video"], content=b"x").status_code == 403
    # the job deleted: its links stop working at once
    gql("mutation($id: ID!) { deleteJob(id: $id) { __typename } }", {"id": job_id})
    assert client.get(media["video"]).status_code == 404


def test_the_upload_goes_through_the_apis_origin_only_as_declared(
    gql: Gql, client: TestClient, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    ticket = _ticket(gql)
    url, job_id = ticket["mediaUploadUrl"], ticket["job"]["id"]
    assert url.startswith(f"/media/{job_id}/source?")
    headers = dict(ticket["uploadHeaders"])
    wrong_type = client.put(url, content=VIDEO, headers={"Content-Type": "video/webm"})
    assert wrong_type.status_code == 415 and "video/mp4" in wrong_type.json()["error"]["message"]
    short = client.put(url, content=VIDEO[:100], headers=headers)
    assert short.status_code == 400 and short.json()["error"]["code"] == "INVALID_SIZE"
    assert storage.head(f"uploads/alice/{job_id}/source.mp4") is None
    done = client.put(url, content=VIDEO, headers=headers)
    assert done.status_code == 200, done.text
    assert storage.get_bytes(f"uploads/alice/{job_id}/source.mp4") == VIDEO
    found = storage.head(f"uploads/alice/{job_id}/source.mp4")
    assert found is not None and found.content_type == "video/mp4"
    # once the upload sensor has taken the file, the link cannot replace it
    sqlite_store.update(job_id, source_etag=found.etag)
    again = client.put(url, content=VIDEO, headers=headers)
    assert again.status_code == 409 and "start a new upload" in again.json()["error"]["message"]


def test_a_link_checks_itself_without_the_api() -> None:
    now = [1_000_050.0]  # the start of a 150 s step (a quarter of the lifetime)
    signer = MediaSigner(b"k" * 32, 600, clock=lambda: now[0])
    url = signer.url("alice", "job", "clips/1/clip.mp4", download="a.mp4")
    token = parse_qs(urlsplit(url).query)["t"][0]
    assert signer.verify(token, "job", "clips/1/clip.mp4", "a.mp4") == "alice"
    with pytest.raises(MediaDenied):
        signer.verify(token, "job", "clips/1/clip.mp4", "b.mp4")  # another download name
    with pytest.raises(MediaDenied):
        signer.verify(token, "job", "clips/1/clip.mp4", "a.mp4", method="PUT")
    with pytest.raises(ValueError):
        signer.url("alice", "job", "../other/clip.mp4")
    # the same URL for a while (stable elements and cache), valid for at least the lifetime
    now[0] += 100
    assert signer.url("alice", "job", "clips/1/clip.mp4", download="a.mp4") == url
    now[0] += 600
    assert signer.verify(token, "job", "clips/1/clip.mp4", "a.mp4") == "alice"
    now[0] += 600
    with pytest.raises(MediaDenied, match="expired"):
        signer.verify(token, "job", "clips/1/clip.mp4", "a.mp4")


@pytest.mark.parametrize(
    ("header", "span"),
    [
        (None, None),
        ("bytes=0-0", (0, 0)),
        ("bytes=5-", (5, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=90-500", (90, 99)),  # clipped to the end
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("items=0-5", None),
        ("bytes=9-3", None),
    ],
)
def test_range_headers_are_read_as_rfc_9110_says(
    header: str | None, span: tuple[int, int] | None
) -> None:
    assert parse_range(header, 100) == span
