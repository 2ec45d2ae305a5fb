"""The job model and its store, shared by the code location, the sensors and the API."""

# the records and the options contract; the store is `resources.jobs.store` (SQLAlchemy and
# Dagster), left out here so that importing a job record does not load either

from resources.jobs.model import Job, JobCommand, JobEvent, JobStatus
from resources.jobs.options import (
    CLIP_SECONDS_RANGE,
    GLOSSARY_MAX_TERMS,
    GLOSSARY_TERM_CHARS,
    MAX_CLIPS_RANGE,
    CaptionStyle,
    ClipLimits,
    JobOptions,
    Layout,
    OptionError,
    choice,
    split_glossary,
)

__all__ = [
    "CLIP_SECONDS_RANGE",
    "GLOSSARY_MAX_TERMS",
    "GLOSSARY_TERM_CHARS",
    "MAX_CLIPS_RANGE",
    "CaptionStyle",
    "ClipLimits",
    "Job",
    "JobCommand",
    "JobEvent",
    "JobOptions",
    "JobStatus",
    "Layout",
    "OptionError",
    "choice",
    "split_glossary",
]
