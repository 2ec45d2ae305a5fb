"""A folder standing in for S3: the CLI's `process` and tests keep objects as files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from resources.storage.base import KeyList, StorageError, StorageResource, StoredObject, Tags


class LocalStorageResource(StorageResource):
    """A folder standing in for S3 (the CLI's `process` and tests); URLs are file:// paths."""

    root: str

    def _path(self, key: str) -> Path:
        root = Path(self.root).resolve()
        path = (root / key).resolve()
        if root not in path.parents and path != root:
            raise StorageError(f"refusing a key outside the storage root: {key!r}")
        return path

    def put_file(
        self, key: str, path: Path, content_type: str | None = None, tags: Tags | None = None
    ) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".part-{dest.name}")
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)

    def put_bytes(
        self, key: str, data: bytes, content_type: str | None = None, tags: Tags | None = None
    ) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".part-{dest.name}")
        tmp.write_bytes(data)
        os.replace(tmp, dest)

    def get_file(self, key: str, dest: Path) -> Path:
        src = self._path(key)
        if not src.exists():
            raise StorageError(f"{key} is not in storage")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.resolve() != dest.resolve():
            shutil.copyfile(src, dest)
        return dest

    def get_bytes(self, key: str, byte_range: tuple[int, int] | None = None) -> bytes:
        src = self._path(key)
        if not src.exists():
            raise StorageError(f"{key} is not in storage")
        with src.open("rb") as fh:
            if byte_range is None:
                return fh.read()
            fh.seek(byte_range[0])
            return fh.read(byte_range[1] - byte_range[0] + 1)

    def head(self, key: str) -> StoredObject | None:
        path = self._path(key)
        if not path.exists():
            return None
        stat = path.stat()
        return StoredObject(
            key=key,
            size=stat.st_size,
            etag=f"{stat.st_size:x}-{int(stat.st_mtime_ns):x}",
            last_modified=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
        )

    def list(self, prefix: str) -> Iterator[StoredObject]:
        root = Path(self.root).resolve()
        if not root.exists():
            return
        for path in sorted(root.rglob("*")):
            key = path.relative_to(root).as_posix()
            if path.is_file() and key.startswith(prefix) and not path.name.startswith(".part-"):
                found = self.head(key)
                if found is not None:
                    yield found

    def delete_keys(self, keys: KeyList) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def presign_get(self, key: str, expiry_s: int, download_name: str | None = None) -> str:
        return self._path(key).as_uri()

    def presign_put(
        self, key: str, content_type: str, expiry_s: int, size_bytes: int | None = None
    ) -> tuple[str, dict[str, str]]:
        return self._path(key).as_uri(), {"Content-Type": content_type}
