"""Read and write a job's clip edits in the object store (shared by the API and the assets)."""

from __future__ import annotations

from typing import Any

from lecture_assets import keys
from lecture_assets.analysis.models import from_jsonable, to_jsonable
from lecture_assets.analysis.render.clip_edits import ClipEdits
from resources.dagster_names import CLIPS_TAG as CLIPS_TAG
from resources.storage import StorageError, StorageResource


def load_edits(storage: StorageResource, job_id: str) -> ClipEdits:
    """The job's edits (none yet: an empty set)."""
    try:
        raw: Any = storage.get_json(keys.clip_edits(job_id))
    except StorageError:
        return ClipEdits()
    return from_jsonable(ClipEdits, raw)


def save_edits(storage: StorageResource, job_id: str, edits: ClipEdits) -> None:
    """Store the job's edits, replacing the previous document."""
    storage.put_json(keys.clip_edits(job_id), to_jsonable(edits))


def parse_clips_tag(value: str | None) -> set[int] | None:
    """The clip indices of a `lecture/clips` tag such as `2,3` (None: every clip)."""
    if not value:
        return None
    return {int(v) for v in value.split(",") if v.strip()}
