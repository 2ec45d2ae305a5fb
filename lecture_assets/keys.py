"""Deterministic object-storage keys for a job's artifacts (see ARCHITECTURE.md)."""

from __future__ import annotations


def artifact(job_id: str, asset: str, name: str) -> str:
    """`jobs/<job_id>/<asset>/<name>`."""
    return f"jobs/{job_id}/{asset}/{name}"


def asset_prefix(job_id: str, asset: str) -> str:
    return f"jobs/{job_id}/{asset}/"


# the file a stage's typed output is stored as, where it is not `<stage>.json`
_OUTPUT_NAMES = {"source_video": "probe.json", "screen_layout": "layout.json"}


def output(job_id: str, asset: str) -> str:
    """`jobs/<job_id>/<asset>/<asset>.json`: the stage's typed output (the IO manager's key)."""
    return artifact(job_id, asset, _OUTPUT_NAMES.get(asset, f"{asset}.json"))


def audio(job_id: str) -> str:
    """`jobs/<job_id>/source_video/audio.wav`: the lecture's audio, decoded once (16 kHz mono)."""
    return artifact(job_id, "source_video", "audio.wav")


def layout_preview(job_id: str, n: int) -> str:
    """`jobs/<job_id>/screen_layout/preview_<n>.jpg`: a frame with the layout drawn on it."""
    return artifact(job_id, "screen_layout", f"preview_{n}.jpg")


def clip(job_id: str, index: int, name: str) -> str:
    """`jobs/<job_id>/clips/<n>/<name>` (clip.mp4, clip.srt, clip.vtt, thumb.jpg)."""
    return f"jobs/{job_id}/clips/{index}/{name}"


def clips_prefix(job_id: str) -> str:
    return f"jobs/{job_id}/clips/"


def manifest(job_id: str) -> str:
    return f"jobs/{job_id}/manifest.json"


def job_prefix(job_id: str) -> str:
    return f"jobs/{job_id}/"


def clip_edits(job_id: str) -> str:
    """`jobs/<job_id>/edits/clip_edits.json`: reviewers' fixes, outside every stage's prefix
    so no re-run of a stage deletes them."""
    return f"jobs/{job_id}/edits/clip_edits.json"
