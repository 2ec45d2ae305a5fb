"""The names we share with Dagster are the ones it uses (tags it sets, our job and partitions)."""

from __future__ import annotations

# the one place that reads Dagster's private tag constants: it pins our copies of their names
from dagster._core.storage.tags import PARTITION_NAME_TAG, WILL_RETRY_TAG

from lecture_assets.jobs import process_lecture
from lecture_assets.partitions import lectures
from resources import dagster_names


def test_dagsters_own_tag_names() -> None:
    assert dagster_names.WILL_RETRY_TAG == WILL_RETRY_TAG
    assert dagster_names.PARTITION_TAG == PARTITION_NAME_TAG


def test_the_sensors_name_the_code_locations_job_and_partitions() -> None:
    assert process_lecture.name == dagster_names.PROCESS_LECTURE_JOB
    assert lectures.name == dagster_names.LECTURE_PARTITIONS
