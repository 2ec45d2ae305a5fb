"""The one contract for job options: what an uploader may ask for, checked on construction."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from resources.settings import Settings

E = TypeVar("E", bound=StrEnum)


class Layout(StrEnum):
    """How a clip's picture is arranged: fitted to the recording, or forced."""

    AUTO = "auto"
    SPLIT = "split"
    SCREEN = "screen"
    CAMERA = "camera"


class CaptionStyle(StrEnum):
    """How the subtitles burned into a clip look (SRT/VTT files are written for every style)."""

    STANDARD = "standard"
    KARAOKE = "karaoke"
    NONE = "none"


MAX_CLIPS_RANGE = (1, 20)
CLIP_SECONDS_RANGE = (5.0, 600.0)
GLOSSARY_MAX_TERMS = 200
GLOSSARY_TERM_CHARS = 80
_LANGUAGE = re.compile(r"[a-z]{2,3}")


class OptionError(ValueError):
    """A job option the server refuses: `field` is its name in JobOptions, `message` the fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClipLimits:
    """A job's effective clip count and lengths: its own options over the server's defaults."""

    max_clips: int = 8
    min_seconds: float = 20.0
    max_seconds: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ClipLimits:
        """The defaults this deployment is configured with."""
        return cls(settings.max_clips, settings.min_clip_seconds, settings.max_clip_seconds)


def choice(kind: type[E], field: str, value: str | E) -> E:
    """`value` as a member of the option enum `kind`, or OptionError listing the choices."""
    label = field.replace("_", " ")
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise OptionError(field, f"{label} must be one of {allowed} (got {value!r})") from None


def _glossary(terms: Sequence[str]) -> tuple[str, ...] | None:
    # whitespace inside a term is normalised and repeats (any case) dropped; blanks are refused
    out: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(terms, start=1):
        term = " ".join(str(raw).split())
        if not term:
            raise OptionError(
                "glossary", f"glossary term {number} is empty; remove it or the extra separator"
            )
        if len(term) > GLOSSARY_TERM_CHARS:
            raise OptionError(
                "glossary",
                f"glossary term {number} has {len(term)} characters; a term takes up to "
                f"{GLOSSARY_TERM_CHARS} (a name or a phrase, not a sentence)",
            )
        if term.lower() not in seen:
            seen.add(term.lower())
            out.append(term)
        if len(out) > GLOSSARY_MAX_TERMS:  # stop early: a huge list costs nothing more
            raise OptionError(
                "glossary",
                f"the glossary takes up to {GLOSSARY_MAX_TERMS} terms (got {len(terms)}); keep "
                "the names and jargon the transcriber is least likely to know",
            )
    return tuple(out) or None


def _seconds(field: str, label: str, value: float | None) -> None:
    lo, hi = CLIP_SECONDS_RANGE
    if value is not None and not lo <= value <= hi:
        raise OptionError(
            field, f"the {label} clip length must lie between {lo:g} and {hi:g} s (got {value:g})"
        )


def split_glossary(text: str | None) -> list[str]:
    """The terms of a glossary typed as text, separated by commas, semicolons or lines."""
    if text is None:
        return []
    # a run of separators (",\n") splits once; a blank piece stays: the contract refuses it as
    # the API refuses a blank term
    return re.split(r"[,;\n]+", text)


@dataclass(frozen=True)
class JobOptions:
    """What the uploader asked for; None means the server default. Invalid values raise
    OptionError at construction, so every JobOptions in the system is one the API accepts."""

    max_clips: int | None = None
    min_seconds: float | None = None
    max_seconds: float | None = None
    layout: Layout = Layout.AUTO
    caption_style: CaptionStyle = CaptionStyle.STANDARD
    language: str | None = None
    # terms the lecture uses (names, jargon): they prime the transcriber with their spelling
    glossary: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # frozen: normalised values are set through object.__setattr__
        set_ = object.__setattr__
        set_(self, "layout", choice(Layout, "layout", self.layout))
        set_(
            self,
            "caption_style",
            choice(CaptionStyle, "caption_style", self.caption_style),
        )
        if self.glossary is not None:
            set_(self, "glossary", _glossary(self.glossary))
        if self.language is not None and not _LANGUAGE.fullmatch(self.language):
            raise OptionError(
                "language",
                f"language must be a lower-case code such as en or de (got {self.language!r}); "
                "leave it out to detect the language",
            )
        lo, hi = MAX_CLIPS_RANGE
        if self.max_clips is not None and not lo <= self.max_clips <= hi:
            raise OptionError(
                "max_clips", f"ask for between {lo} and {hi} clips (got {self.max_clips})"
            )
        _seconds("min_seconds", "shortest", self.min_seconds)
        _seconds("max_seconds", "longest", self.max_seconds)
        if self.min_seconds is not None and self.max_seconds is not None:
            self._check_order(self.min_seconds, self.max_seconds, "")

    @classmethod
    def parse(
        cls,
        *,
        max_clips: int | None = None,
        min_seconds: float | None = None,
        max_seconds: float | None = None,
        layout: str | None = None,
        caption_style: str | None = None,
        language: str | None = None,
        glossary: Sequence[str] | None = None,
    ) -> JobOptions:
        """Options from a user's raw input (CLI flags, API input); None keeps the default."""
        return cls(
            max_clips=max_clips,
            min_seconds=min_seconds,
            max_seconds=max_seconds,
            layout=Layout.AUTO if layout is None else layout,  # type: ignore[arg-type]
            caption_style=(
                CaptionStyle.STANDARD if caption_style is None else caption_style  # type: ignore[arg-type]
            ),
            language=language,
            glossary=None if glossary is None else tuple(glossary),
        )

    def clip_limits(self, defaults: ClipLimits) -> ClipLimits:
        """The clip count and lengths this job gets: ours over `defaults`, checked together."""
        limits = ClipLimits(
            self.max_clips if self.max_clips is not None else defaults.max_clips,
            self.min_seconds if self.min_seconds is not None else defaults.min_seconds,
            self.max_seconds if self.max_seconds is not None else defaults.max_seconds,
        )
        self._check_order(limits.min_seconds, limits.max_seconds, ", the server default")
        return limits

    def _check_order(self, lo: float, hi: float, default_note: str) -> None:
        if lo <= hi:
            return
        if self.min_seconds is not None and self.max_seconds is None:
            raise OptionError(
                "min_seconds",
                f"the shortest clip length ({lo:g} s) is above the longest ({hi:g} s"
                f"{default_note}); lower the shortest or also set the longest",
            )
        if self.max_seconds is not None and self.min_seconds is None:
            raise OptionError(
                "max_seconds",
                f"the longest clip length ({hi:g} s) is below the shortest ({lo:g} s"
                f"{default_note}); raise the longest or also set the shortest",
            )
        raise OptionError(
            "min_seconds",
            f"the shortest clip length ({lo:g} s) is above the longest ({hi:g} s); "
            "lower the shortest or raise the longest",
        )

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v is not None})

    @classmethod
    def from_json(cls, raw: str | None) -> JobOptions:
        """Stored options; a value today's contract refuses falls back to its default."""
        data: dict[str, Any] = json.loads(raw or "{}")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("glossary"), list):
            known["glossary"] = tuple(str(t) for t in known["glossary"])
        while True:
            try:
                return cls(**known)
            except OptionError as exc:
                # a row written before a rule existed must still load: drop what it breaks
                if exc.field not in known:
                    raise
                del known[exc.field]

    def merged(self, other: JobOptions) -> JobOptions:
        """These options with every field `other` sets replacing ours (OptionError when the
        result is inconsistent, e.g. a new shortest length above the kept longest)."""
        values = dict(self.__dict__)
        defaults = JobOptions()
        for key, value in other.__dict__.items():
            if value is not None and value != getattr(defaults, key):
                values[key] = value
        return JobOptions(**values)
