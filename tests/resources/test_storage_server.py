"""The embedded store refuses what S3 refuses and keeps every object across SIGTERM and SIGKILL."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import httpx
import pytest

from resources.storage import S3StorageResource
from resources.storage.server import EmbeddedS3, stop_process
from tests.conftest import _free_port

BODY = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


@pytest.fixture
def embedded_storage(embedded_s3: EmbeddedS3) -> S3StorageResource:
    storage = S3StorageResource(
        bucket=f"presign-{uuid.uuid4().hex[:10]}",
        endpoint_url=embedded_s3.endpoint_url,
        access_key_id="testing",
        secret_access_key="testing",
    )
    storage.ensure_bucket()
    return storage


def _put(url: str, body: bytes = BODY, content_type: str = "video/mp4") -> httpx.Response:
    return httpx.put(url, content=body, headers={"Content-Type": content_type})


def _ticket(storage: S3StorageResource, expiry_s: int = 600) -> str:
    url, _headers = storage.presign_put("uploads/o/j/source.mp4", "video/mp4", expiry_s, len(BODY))
    return url


def test_the_upload_url_works_as_issued(embedded_storage: S3StorageResource) -> None:
    assert _put(_ticket(embedded_storage)).status_code == 200
    assert embedded_storage.get_bytes("uploads/o/j/source.mp4") == BODY


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda u: u.replace("X-Amz-Signature=", "X-Amz-Signature=0"), id="signature"),
        pytest.param(lambda u: u.replace("/uploads/o/", "/uploads/other/"), id="key"),
        pytest.param(lambda u: u.replace("X-Amz-Expires=600", "X-Amz-Expires=604800"), id="expiry"),
    ],
)
def test_a_tampered_upload_url_is_refused(embedded_storage: S3StorageResource, tamper) -> None:  # type: ignore[no-untyped-def]
    url = tamper(_ticket(embedded_storage))
    answer = _put(url)
    assert answer.status_code == 403, answer.text
    assert "SignatureDoesNotMatch" in answer.text or "AccessDenied" in answer.text
    assert list(embedded_storage.list("uploads/")) == []


def test_an_expired_upload_url_is_refused(embedded_storage: S3StorageResource) -> None:
    url = _ticket(embedded_storage, expiry_s=1)
    time.sleep(2.5)
    answer = _put(url)
    assert answer.status_code == 403 and "expired" in answer.text.lower(), answer.text
    assert list(embedded_storage.list("uploads/")) == []


def test_another_content_type_is_refused(embedded_storage: S3StorageResource) -> None:
    answer = _put(_ticket(embedded_storage), content_type="text/html")
    assert answer.status_code == 403, answer.text
    assert list(embedded_storage.list("uploads/")) == []


@pytest.mark.parametrize("body", [BODY + b"!", BODY[:-1], b""], ids=["longer", "shorter", "empty"])
def test_another_length_is_refused(embedded_storage: S3StorageResource, body: bytes) -> None:
    answer = _put(_ticket(embedded_storage), body=body)
    assert answer.status_code == 403, answer.text
    assert list(embedded_storage.list("uploads/")) == []


def test_a_tampered_download_url_is_refused(embedded_storage: S3StorageResource) -> None:
    embedded_storage.put_bytes("jobs/j/clips/1/clip.mp4", b"clip")
    url = embedded_storage.presign_get("jobs/j/clips/1/clip.mp4", 600)
    assert httpx.get(url).content == b"clip"
    other = url.replace("/clips/1/", "/clips/2/")
    assert httpx.get(other).status_code == 403


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_objects_survive_a_restart(tmp_path: Path, how: signal.Signals) -> None:
    server = EmbeddedS3(
        data_dir=tmp_path / "s3",
        s3_port=_free_port(),
        access_key_id="testing",
        secret_access_key="testing",
    )
    storage = S3StorageResource(
        bucket="lecture-highlights",
        endpoint_url=server.endpoint_url,
        access_key_id="testing",
        secret_access_key="testing",
    )
    source = tmp_path / "source.mp4"
    source.write_bytes(os.urandom(9 * 1024 * 1024))
    proc = server.start_ready(tmp_path / "weed.log", timeout_s=180)
    try:
        storage.ensure_bucket()
        storage.put_file("uploads/o/j/source.mp4", source, "video/mp4")
        storage.put_json("jobs/j/manifest.json", {"clips": 3})
        link = storage.presign_get("jobs/j/manifest.json", 3600)
        os.kill(proc.pid, how)
        proc.wait(timeout=60)
        # the internal ports change at every start: state must not hang on them
        proc = server.start_ready(tmp_path / "weed.log", timeout_s=180)
        assert storage.get_bytes("uploads/o/j/source.mp4") == source.read_bytes()
        assert storage.get_json("jobs/j/manifest.json") == {"clips": 3}
        assert httpx.get(link).json() == {"clips": 3}  # a link handed out before still works
        head = storage.head("uploads/o/j/source.mp4")
        assert head is not None and head.content_type == "video/mp4"
    finally:
        stop_process(proc)
