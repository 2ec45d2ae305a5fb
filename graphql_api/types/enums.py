"""The schema's enums: UPPER_CASE names on the wire, the pipeline's lower-case values in Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, cast, get_args

import strawberry

from lecture_assets.analysis.models import LayoutKind as DomainLayoutKind
from lecture_assets.stages import REGISTRY
from resources.jobs import JobStatus as DomainStatus

LAYOUT_KINDS = {
    "pip": "The speaker's camera sits inside the screen picture (picture-in-picture).",
    "side_by_side": "The screen and the speaker's camera share the frame side by side.",
    "slides": "The screen (slides) fills the frame; no speaker in view.",
    "camera": "The speaker fills the frame; no screen in view.",
    "unknown": "Neither a screen nor a speaker was found with confidence.",
}


class WireEnum(Enum):
    """An enum whose members carry the pipeline's lower-case value of each UPPER_CASE name."""

    @property
    def domain(self) -> str:
        """The pipeline's value, e.g. `highlight_segments` for HIGHLIGHT_SEGMENTS."""
        # strawberry.enum_value leaves the plain string as the member's value at runtime
        return cast(str, self.value)


def derived_enum(
    name: str, values: Iterable[str], notes: Mapping[str, str], about: str
) -> type[WireEnum]:
    """A GraphQL enum with one UPPER_CASE member per value; `notes` describe the members."""
    members = [
        (v.upper(), strawberry.enum_value(v, description=notes.get(v, f"`{v}`."))) for v in values
    ]
    # Enum's functional API, here making a subclass of WireEnum
    built = WireEnum(name, members)  # type: ignore[call-arg]
    return strawberry.enum(cast(type[WireEnum], built), description=about)


if TYPE_CHECKING:
    # built at import from the stage registry and the layout agent; mypy sees their base
    Stage = WireEnum
    LayoutKind = WireEnum
else:
    Stage = derived_enum(
        "Stage",
        [s.name for s in REGISTRY],
        {s.name: f"`{s.name}`: {s.description}." for s in REGISTRY},
        "A pipeline stage, in order; reprocessJob re-runs it and every stage depending on it.",
    )
    LayoutKind = derived_enum(
        "LayoutKind",
        get_args(DomainLayoutKind),
        LAYOUT_KINDS,
        "What the recording shows during a layout period.",
    )


@strawberry.enum(description="Where a job is in its life: QUEUED, RUNNING, then a final status.")
class JobStatus(WireEnum):
    QUEUED = strawberry.enum_value("queued", description="Waiting for its upload or a worker.")
    RUNNING = strawberry.enum_value("running", description="The pipeline is working on it.")
    DONE = strawberry.enum_value("done", description="Final: the clips are ready.")
    FAILED = strawberry.enum_value("failed", description="Final: see the job's error.")
    CANCELLED = strawberry.enum_value("cancelled", description="Final: stopped by its owner.")

    @classmethod
    def from_domain(cls, status: DomainStatus) -> JobStatus:
        """The wire enum of a job store status."""
        return cls(status.value)

    def to_domain(self) -> DomainStatus:
        """The job store status of this wire value."""
        return DomainStatus(self.domain)


@strawberry.enum(description="How a clip frames the recording in its 9:16 picture.")
class Layout(WireEnum):
    AUTO = strawberry.enum_value("auto", description="Follow what the recording shows.")
    SPLIT = strawberry.enum_value("split", description="Screen on top, speaker below.")
    SCREEN = strawberry.enum_value("screen", description="The screen (slides) only.")
    CAMERA = strawberry.enum_value("camera", description="The speaker only, reframed.")


@strawberry.enum(description="How the burned-in subtitles look.")
class CaptionStyle(WireEnum):
    STANDARD = strawberry.enum_value("standard", description="Plain burned-in subtitles.")
    KARAOKE = strawberry.enum_value("karaoke", description="The word being spoken is coloured.")
    NONE = strawberry.enum_value("none", description="No burned-in subtitles (files only).")


@strawberry.enum(description="Whether a reviewer's edit is in the clip.")
class ClipEditStatus(WireEnum):
    PENDING = strawberry.enum_value("pending", description="Saved, not rendered yet.")
    APPLIED = strawberry.enum_value("applied", description="Rendered into the clip.")
    REPLACED = strawberry.enum_value(
        "replaced",
        description="A re-cut chose another range for the clip, so the edit no longer applies.",
    )
