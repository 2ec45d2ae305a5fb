"""One storage contract, run against moto (tests) and the embedded SeaweedFS store (`make run`)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest

from resources.lifecycle import INTERMEDIATE_TAG
from resources.storage import S3StorageResource, StorageError
from resources.storage.server import EmbeddedS3


@pytest.fixture(params=["moto", "embedded"])
def any_s3(request: pytest.FixtureRequest) -> S3StorageResource:
    """A fresh bucket on moto or on the embedded durable store."""
    if request.param == "moto":
        endpoint = request.getfixturevalue("s3_endpoint")
    else:
        endpoint = request.getfixturevalue("embedded_s3").endpoint_url
    storage = S3StorageResource(
        bucket=f"contract-{uuid.uuid4().hex[:12]}",
        endpoint_url=endpoint,
        access_key_id="testing",
        secret_access_key="testing",
        max_attempts=3,
    )
    storage.ensure_bucket()
    storage.ensure_bucket()  # idempotent: the stack runs it on every start
    return storage


def test_objects_round_trip_with_ranges_lists_and_prefix_deletes(
    any_s3: S3StorageResource, tmp_path: Path
) -> None:
    big = tmp_path / "source.mp4"
    big.write_bytes(os.urandom(9 * 1024 * 1024))  # past boto3's 8 MiB multipart threshold
    any_s3.put_file("uploads/o/j/source.mp4", big, "video/mp4")
    any_s3.put_json("jobs/j/transcript/transcript.json", {"text": "héllo"}, INTERMEDIATE_TAG)
    any_s3.put_bytes("jobs/j/clips/1/clip.srt", b"1\n00:00:00,000 --> 00:00:01,000\nhi\n")

    head = any_s3.head("uploads/o/j/source.mp4")
    assert head is not None and head.size == big.stat().st_size
    assert head.content_type == "video/mp4"
    assert any_s3.get_bytes("uploads/o/j/source.mp4", (100, 199)) == big.read_bytes()[100:200]
    copy = any_s3.get_file("uploads/o/j/source.mp4", tmp_path / "out" / "copy.mp4")
    assert copy.read_bytes() == big.read_bytes()
    assert any_s3.get_json("jobs/j/transcript/transcript.json") == {"text": "héllo"}
    assert any_s3.tags("jobs/j/transcript/transcript.json") == INTERMEDIATE_TAG
    assert any_s3.head("jobs/j/missing.json") is None
    assert [o.key for o in any_s3.list("jobs/j/")] == [
        "jobs/j/clips/1/clip.srt",
        "jobs/j/transcript/transcript.json",
    ]
    assert any_s3.delete_prefix("jobs/j/", keep={"jobs/j/clips/1/clip.srt"}) == 1
    assert [o.key for o in any_s3.list("jobs/j/")] == ["jobs/j/clips/1/clip.srt"]
    with pytest.raises(StorageError, match=r"refused|unavailable"):
        any_s3.get_bytes("jobs/j/transcript/transcript.json")


def test_lifecycle_rules_are_stored(any_s3: S3StorageResource) -> None:
    rules = any_s3.apply_lifecycle(7, 30)
    stored = any_s3.client.get_bucket_lifecycle_configuration(Bucket=any_s3.bucket)["Rules"]
    assert sorted(r["ID"] for r in stored) == sorted(r["ID"] for r in rules)
    assert {r["Expiration"]["Days"] for r in stored} == {7, 30}


def test_presigned_put_with_its_signed_type_and_length_then_get(
    any_s3: S3StorageResource,
) -> None:
    body = b"\x00\x00\x00\x18ftypmp42" + os.urandom(1000)
    url, headers = any_s3.presign_put("uploads/o/j/source.mp4", "video/mp4", 600, len(body))
    assert httpx.put(url, content=body, headers=headers).status_code == 200
    got = httpx.get(any_s3.presign_get("uploads/o/j/source.mp4", 600, "lecture.mp4"))
    assert got.status_code == 200 and got.content == body
    assert "lecture.mp4" in got.headers.get("content-disposition", "")
    head = any_s3.head("uploads/o/j/source.mp4")
    assert head is not None and head.content_type == "video/mp4"


def test_the_embedded_store_keeps_the_bucket_private(embedded_s3: EmbeddedS3) -> None:
    storage = S3StorageResource(
        bucket=f"private-{uuid.uuid4().hex[:10]}",
        endpoint_url=embedded_s3.endpoint_url,
        access_key_id="testing",
        secret_access_key="testing",
    )
    storage.ensure_bucket()
    storage.put_bytes("jobs/j/clips/1/clip.mp4", b"clip")
    url = f"{embedded_s3.endpoint_url}/{storage.bucket}/jobs/j/clips/1/clip.mp4"
    assert httpx.get(url).status_code == 403  # no signature: no clip
    wrong = S3StorageResource(
        bucket=storage.bucket,
        endpoint_url=embedded_s3.endpoint_url,
        access_key_id="testing",
        secret_access_key="not-the-secret",
        max_attempts=1,
    )
    with pytest.raises(StorageError, match="refused"):
        wrong.get_bytes("jobs/j/clips/1/clip.mp4")
