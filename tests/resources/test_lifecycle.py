"""Bucket lifecycle: uploads and tagged intermediates expire, clips and manifests are kept."""

from __future__ import annotations

from pathlib import Path

from lecture_assets import keys
from lecture_assets.io_manager import store_output
from resources.lifecycle import INTERMEDIATE_TAG
from resources.settings import Settings
from resources.storage import S3StorageResource


def _rules(storage: S3StorageResource) -> dict[str, dict]:
    found = storage.client.get_bucket_lifecycle_configuration(Bucket=storage.bucket)
    return {rule["ID"]: rule for rule in found["Rules"]}


def test_apply_lifecycle_sets_upload_and_intermediate_rules(storage: S3StorageResource) -> None:
    storage.apply_lifecycle(upload_days=7, intermediate_days=30)
    rules = _rules(storage)
    uploads = rules["lecture-expire-uploads"]
    assert uploads["Filter"] == {"Prefix": "uploads/"}
    assert uploads["Expiration"]["Days"] == 7
    assert uploads["Status"] == "Enabled"
    intermediates = rules["lecture-expire-intermediates"]
    assert intermediates["Filter"] == {"Tag": {"Key": "lecture-class", "Value": "intermediate"}}
    assert intermediates["Expiration"]["Days"] == 30
    # re-applying with new settings replaces the rules instead of piling them up
    storage.apply_lifecycle(upload_days=3, intermediate_days=0)
    rules = _rules(storage)
    assert list(rules) == ["lecture-expire-uploads"]
    assert rules["lecture-expire-uploads"]["Expiration"]["Days"] == 3


def test_intermediates_are_tagged_and_clips_are_not(
    storage: S3StorageResource, tmp_path: Path
) -> None:
    job_id = "0b6f1c1e-8c9e-4c53-9a55-0d1f3a2b4c5d"
    transcript_key = store_output(storage, job_id, "transcript", {"text": "hi"})
    wav = tmp_path / "audio.wav"
    wav.write_bytes(b"RIFF0000WAVE")
    audio_key = keys.audio(job_id)
    storage.put_file(audio_key, wav, "audio/wav", tags=INTERMEDIATE_TAG)
    clip_key = keys.clip(job_id, 1, "clip.mp4")
    storage.put_file(clip_key, wav, "video/mp4")
    storage.put_json(keys.manifest(job_id), {"clips": []})

    assert storage.tags(transcript_key) == INTERMEDIATE_TAG
    assert storage.tags(audio_key) == INTERMEDIATE_TAG
    assert storage.tags(clip_key) == {}
    assert storage.tags(keys.manifest(job_id)) == {}
    # tagging does not change what is stored
    assert storage.get_json(transcript_key) == {"text": "hi"}
    assert storage.head(audio_key) is not None
    assert storage.head(audio_key).content_type == "audio/wav"  # type: ignore[union-attr]


def test_settings_default_to_a_week_for_uploads_and_a_month_for_intermediates() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.upload_expiry_days, settings.intermediate_expiry_days) == (7, 30)
