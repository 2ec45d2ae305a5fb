"""Results the API serves for a job: from the manifest (kept) before stage outputs (they expire).

The bucket's lifecycle rule deletes stage outputs (tagged intermediate) after
LECTURE_INTERMEDIATE_EXPIRY_DAYS; the manifest written with the clips holds the transcript,
speech, silences, layout and slides for good. Before the clips exist, the stage outputs are
what there is.
"""

from __future__ import annotations

from typing import Any

from graphql_api.services import JobService
from lecture_assets import keys
from resources.jobs import Job
from resources.storage import StorageError


def _manifest_part(service: JobService, job: Job, part: str) -> Any | None:
    manifest = service.manifest(job)
    return None if manifest is None else manifest.get(part)


def _stage_output(service: JobService, job: Job, stage: str) -> Any | None:
    try:
        return service.storage.get_json(keys.output(job.id, stage))
    except StorageError:
        return None


def transcript(service: JobService, job: Job) -> dict[str, Any] | None:
    """`{"language", "segments": [{"start", "end", "text", "words": [...]}]}` or None."""
    found = _manifest_part(service, job, "transcript")
    if isinstance(found, dict):
        return found
    data = _stage_output(service, job, "transcript")
    return data if isinstance(data, dict) else None


def timeline(service: JobService, job: Job) -> tuple[dict[str, Any], dict[str, Any]]:
    """(speech map, layout) in their stages' shapes; empty dicts when neither exists yet."""
    manifest = service.manifest(job) or {}
    if "speech" in manifest and "layout" in manifest:
        speech = {
            "speech": [{"start": a, "end": b} for a, b in manifest["speech"]],
            "silences": [{"start": a, "end": b} for a, b in manifest.get("silences", [])],
        }
        return speech, dict(manifest["layout"])
    speech_map = _stage_output(service, job, "silence_map")
    layout = _stage_output(service, job, "screen_layout")
    return (
        speech_map if isinstance(speech_map, dict) else {},
        layout if isinstance(layout, dict) else {},
    )


def slides(service: JobService, job: Job) -> list[dict[str, Any]]:
    """Each slide read from the screen: start, end, title, text, lines."""
    found = _manifest_part(service, job, "slides")
    if isinstance(found, list) and found:
        return found
    data = _stage_output(service, job, "slides")
    return list(data.get("slides", [])) if isinstance(data, dict) else []
