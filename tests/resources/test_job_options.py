"""The job-options contract: what it refuses (naming the field and the fix) and what it keeps."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from lecture_assets.analysis.render.graph import LayoutPreference
from resources.jobs import (
    MAX_CLIPS_RANGE,
    CaptionStyle,
    ClipLimits,
    JobOptions,
    Layout,
    OptionError,
    split_glossary,
)

# (raw input as a user gives it, the field refused, words the message must contain)
REFUSED: list[tuple[dict[str, Any], str, str]] = [
    ({"max_clips": 0}, "max_clips", "between 1 and 20 clips (got 0)"),
    ({"max_clips": 21}, "max_clips", "got 21"),
    ({"min_seconds": 4.0}, "min_seconds", "between 5 and 600 s (got 4)"),
    ({"max_seconds": 601.0}, "max_seconds", "got 601"),
    ({"min_seconds": float("nan")}, "min_seconds", "got nan"),
    ({"min_seconds": 90.0, "max_seconds": 30.0}, "min_seconds", "lower the shortest"),
    ({"layout": "grid"}, "layout", "auto, split, screen, camera (got 'grid')"),
    ({"caption_style": "comic"}, "caption_style", "standard, karaoke, none (got 'comic')"),
    ({"language": "English"}, "language", "such as en or de"),
    ({"glossary": ["Hessian", " ", "Adam"]}, "glossary", "term 2 is empty"),
    ({"glossary": ["x" * 81]}, "glossary", "has 81 characters"),
    ({"glossary": [f"term{i}" for i in range(201)]}, "glossary", "up to 200 terms (got 201)"),
]


@pytest.mark.parametrize(("raw", "field", "words"), REFUSED, ids=lambda v: str(v)[:40])
def test_the_contract_refuses_naming_the_field_and_the_fix(
    raw: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(OptionError) as caught:
        JobOptions.parse(**raw)
    assert caught.value.field == field
    assert words in caught.value.message


def test_values_are_normalised_once_for_everyone() -> None:
    options = JobOptions.parse(
        layout="split", caption_style="karaoke", glossary=["  Kullback  Leibler ", "Adam", "adam"]
    )
    assert options.layout is Layout.SPLIT and options.caption_style is CaptionStyle.KARAOKE
    assert options.glossary == ("Kullback Leibler", "Adam")  # repeats in any case dropped
    assert JobOptions.parse() == JobOptions()
    assert JobOptions.parse(glossary=[]).glossary is None


@pytest.mark.parametrize(
    ("options", "limits"),
    [
        (JobOptions(), ClipLimits(8, 20.0, 120.0)),
        (JobOptions(max_clips=3, min_seconds=100.0), ClipLimits(3, 100.0, 120.0)),
        (JobOptions(max_seconds=300.0), ClipLimits(8, 20.0, 300.0)),
    ],
)
def test_clip_limits_fill_in_the_server_defaults(options: JobOptions, limits: ClipLimits) -> None:
    assert options.clip_limits(ClipLimits()) == limits


@pytest.mark.parametrize(
    ("options", "field"),
    [(JobOptions(min_seconds=150.0), "min_seconds"), (JobOptions(max_seconds=10.0), "max_seconds")],
)
def test_one_length_against_the_server_default_names_the_one_set(
    options: JobOptions, field: str
) -> None:
    with pytest.raises(OptionError) as caught:
        options.clip_limits(ClipLimits())
    assert caught.value.field == field
    assert "server default" in caught.value.message and "also set" in caught.value.message


def test_a_merge_that_crosses_the_lengths_is_refused() -> None:
    kept = JobOptions(min_seconds=20.0, max_seconds=30.0)
    with pytest.raises(OptionError, match="shortest clip length \\(60 s\\)"):
        kept.merged(JobOptions(min_seconds=60.0))
    assert kept.merged(JobOptions(layout=Layout.CAMERA)).layout is Layout.CAMERA


def test_stored_options_survive_a_round_trip_and_old_bad_values_fall_back() -> None:
    options = JobOptions.parse(max_clips=3, layout="screen", glossary=["Hessian"], language="de")
    assert JobOptions.from_json(options.to_json()) == options
    # written before the contract refused them (e.g. by the old CLI): the job still loads
    old = JobOptions.from_json('{"max_clips": 50, "layout": "grid", "caption_style": "karaoke"}')
    assert old == JobOptions(caption_style=CaptionStyle.KARAOKE)


def test_every_layout_the_contract_accepts_is_one_the_renderer_draws() -> None:
    assert {m.value for m in Layout} == set(get_args(LayoutPreference))


def test_glossary_text_splits_on_commas_semicolons_and_lines() -> None:
    assert split_glossary("Hessian, Adam;\nKL") == ["Hessian", " Adam", "KL"]
    assert split_glossary("Hessian, ,Adam") == ["Hessian", " ", "Adam"]
    assert split_glossary(None) == []
    with pytest.raises(OptionError, match="term 3 is empty"):
        JobOptions.parse(glossary=split_glossary("Hessian, Adam,"))


def test_the_server_defaults_are_the_contracts() -> None:
    from lecture_assets.analysis.models import SegmentOptions
    from resources.media import MediaResource
    from resources.settings import Settings

    fields = Settings.model_fields
    configured = ClipLimits(
        fields["max_clips"].default,
        fields["min_clip_seconds"].default,
        fields["max_clip_seconds"].default,
    )
    # an operator's default clip count obeys the same bounds a user's does
    [low] = [m.ge for m in fields["max_clips"].metadata if hasattr(m, "ge")]
    [high] = [m.le for m in fields["max_clips"].metadata if hasattr(m, "le")]
    assert (low, high) == MAX_CLIPS_RANGE
    media = MediaResource()
    agent = SegmentOptions()
    assert (
        configured
        == ClipLimits()
        == ClipLimits(media.max_clips, media.min_clip_seconds, media.max_clip_seconds)
    )
    # the agent cannot import the contract (layers): its defaults must still be the same
    assert ClipLimits(agent.max_clips, agent.min_seconds, agent.max_seconds) == ClipLimits()
