"""Upload limits shared by the API (before signing) and the upload sensor (after upload)."""

from __future__ import annotations

from dagster import ConfigurableResource

ALLOWED_TYPES = {
    "mp4": {"video/mp4"},
    "m4v": {"video/mp4", "video/x-m4v"},
    "mov": {"video/quicktime"},
    "mkv": {"video/x-matroska", "video/matroska"},
    "webm": {"video/webm"},
    "avi": {"video/x-msvideo", "video/avi", "video/msvideo"},
    "mpeg": {"video/mpeg"},
    "mpg": {"video/mpeg"},
}


class LimitsResource(ConfigurableResource):
    """How large an upload may be and how long its link lives."""

    max_upload_bytes: int = 4 * 1024**3
    presign_expiry_s: int = 3600
