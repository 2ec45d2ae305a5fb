"""S3 object storage through boto3 (AWS, MinIO, the embedded SeaweedFS, moto)."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import PrivateAttr

from resources.lifecycle import LifecycleRules, lifecycle_rules
from resources.storage.base import KeyList, StorageError, StorageResource, StoredObject, Tags

# guards the lazily built boto3 clients (a lock cannot live on a copyable resource)
_CLIENT_LOCK = threading.Lock()
# S3 error codes that mean "try again later", not "your request is wrong"
TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "ServiceUnavailable",
        "InternalError",
        "503",
        "500",
        "502",
        "504",
    }
)


class S3StorageResource(StorageResource):
    """S3 through boto3: SigV4, path-style addressing, retries with backoff from botocore."""

    bucket: str
    endpoint_url: str | None = None
    public_endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    max_attempts: int = 5
    timeout_s: float = 30.0

    _client: Any = PrivateAttr(default=None)
    _public_client: Any = PrivateAttr(default=None)

    def _make_client(self, endpoint: str | None) -> Any:
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            # total_max_attempts counts the first try too ("max_attempts" would mean retries)
            retries={"total_max_attempts": max(1, self.max_attempts), "mode": "standard"},
            connect_timeout=self.timeout_s,
            read_timeout=self.timeout_s,
        )
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=config,
        )

    @property
    def client(self) -> Any:
        if self._client is None:
            with _CLIENT_LOCK:
                if self._client is None:
                    self._client = self._make_client(self.endpoint_url)
        return self._client

    @property
    def public_client(self) -> Any:
        """The client that signs URLs for browsers (public endpoint when one is set)."""
        if self._public_client is None:
            # one client for every thread: a cold api would otherwise build one per request
            # until the first finished (~50 ms of model loading each, all under the gil)
            with _CLIENT_LOCK:
                if self._public_client is None:
                    endpoint = self.public_endpoint_url or self.endpoint_url
                    self._public_client = self._make_client(endpoint)
        return self._public_client

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist yet (embedded default and tests)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def apply_lifecycle(self, upload_days: int, intermediate_days: int) -> LifecycleRules:
        """Expire raw uploads and tagged intermediates (clips stay); 0 days disables a rule.

        Replaces the bucket's whole lifecycle configuration; returns the rules it set.
        """
        rules = lifecycle_rules(upload_days, intermediate_days)
        if rules:
            config = {"Rules": rules}
            self._call(
                self.client.put_bucket_lifecycle_configuration,
                Bucket=self.bucket,
                LifecycleConfiguration=config,
            )
        else:
            self._call(self.client.delete_bucket_lifecycle, Bucket=self.bucket)
        return rules

    def tags(self, key: str) -> Tags:
        """The object's tags (lifecycle class), empty when it has none."""
        found = self._call(self.client.get_object_tagging, Bucket=self.bucket, Key=key)
        return {t["Key"]: t["Value"] for t in found.get("TagSet", [])}

    def put_file(
        self, key: str, path: Path, content_type: str | None = None, tags: Tags | None = None
    ) -> None:
        extra: dict[str, str] = {}
        if content_type:
            extra["ContentType"] = content_type
        if tags:
            extra["Tagging"] = urlencode(tags)
        self._call(self.client.upload_file, str(path), self.bucket, key, ExtraArgs=extra or None)

    def put_bytes(
        self, key: str, data: bytes, content_type: str | None = None, tags: Tags | None = None
    ) -> None:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Body": data}
        if content_type:
            args["ContentType"] = content_type
        if tags:
            args["Tagging"] = urlencode(tags)
        self._call(self.client.put_object, **args)

    def get_file(self, key: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
        os.close(fd)
        try:
            self._call(self.client.download_file, self.bucket, key, tmp)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return dest

    def get_bytes(self, key: str, byte_range: tuple[int, int] | None = None) -> bytes:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if byte_range is not None:
            args["Range"] = f"bytes={byte_range[0]}-{byte_range[1]}"
        body = self._call(self.client.get_object, **args)["Body"]
        return bytes(body.read())

    def head(self, key: str) -> StoredObject | None:
        try:
            meta = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise self._explain(exc) from exc
        except BotoCoreError as exc:
            raise self._explain(exc) from exc
        return StoredObject(
            key=key,
            size=int(meta["ContentLength"]),
            etag=str(meta["ETag"]).strip('"'),
            last_modified=meta["LastModified"],
            content_type=meta.get("ContentType"),
        )

    def list(self, prefix: str) -> Iterator[StoredObject]:
        paginator = self.client.get_paginator("list_objects_v2")
        pages = iter(paginator.paginate(Bucket=self.bucket, Prefix=prefix))
        while (page := self._call(next, pages, None)) is not None:
            for item in page.get("Contents", []):
                yield StoredObject(
                    key=item["Key"],
                    size=int(item["Size"]),
                    etag=str(item["ETag"]).strip('"'),
                    last_modified=item["LastModified"],
                )

    def delete_keys(self, keys: KeyList) -> None:
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": k} for k in keys[start : start + 1000]]
            self._call(self.client.delete_objects, Bucket=self.bucket, Delete={"Objects": chunk})

    def presign_get(self, key: str, expiry_s: int, download_name: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        return str(
            self.public_client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expiry_s
            )
        )

    def presign_put(
        self, key: str, content_type: str, expiry_s: int, size_bytes: int | None = None
    ) -> tuple[str, dict[str, str]]:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        if size_bytes is not None:
            # signed: S3 (and the embedded store) refuse a body of any other length
            params["ContentLength"] = size_bytes
        url = self.public_client.generate_presigned_url(
            "put_object", Params=params, ExpiresIn=expiry_s
        )
        return str(url), {"Content-Type": content_type}

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise self._explain(exc) from exc

    def _explain(self, exc: ClientError | BotoCoreError) -> StorageError:
        """A StorageError whose message tells the user or operator what to do next."""
        again = "try again in a few minutes (reprocess the job), and tell the operator"
        if isinstance(exc, BotoCoreError):  # timeouts, refused connections: no HTTP answer
            return StorageError(
                f"object storage did not answer ({type(exc).__name__}) after "
                f"{self.max_attempts} attempts; {again} to check the S3 endpoint if it persists"
            )
        code = str(exc.response.get("Error", {}).get("Code", "?"))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if status >= 500 or code in TRANSIENT_CODES:
            return StorageError(
                f"object storage is unavailable or throttling ({code}) after "
                f"{self.max_attempts} attempts; {again} if it persists"
            )
        return StorageError(
            f"object storage refused the request ({code}) after retries; check that the "
            f"bucket '{self.bucket}' exists and the credentials are right"
        )
