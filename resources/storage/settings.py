"""The S3 storage resource configured from settings, for the API, the CLI and the code location."""

from __future__ import annotations

from resources.settings import Settings
from resources.storage.s3 import S3StorageResource


def s3_storage(settings: Settings, secret_access_key: str | None = None) -> S3StorageResource:
    """The S3 storage for these settings; `secret_access_key` replaces the settings' key (the
    code location passes Dagster's `EnvVar` so its UI shows the variable's name, not the key)."""
    return S3StorageResource(
        bucket=settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        public_endpoint_url=settings.s3_public_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=(
            settings.s3_secret_access_key.get_secret_value()
            if secret_access_key is None
            else secret_access_key
        ),
        max_attempts=settings.s3_max_attempts,
    )
