"""Asset checks pass on a sound lecture and fail the right check, naming what broke, otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from dagster import AssetSelection, DagsterInstance, asset, instance_for_test, materialize

from lecture_assets import keys
from lecture_assets.analysis.models import (
    HighlightPlan,
    HighlightSegment,
    Interval,
    LayoutPeriod,
    Rect,
    ScreenLayout,
    Transcript,
    TranscriptSegment,
    Word,
    to_jsonable,
)
from lecture_assets.analysis.render.captions import build_cues, write_srt
from lecture_assets.analysis.transcript.chunks import enforce_order
from lecture_assets.checks import CHECKS
from lecture_assets.definitions import ASSETS
from lecture_assets.partitions import lectures
from lecture_assets.resources_by_settings import build_resources
from resources.jobs import JobOptions
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource

SENTENCE = "the gradient points uphill so we step against it and the loss goes down"


def _transcript() -> Transcript:
    # 40 sentences of 4 s, with word timings, ordered by the transcriber's own rule
    raw = []
    for i in range(40):
        t0 = i * 4.0
        words = [
            Word(t0 + 0.25 * k, t0 + 0.25 * k + 0.2, w) for k, w in enumerate(SENTENCE.split(" "))
        ]
        raw.append(TranscriptSegment(t0, t0 + 3.6, SENTENCE + ".", words))
    return Transcript("en", enforce_order(raw), "test", 160.0)


def _plan() -> HighlightPlan:
    def clip(index: int, start: float, end: float) -> HighlightSegment:
        keep = [Interval(start, end)]
        return HighlightSegment(index, start, end, 0.8, f"Clip {index}", "why", 0, keep)

    return HighlightPlan([clip(0, 8.0, 36.0), clip(1, 60.0, 92.0)], [], "")


LAYOUT = ScreenLayout(
    width=640,
    height=360,
    screen=Rect(0, 0, 480, 360),
    camera=Rect(480, 200, 160, 160),
    periods=[
        LayoutPeriod(0.0, 160.0, "side_by_side", Rect(0, 0, 480, 360), Rect(480, 200, 160, 160))
    ],
    slide_changes=[],
)


class Lecture:
    """One job's artifacts as the assets store them; tests corrupt one and run the checks."""

    def __init__(self, storage: S3StorageResource, store: JobStoreResource, tmp: Path) -> None:
        self.storage, self.store, self.tmp = storage, store, tmp
        options = JobOptions(max_clips=3, min_seconds=20.0, max_seconds=40.0)
        self.job = store.create_job(
            owner="alice",
            filename="l.mp4",
            content_type="video/mp4",
            size_bytes=10,
            extension="mp4",
            options=options,
        )
        self.transcript, self.plan = _transcript(), _plan()
        self.put("transcript", self.transcript)
        self.put("screen_layout", LAYOUT)
        self.put("highlight_segments", self.plan)
        clips = []
        for s in self.plan.segments:
            srt = write_srt(build_cues(self.transcript, s), tmp / f"{s.index}.srt")
            self.storage.put_file(keys.clip(self.job.id, s.index, "clip.srt"), srt)
            duration = sum(k.end - k.start for k in s.keep)
            clips.append({"index": s.index, "duration_s": duration,
                          "srt": f"clips/{s.index}/clip.srt"})  # fmt: skip
        self.storage.put_json(keys.manifest(self.job.id), {"clips": clips})

    def put(self, asset: str, value: Any) -> None:
        self.storage.put_json(keys.output(self.job.id, asset), to_jsonable(value))


@pytest.fixture
def lecture(storage: S3StorageResource, sqlite_store: JobStoreResource, tmp_path: Path) -> Lecture:
    return Lecture(storage, sqlite_store, tmp_path)


@pytest.fixture
def instance() -> Any:
    with instance_for_test() as instance:
        yield instance


@asset(partitions_def=lectures)
def anchor() -> None:
    """A no-op partitioned asset: dagster 1.13 runs partitioned checks only in a run that
    materialises some partitioned asset, as process_lecture does with the real stages."""


def _run_checks(lecture: Lecture, settings: Settings, instance: DagsterInstance) -> dict[str, Any]:
    """Every check on the lecture's partition, as Dagster runs them; {name: evaluation}."""
    instance.add_dynamic_partitions("lectures", [lecture.job.id])
    resources = build_resources(settings)
    resources.update(storage=lecture.storage, job_store=lecture.store)
    result = materialize(
        [*ASSETS, anchor, *CHECKS],
        selection=AssetSelection.assets(anchor) | AssetSelection.checks(*CHECKS),
        partition_key=lecture.job.id,
        resources=resources,
        instance=instance,
    )
    evaluations = result.get_asset_check_evaluations()
    assert {e.partition for e in evaluations} == {lecture.job.id}  # one result per lecture
    return {e.check_name: e for e in evaluations}


def test_a_sound_lecture_passes_every_check(
    lecture: Lecture, settings: Settings, instance: DagsterInstance
) -> None:
    evaluations = _run_checks(lecture, settings, instance)
    assert set(evaluations) == {c.check_key.name for c in CHECKS}
    failed = {name: e.description for name, e in evaluations.items() if not e.passed}
    assert not failed
    assert evaluations["captions_inside_clips"].metadata["clips"].value == 2


