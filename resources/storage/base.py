"""The object store's interface: what every storage keeps, lists and signs, and its errors."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource

Tags = dict[str, str]
KeyList = list[str]


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    etag: str
    last_modified: datetime
    content_type: str | None = None


class StorageError(Exception):
    """Storage failed after retries; the message says what to check."""


class StorageResource(ConfigurableResource, ABC):
    """Where uploads, artifacts and clips live; keys follow ARCHITECTURE.md."""

    @abstractmethod
    def put_file(
        self, key: str, path: Path, content_type: str | None = None, tags: Tags | None = None
    ) -> None: ...

    @abstractmethod
    def put_bytes(
        self, key: str, data: bytes, content_type: str | None = None, tags: Tags | None = None
    ) -> None: ...

    @abstractmethod
    def get_file(self, key: str, dest: Path) -> Path: ...

    @abstractmethod
    def get_bytes(self, key: str, byte_range: tuple[int, int] | None = None) -> bytes: ...

    @abstractmethod
    def head(self, key: str) -> StoredObject | None: ...

    @abstractmethod
    def list(self, prefix: str) -> Iterator[StoredObject]: ...

    @abstractmethod
    def delete_keys(self, keys: KeyList) -> None: ...

    @abstractmethod
    def presign_get(self, key: str, expiry_s: int, download_name: str | None = None) -> str: ...

    @abstractmethod
    def presign_put(
        self, key: str, content_type: str, expiry_s: int, size_bytes: int | None = None
    ) -> tuple[str, dict[str, str]]:
        """A URL to PUT `key`; the store refuses another content type or, when given, size."""

    def put_json(self, key: str, value: Any, tags: Tags | None = None) -> None:
        """Store a JSON document (tags, e.g. INTERMEDIATE_TAG, drive lifecycle expiry on S3)."""
        self.put_bytes(key, json.dumps(value, indent=1).encode(), "application/json", tags)

    def get_json(self, key: str) -> Any:
        """Read a JSON document written by put_json."""
        return json.loads(self.get_bytes(key))

    def delete_prefix(self, prefix: str, keep: set[str] | None = None) -> int:
        """Delete every object under prefix except `keep`; returns how many went."""
        doomed = [o.key for o in self.list(prefix) if not keep or o.key not in keep]
        if doomed:
            self.delete_keys(doomed)
        return len(doomed)
