"""`python -m lecture_assets.storage_setup`: create the bucket and apply its lifecycle rules."""

from __future__ import annotations

import logging

from resources.logging_setup import configure_logging
from resources.settings import get_settings
from resources.storage.settings import s3_storage

log = logging.getLogger(__name__)


def main() -> int:
    """Idempotent: safe to run on every deploy (Compose runs it before the API starts)."""
    settings = get_settings()
    configure_logging(settings)
    storage = s3_storage(settings)
    storage.ensure_bucket()
    rules = storage.apply_lifecycle(settings.upload_expiry_days, settings.intermediate_expiry_days)
    log.info(
        "bucket %s ready with %d lifecycle rules",
        settings.s3_bucket,
        len(rules),
        extra={"bucket": settings.s3_bucket, "rules": [r["ID"] for r in rules]},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
