"""A bounded soak: 36 mixed uploads through API → PUT → sensor ticks → runs, then invariants.

Run with `pytest -s` to see the numbers. Good uploads run source_video + silence_map (the
full graph is covered by test_idempotency); bad ones must fail with their expected code.
"""

from __future__ import annotations

import gc
import itertools
from collections import Counter
from pathlib import Path

import psutil
import pytest

from lecture_assets.assets.audio import silence_map
from lecture_assets.assets.source import source_video
from resources.settings import Settings
from tests.reliability import media
from tests.reliability.conftest import Harness

pytestmark = pytest.mark.slow

UPLOADS = 36
MAX_RSS_GROWTH_MB = 250


@pytest.fixture
def rel_settings(rel_settings: Settings) -> Settings:
    """One tenant uploading a whole course: above the default per-minute upload limit."""
    return rel_settings.model_copy(update={"rate_limit_per_minute": 10 * UPLOADS})


def _kinds(tmp: Path) -> dict[str, tuple[bytes, str | None]]:
    """Body and the error code it must end with (None: processed)."""
    return {
        "good": (media.video(tmp / "good.mp4").read_bytes(), None),
        "portrait": (media.video(tmp / "portrait.mp4", size="90x160").read_bytes(), None),
        "empty": (b"", "EMPTY_FILE"),
        "html": (b"<html><body>oops</body></html>", "NOT_A_VIDEO"),
        "truncated": (media.truncated(tmp / "t.mp4", tmp).read_bytes(), "UNREADABLE_MEDIA"),
        "mute": (media.video(tmp / "mute.mp4", audio=None).read_bytes(), "NO_AUDIO"),
    }


def test_soak_mixed_uploads_nothing_lost_nothing_stuck(harness: Harness, tmp_path: Path) -> None:
    process = psutil.Process()
    kinds = _kinds(tmp_path)
    gc.collect()
    rss_before = process.memory_info().rss
    expected: dict[str, str | None] = {}
    names = itertools.islice(itertools.cycle(kinds), UPLOADS - 1)
    pending = list(names)
    started: list[str] = []
    while pending:  # uploads arrive in waves between sensor ticks
        wave, pending = pending[:7], pending[7:]
        for kind in wave:
            body, code = kinds[kind]
            expected[harness.upload(body, declared=max(1, len(body)))] = code
        started += harness.started(harness.tick())
    never = harness.create(1000)["job"]["id"]  # a client that never uploads
    started += harness.started(harness.tick())
    assert len(started) == len(set(started)), "one run per upload"

    ran = Counter[str]()
    for job_id in started:
        ran[str(harness.run([source_video, silence_map], job_id))] += 1
    harness.tick()  # the sensor keeps ticking after all of it

    outcome = Counter[str]()
    problems: list[str] = []
    for job_id, code in expected.items():
        job = harness.record(job_id)
        if code is None:
            done = harness.storage.head(f"jobs/{job_id}/silence_map/silence_map.json")
            ok = job.status.value == "running" and job.error_code is None and done is not None
            outcome["processed" if ok else "LOST"] += 1
        elif job.status.value == "failed" and job.error_code == code and job.error_message:
            outcome["failed-as-expected"] += 1
        else:
            outcome["LOST"] += 1
            problems.append(f"{job_id}: {job.status.value} {job.error_code} (wanted {code})")
    queued = harness.record(never)
    outcome["waiting-for-upload" if queued.stage == "upload" else "LOST"] += 1
    stuck = [j for j in expected if harness.record(j).status.value == "queued"]
    gc.collect()
    growth_mb = (process.memory_info().rss - rss_before) / 1e6
    print(  # noqa: T201 - the soak reports its numbers under `pytest -s`
        f"\nsoak: uploads={len(expected) + 1} runs={len(started)} run_results={dict(ran)} "
        f"outcomes={dict(outcome)} stuck={len(stuck)} rss_growth_mb={growth_mb:.1f}"
    )
    assert not problems and outcome["LOST"] == 0, problems
    assert not stuck
    assert outcome["processed"] == sum(1 for c in expected.values() if c is None)
    assert growth_mb < MAX_RSS_GROWTH_MB
