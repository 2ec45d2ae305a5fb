"""The whole job as one zip (clips, captions, thumbnails, EDL, FCPXML, manifest), built once."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from graphql_api.services import JobService, ServiceError
from lecture_assets import keys


@dataclass(frozen=True)
class Archive:
    url: str
    size_bytes: int
    key: str
    download_name: str


def archive_prefix(job_id: str) -> str:
    return f"jobs/{job_id}/archive/"


def job_archive(service: JobService, owner: str, job_id: str) -> Archive:
    """A presigned URL of the job's zip; rebuilt only when the manifest changed."""
    job = service.owned(owner, job_id)
    manifest = service.manifest(job)
    if manifest is None:
        raise ServiceError(
            "NO_CLIPS", f"the job is {job.status.value} and has no clips yet; wait until done"
        )
    body = json.dumps(manifest, sort_keys=True).encode()
    key = archive_prefix(job.id) + hashlib.sha256(body).hexdigest()[:16] + ".zip"
    stem = job.filename.rsplit(".", 1)[0] or "lecture"
    found = service.storage.head(key)
    if found is None:
        # on disk, not in memory: a job's clips can add up to hundreds of MB
        with tempfile.TemporaryDirectory(prefix="archive-") as tmp:
            size = _build(service, job.id, body, Path(tmp) / "job.zip")
            service.storage.delete_prefix(archive_prefix(job.id))
            service.storage.put_file(key, Path(tmp) / "job.zip", "application/zip")
    else:
        size = found.size
    url = service.storage.presign_get(key, service.settings.presign_expiry_s, f"{stem}.zip")
    return Archive(url, size, key, f"{stem}.zip")


def _build(service: JobService, job_id: str, manifest: bytes, path: Path) -> int:
    """Write the zip; mp4 and jpg are compressed already, so they are stored as they are."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", manifest, zipfile.ZIP_DEFLATED)
        for obj in service.storage.list(keys.clips_prefix(job_id)):
            name = obj.key.removeprefix(keys.job_prefix(job_id))
            data = service.storage.get_bytes(obj.key)
            packed = name.endswith((".mp4", ".jpg"))
            zf.writestr(name, data, zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED)
    return path.stat().st_size
