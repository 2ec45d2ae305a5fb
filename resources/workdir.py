"""Local scratch space per job: the downloaded source and decoded audio, cleaned after runs."""

from __future__ import annotations

import shutil
from pathlib import Path

from dagster import ConfigurableResource

from resources.storage import StorageResource


class WorkdirResource(ConfigurableResource):
    """Caches a job's large inputs on local disk so each is fetched once per machine."""

    root: str

    def job_dir(self, job_id: str) -> Path:
        path = Path(self.root).resolve() / job_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def fetch(self, storage: StorageResource, job_id: str, key: str) -> Path:
        """Local copy of `key`, downloaded on first use (atomic, so parallel steps are safe)."""
        dest = self.job_dir(job_id) / "cache" / key.replace("/", "__")
        if not dest.exists():
            storage.get_file(key, dest)
        return dest

    def scratch(self, job_id: str, name: str) -> Path:
        """A scratch folder for one stage, emptied first."""
        path = self.job_dir(job_id) / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def cleanup(self, job_id: str) -> None:
        """Remove everything this job left on local disk."""
        shutil.rmtree(Path(self.root).resolve() / job_id, ignore_errors=True)
