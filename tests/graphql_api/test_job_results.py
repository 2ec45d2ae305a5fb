"""A finished job's transcript, timeline and slides outlive the intermediates' expiry."""

from __future__ import annotations

from typing import Any

from lecture_assets import keys
from lecture_assets.analysis.models import (
    Chapter,
    HighlightPlan,
    Interval,
    LayoutPeriod,
    LoudnessStats,
    Rect,
    ScreenLayout,
    SourceInfo,
    SpeechMap,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.slides.read import Slide, SlideDeck
from lecture_assets.io_manager import store_output
from lecture_assets.manifest import build_manifest
from resources.jobs import JobOptions
from resources.jobs.store import JobStoreResource
from resources.lifecycle import INTERMEDIATE_TAG
from resources.storage import S3StorageResource
from tests.graphql_api.conftest import Gql

QUERY = """query($id: ID!) { job(id: $id) {
  transcript { language totalSegments segments { start end text words { start end word } } }
  timeline { speech { start end } silences { start end } slideChanges
             layoutPeriods { start end kind screen { x y width height } } }
  slides { start end title lines }
  sentences { start end text } } }"""

INFO = SourceInfo(60.0, 1280, 720, 25.0, True, True, "mp4")
SPEECH = SpeechMap(
    60.0,
    [Interval(0.5, 20.0), Interval(22.0, 59.0)],
    [Interval(20.0, 22.0)],
    LoudnessStats(-24.0, -3.0, -60.0, -20.0),
    "energy",
)
TEXT = Transcript(
    "en",
    [
        TranscriptSegment(
            0.5,
            3.0,
            " Gradient descent.",
            [Word(0.5, 1.4, " Gradient"), Word(1.5, 3.0, " descent.")],
        ),
        TranscriptSegment(22.0, 24.0, " Momentum helps.", [Word(22.0, 24.0, " Momentum")]),
    ],
    "tiny.en",
    60.0,
)
SCREEN = Rect(0, 0, 960, 720)
LAYOUT = ScreenLayout(
    1280, 720, SCREEN, None, [LayoutPeriod(0.0, 60.0, "screen", SCREEN, None)], [12.5, 40.0]
)
DECK = SlideDeck([Slide(0.0, 12.5, "Gradient Descent", "Gradient Descent", ["Gradient Descent"])])
PLAN = HighlightPlan([], [Chapter(0.0, 60.0, "Gradient Descent", 0, 1)], "00:00 Gradient Descent")


def _finished_job(storage: S3StorageResource, store: JobStoreResource) -> str:
    """A job as the pipeline leaves it: stage outputs (intermediate) and the manifest."""
    job = store.create_job(
        owner="alice",
        filename="lecture.mp4",
        content_type="video/mp4",
        size_bytes=10,
        extension="mp4",
        options=JobOptions(),
    )
    for stage, value in (
        ("source_video", INFO),
        ("silence_map", SPEECH),
        ("transcript", TEXT),
        ("screen_layout", LAYOUT),
        ("slides", DECK),
        ("highlight_segments", PLAN),
    ):
        store_output(storage, job.id, stage, value)
    manifest = build_manifest(job.id, INFO, SPEECH, TEXT, LAYOUT, PLAN, [], slides=DECK)
    storage.put_json(keys.manifest(job.id), manifest)
    store.update(job.id, manifest_key=keys.manifest(job.id))
    return job.id


def _age_out_intermediates(storage: S3StorageResource, job_id: str) -> int:
    """What the bucket's lifecycle rule does after LECTURE_INTERMEDIATE_EXPIRY_DAYS."""
    gone = [
        o.key
        for o in storage.list(keys.job_prefix(job_id))
        if storage.tags(o.key) == INTERMEDIATE_TAG
    ]
    storage.delete_keys(gone)
    return len(gone)


def test_transcript_timeline_and_slides_answer_after_the_intermediates_expire(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _finished_job(storage, sqlite_store)
    before: dict[str, Any] = gql(QUERY, {"id": job_id})
    assert "errors" not in before, before
    job = before["data"]["job"]
    assert job["transcript"]["totalSegments"] == 2
    assert job["transcript"]["segments"][0]["words"][0] == {
        "start": 0.5,
        "end": 1.4,
        "word": "Gradient",
    }
    assert job["timeline"]["silences"] == [{"start": 20.0, "end": 22.0}]
    assert job["timeline"]["slideChanges"] == [12.5, 40.0]
    assert job["slides"][0]["title"] == "Gradient Descent"
    # the edges a reviewer's trim snaps to
    assert [s["text"] for s in job["sentences"]] == ["Gradient descent.", "Momentum"]

    assert _age_out_intermediates(storage, job_id) == 6
    after = gql(QUERY, {"id": job_id})
    assert after == before


def test_a_running_job_shows_its_stage_outputs_before_the_manifest_exists(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job = sqlite_store.create_job(
        owner="alice",
        filename="lecture.mp4",
        content_type="video/mp4",
        size_bytes=10,
        extension="mp4",
        options=JobOptions(),
    )
    store_output(storage, job.id, "transcript", TEXT)
    store_output(storage, job.id, "silence_map", SPEECH)
    found = gql(QUERY, {"id": job.id})["data"]["job"]
    assert [s["text"] for s in found["transcript"]["segments"]] == [
        "Gradient descent.",
        "Momentum helps.",
    ]
    assert found["timeline"]["speech"] == [
        {"start": 0.5, "end": 20.0},
        {"start": 22.0, "end": 59.0},
    ]
    assert found["slides"] == []
