"""Deterministic object-storage keys for a job's artifacts (see ARCHITECTURE.md)."""

from __future__ import annotations


def artifact(job_id: str, asset: str, name: str) -> str:
    """`jobs/<job_id>/<asset>/<name>`."""
    return f"jobs/{job_id}/{asset}/{name}"


def asset_prefix(job_id: str, asset: str) -> str:
    return f"jobs/{job_id}/{asset}/"


def clip(job_id: str, index: int, name: str) -> str:
    """`jobs/<job_id>/clips/<n>/<name>` (clip.mp4, clip.srt, clip.vtt, thumb.jpg)."""
    return f"jobs/{job_id}/clips/{index}/{name}"


def clips_prefix(job_id: str) -> str:
    return f"jobs/{job_id}/clips/"


def manifest(job_id: str) -> str:
    return f"jobs/{job_id}/manifest.json"


def job_prefix(job_id: str) -> str:
    return f"jobs/{job_id}/"


def upload_prefix(owner: str, job_id: str) -> str:
    return f"uploads/{owner}/{job_id}/"


def clip_edits(job_id: str) -> str:
    """`jobs/<job_id>/edits/clip_edits.json`: reviewers' fixes, outside every stage's prefix
    so no re-run of a stage deletes them."""
    return f"jobs/{job_id}/edits/clip_edits.json"
