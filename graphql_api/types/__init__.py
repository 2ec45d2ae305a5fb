"""GraphQL types by domain, each built from a domain object by `from_domain`; re-exported here."""

from graphql_api.types.clip import Chapter, Clip, Cue
from graphql_api.types.edits import (
    CaptionCueInput,
    CaptionFix,
    ClipEdit,
    ClipEditResult,
    ClipEditSaved,
    JobArchive,
    JobArchiveResult,
)
from graphql_api.types.enums import (
    CaptionStyle,
    ClipEditStatus,
    JobStatus,
    Layout,
    LayoutKind,
    Stage,
)
from graphql_api.types.errors import AuthError, NotFoundError, QuotaExceededError, ValidationError
from graphql_api.types.job import (
    Deleted,
    DeleteResult,
    Job,
    JobConnection,
    JobError,
    JobMutationResult,
    JobResult,
    PageInfo,
    ProgressEvent,
    SourceInfo,
    StageLogEntry,
)
from graphql_api.types.scalars import Long
from graphql_api.types.slides import Slide
from graphql_api.types.timeline import LayoutPeriod, Region, Timeline, TimeRange
from graphql_api.types.transcript import Sentence, TranscriptPage, TranscriptSegment, TranscriptWord
from graphql_api.types.upload import (
    CreateUploadInput,
    CreateUploadResult,
    JobOptionsInput,
    UploadTicket,
    headers_json,
)

__all__ = [
    "AuthError",
    "CaptionCueInput",
    "CaptionFix",
    "CaptionStyle",
    "Chapter",
    "Clip",
    "ClipEdit",
    "ClipEditResult",
    "ClipEditSaved",
    "ClipEditStatus",
    "CreateUploadInput",
    "CreateUploadResult",
    "Cue",
    "DeleteResult",
    "Deleted",
    "Job",
    "JobArchive",
    "JobArchiveResult",
    "JobConnection",
    "JobError",
    "JobMutationResult",
    "JobOptionsInput",
    "JobResult",
    "JobStatus",
    "Layout",
    "LayoutKind",
    "LayoutPeriod",
    "Long",
    "NotFoundError",
    "PageInfo",
    "ProgressEvent",
    "QuotaExceededError",
    "Region",
    "Sentence",
    "Slide",
    "SourceInfo",
    "Stage",
    "StageLogEntry",
    "TimeRange",
    "Timeline",
    "TranscriptPage",
    "TranscriptSegment",
    "TranscriptWord",
    "UploadTicket",
    "ValidationError",
    "headers_json",
]