def _overlap(lec: Lecture) -> None:
    a, b = lec.plan.segments
    moved = replace(b, start=30.0, keep=[Interval(30.0, 62.0)])
    lec.put("highlight_segments", replace(lec.plan, segments=[a, moved]))


def _too_long(lec: Lecture) -> None:
    a, b = lec.plan.segments
    longer = replace(b, end=112.0, keep=[Interval(60.0, 112.0)])
    lec.put("highlight_segments", replace(lec.plan, segments=[a, longer]))


def _fewer_clips_asked(lec: Lecture) -> None:
    lec.store.update(lec.job.id, options=JobOptions(max_clips=1))


def _caption_past_the_end(lec: Lecture) -> None:
    key = keys.clip(lec.job.id, 1, "clip.srt")
    text = lec.storage.get_bytes(key).decode()
    lec.storage.put_bytes(key, text + "\n99\n00:00:31,000 --> 00:00:35,500\nlate words\n")


def _time_goes_back(lec: Lecture) -> None:
    segs = list(lec.transcript.segments)
    segs[5] = replace(segs[5], start=segs[4].start + 1.0)
    lec.put("transcript", replace(lec.transcript, segments=segs))


def _word_outside(lec: Lecture) -> None:
    segs = list(lec.transcript.segments)
    words = [*segs[7].words[:-1], replace(segs[7].words[-1], end=segs[7].end + 2.0)]
    segs[7] = replace(segs[7], words=words)
    lec.put("transcript", replace(lec.transcript, segments=segs))


def _camera_off_frame(lec: Lecture) -> None:
    lec.put("screen_layout", replace(LAYOUT, camera=Rect(560, 200, 160, 160)))


def _period_off_frame(lec: Lecture) -> None:
    period = replace(LAYOUT.periods[0], screen=Rect(-4, 0, 480, 360))
    lec.put("screen_layout", replace(LAYOUT, periods=[period]))


def _transcript_gone(lec: Lecture) -> None:
    lec.storage.delete_keys([keys.output(lec.job.id, "transcript")])


def _layout_garbled(lec: Lecture) -> None:
    lec.storage.put_json(keys.output(lec.job.id, "screen_layout"), {"w": 1})


# (corruption, the one check that must fail, words its description must hold)
CORRUPTIONS: list[tuple[Callable[[Lecture], None], str, str]] = [
    (_overlap, "clips_do_not_overlap", "clip 1 (0:30.0-1:32.0) overlaps clip 0"),
    (_too_long, "clips_within_job_options", "clip 1 (1:00.0-1:52.0) lasts 52.0 s"),
    (_fewer_clips_asked, "clips_within_job_options", "2 clips, more than the job's 1"),
    (_caption_past_the_end, "captions_inside_clips", "clip 1: caption"),
    (_time_goes_back, "transcript_times_increase", "segment 5 (0:17.0"),
    (_word_outside, "transcript_times_increase", "segment 7 (0:28.0"),
    (_camera_off_frame, "layout_regions_inside_frame", "camera region at (560, 200)"),
    (_period_off_frame, "layout_regions_inside_frame", "period 0 (0:00.0-2:40.0) screen"),
    (_transcript_gone, "transcript_times_increase", "reprocess the job from transcript"),
    (_layout_garbled, "layout_regions_inside_frame", "does not hold a ScreenLayout"),
]


@pytest.mark.parametrize(
    ("corrupt", "check", "words"), CORRUPTIONS, ids=[c[0].__name__ for c in CORRUPTIONS]
)
def test_a_corrupted_artifact_fails_the_right_check_naming_what_broke(
    lecture: Lecture,
    settings: Settings,
    instance: DagsterInstance,
    corrupt: Callable[[Lecture], None],
    check: str,
    words: str,
) -> None:
    corrupt(lecture)
    evaluations = _run_checks(lecture, settings, instance)
    failed = {name for name, e in evaluations.items() if not e.passed}
    assert failed == {check}
    description = evaluations[check].description or ""
    assert words in description, description
    assert "eprocess" in description or "e-render" in description  # says what to do next


@pytest.mark.slow
def test_a_real_run_of_the_lecture_graph_passes_every_check(
    storage: S3StorageResource,
    sqlite_store: JobStoreResource,
    settings: Settings,
    instance: DagsterInstance,
) -> None:
    """No false alarms: the real stages' artifacts, checks run after them as process_lecture
    does."""
    from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

    video = make_synthetic_lecture(LectureSpec()).path
    options = JobOptions(max_clips=3, min_seconds=8.0, max_seconds=20.0)
    job = sqlite_store.create_job(
        owner="alice",
        filename=video.name,
        content_type="video/mp4",
        size_bytes=video.stat().st_size,
        extension="mp4",
        options=options,
    )
    storage.put_file(job.source_key, video)
    instance.add_dynamic_partitions("lectures", [job.id])
    resources = build_resources(settings)
    resources.update(storage=storage, job_store=sqlite_store)
    result = materialize(
        [*ASSETS, *CHECKS],
        partition_key=job.id,
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {c.check_key.name for c in CHECKS}
    failed = {name: e.description for name, e in evaluations.items() if not e.passed}
    assert not failed
    assert evaluations["captions_inside_clips"].metadata["clips"].value >= 1
