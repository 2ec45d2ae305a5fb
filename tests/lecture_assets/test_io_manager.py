"""The IO manager: each stage's typed output at its job's key, back as the same dataclass."""

from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    Failure,
    PythonObjectDagsterType,
    build_input_context,
    build_output_context,
)

from lecture_assets import keys
from lecture_assets.analysis.models import Interval, LoudnessStats, SpeechMap
from lecture_assets.io_manager import ArtifactIOManager
from resources.lifecycle import INTERMEDIATE_TAG
from resources.storage import LocalStorageResource, S3StorageResource

JOB = "0b6f1c1e-8c9e-4c53-9a55-0d1f3a2b4c5d"
SPEECH = SpeechMap(
    duration_s=12.0,
    speech=[Interval(0.5, 4.0), Interval(6.0, 11.5)],
    silences=[Interval(4.0, 6.0)],
    loudness=LoudnessStats(-24.0, -3.0, -60.0, -20.0),
    method="energy",
)


def test_an_output_is_stored_at_the_stage_key_tagged_and_loads_as_its_dataclass(
    storage: S3StorageResource,
) -> None:
    manager = ArtifactIOManager(storage)
    out = build_output_context(asset_key=AssetKey("silence_map"), partition_key=JOB)
    manager.handle_output(out, SPEECH)
    # the key readers have used since before the IO manager, expiring as an intermediate
    key = f"jobs/{JOB}/silence_map/silence_map.json"
    assert keys.output(JOB, "silence_map") == key
    assert storage.get_json(key)["silences"] == [{"start": 4.0, "end": 6.0}]
    assert storage.tags(key) == INTERMEDIATE_TAG
    back = manager.load_input(
        build_input_context(
            asset_key=AssetKey("silence_map"),
            partition_key=JOB,
            dagster_type=PythonObjectDagsterType(SpeechMap),
        )
    )
    assert back == SPEECH


def test_layout_and_probe_keep_their_file_names() -> None:
    assert keys.output(JOB, "screen_layout") == f"jobs/{JOB}/screen_layout/layout.json"
    assert keys.output(JOB, "source_video") == f"jobs/{JOB}/source_video/probe.json"


def test_a_missing_upstream_says_which_stage_to_reprocess_from(tmp_path: Path) -> None:
    manager = ArtifactIOManager(LocalStorageResource(root=str(tmp_path)))
    context = build_input_context(
        asset_key=AssetKey("transcript"),
        partition_key=JOB,
        dagster_type=PythonObjectDagsterType(SpeechMap),
    )
    with pytest.raises(Failure, match="reprocess the job from transcript"):
        manager.load_input(context)
