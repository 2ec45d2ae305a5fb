"""The fast upload signer gives botocore's presigned URL to the byte, or hands over to botocore."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from unittest import mock

import botocore.auth
import httpx
import pytest

from graphql_api import presign
from graphql_api.presign import PutPresigner
from resources.storage import LocalStorageResource, S3StorageResource

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@contextmanager
def clock(now: datetime) -> Iterator[None]:
    """botocore's signing time and ours, both set to `now`."""
    with (
        mock.patch.object(botocore.auth, "get_current_datetime", return_value=now),
        mock.patch.object(presign, "_timestamp", return_value=now.strftime("%Y%m%dT%H%M%SZ")),
    ):
        yield


KEYS = [
    "uploads/alice/6f1c2a9e-0b7d-4c1e-9f3a-2d5b8e7c4a10/source.mp4",
    "uploads/bob_2/x/source.mov",
    "a/b~c_d.e-f/g",
]
TYPES = ["video/mp4", "video/quicktime", "audio/x-m4a", "video/x-matroska"]


@pytest.mark.parametrize(
    ("endpoint", "public", "region"),
    [
        ("http://127.0.0.1:9000", None, "us-east-1"),
        ("http://127.0.0.1:9000", "https://media.example.org:443/s3", "eu-west-1"),
        ("https://minio.example.org", None, "us-east-1"),
        (None, None, "eu-central-1"),
        (None, None, "us-east-1"),
    ],
)
def test_signs_exactly_as_botocore(endpoint: str | None, public: str | None, region: str) -> None:
    storage = S3StorageResource(
        bucket="lecture-uploads",
        endpoint_url=endpoint,
        public_endpoint_url=public,
        region=region,
        access_key_id="AKIDEXAMPLE",
        secret_access_key=SECRET,
    )
    signer = PutPresigner.for_storage(storage)
    assert isinstance(signer, PutPresigner)
    for now in (datetime(2026, 11, 22, 23, 59, 59), datetime(2027, 1, 1, 0, 0, 0)):
        with clock(now):
            for key in KEYS:
                for content_type in TYPES:
                    expected = storage.presign_put(key, content_type, 3600)
                    assert signer.presign_put(key, content_type, 3600) == expected
                    # the signed length (what createUpload sends) signs the same way too
                    for size in (1, 734_003_200):
                        sized = storage.presign_put(key, content_type, 3600, size)
                        assert "content-length" in sized[0]
                        assert signer.presign_put(key, content_type, 3600, size) == sized


def test_keys_and_types_that_need_encoding_go_to_botocore() -> None:
    storage = S3StorageResource(
        bucket="lecture-uploads", access_key_id="AKIDEXAMPLE", secret_access_key=SECRET
    )
    signer = PutPresigner.for_storage(storage)
    assert isinstance(signer, PutPresigner)
    now = datetime(2026, 11, 22, 12, 0, 0)
    with clock(now):
        for key, content_type in [
            ("uploads/a/Week 3: Eigenvalues.mp4", "video/mp4"),
            ("uploads/a/naïve+plus.mp4", "video/mp4"),
            ("uploads/a/x.mp4", "video/mp4; codecs=avc1"),
        ]:
            assert signer.presign_put(key, content_type, 60) == storage.presign_put(
                key, content_type, 60
            )


def test_without_static_keys_or_s3_the_storage_signs(tmp_path: Path) -> None:
    from_env = S3StorageResource(bucket="lecture-uploads")  # credentials from the environment
    assert PutPresigner.for_storage(from_env) is from_env
    local = LocalStorageResource(root=str(tmp_path))
    assert PutPresigner.for_storage(local) is local


def test_a_signer_that_disagrees_with_botocore_is_not_used() -> None:
    storage = S3StorageResource(
        bucket="lecture-uploads", access_key_id="AKIDEXAMPLE", secret_access_key=SECRET
    )
    with mock.patch.object(PutPresigner, "sign_put", return_value="https://elsewhere/"):
        assert PutPresigner.for_storage(storage) is storage


def test_the_fast_url_uploads_to_s3(storage: S3StorageResource) -> None:
    signer = PutPresigner.for_storage(storage)
    assert isinstance(signer, PutPresigner)
    url, headers = signer.presign_put("uploads/o/j/source.mp4", "video/mp4", 600)
    assert httpx.put(url, content=b"lecture bytes", headers=headers).status_code == 200
    assert storage.get_bytes("uploads/o/j/source.mp4") == b"lecture bytes"
