"""S3 storage against a real local S3 server: round trips, presigned URLs, prefix deletes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from resources.storage import (
    LocalStorageResource,
    S3StorageResource,
    StorageError,
    StorageResource,
)


def _roundtrip(storage: StorageResource, tmp_path: Path) -> None:
    src = tmp_path / "in.bin"
    src.write_bytes(b"0123456789" * 100)
    storage.put_file("jobs/j1/a/in.bin", src)
    storage.put_json("jobs/j1/a/meta.json", {"x": 1})
    assert storage.get_json("jobs/j1/a/meta.json") == {"x": 1}
    assert storage.get_bytes("jobs/j1/a/in.bin", (10, 19)) == b"0123456789"
    out = storage.get_file("jobs/j1/a/in.bin", tmp_path / "out" / "copy.bin")
    assert out.read_bytes() == src.read_bytes()
    head = storage.head("jobs/j1/a/in.bin")
    assert head is not None and head.size == 1000
    assert storage.head("jobs/j1/a/missing") is None
    removed = storage.delete_prefix("jobs/j1/", keep={"jobs/j1/a/meta.json"})
    assert removed == 1
    assert [o.key for o in storage.list("jobs/j1/")] == ["jobs/j1/a/meta.json"]


def test_s3_roundtrip(storage: S3StorageResource, tmp_path: Path) -> None:
    _roundtrip(storage, tmp_path)


def test_local_folder_roundtrip(tmp_path: Path) -> None:
    _roundtrip(LocalStorageResource(root=str(tmp_path / "store")), tmp_path)


def test_presigned_put_then_get_over_http(storage: S3StorageResource) -> None:
    url, headers = storage.presign_put("uploads/o/j/source.mp4", "video/mp4", 600)
    assert "X-Amz-Signature" in url
    put = httpx.put(url, content=b"\x00\x00\x00\x18ftypmp42", headers=headers)
    assert put.status_code == 200
    get = httpx.get(storage.presign_get("uploads/o/j/source.mp4", 600, "lecture.mp4"))
    assert get.status_code == 200 and get.content.startswith(b"\x00\x00\x00\x18ftyp")
    assert "lecture.mp4" in get.headers.get("content-disposition", "")


def test_local_storage_refuses_keys_that_escape_its_root(tmp_path: Path) -> None:
    storage = LocalStorageResource(root=str(tmp_path / "store"))
    with pytest.raises(StorageError, match="outside the storage root"):
        storage.put_bytes("../escape.txt", b"x")
    assert not (tmp_path / "escape.txt").exists()
