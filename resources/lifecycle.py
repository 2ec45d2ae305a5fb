"""S3 lifecycle rules: raw uploads and tagged intermediates expire, clips and manifests stay."""

from __future__ import annotations

from typing import Any

# objects tagged with this expire after `intermediate_expiry_days`; clips are never tagged
INTERMEDIATE_TAG: dict[str, str] = {"lecture-class": "intermediate"}
UPLOADS_PREFIX = "uploads/"

LifecycleRules = list[dict[str, Any]]


def lifecycle_rules(upload_days: int, intermediate_days: int) -> LifecycleRules:
    """Rules for put_bucket_lifecycle_configuration; a rule with 0 days is left out."""
    rules: LifecycleRules = []
    if upload_days > 0:
        rules.append(
            {
                "ID": "lecture-expire-uploads",
                "Status": "Enabled",
                "Filter": {"Prefix": UPLOADS_PREFIX},
                "Expiration": {"Days": upload_days},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            }
        )
    if intermediate_days > 0:
        [(tag_key, tag_value)] = INTERMEDIATE_TAG.items()
        rules.append(
            {
                "ID": "lecture-expire-intermediates",
                "Status": "Enabled",
                "Filter": {"Tag": {"Key": tag_key, "Value": tag_value}},
                "Expiration": {"Days": intermediate_days},
            }
        )
    return rules
