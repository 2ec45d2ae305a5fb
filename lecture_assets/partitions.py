"""One dynamic partition per lecture job; the key is the job id."""

from dagster import DynamicPartitionsDefinition

from resources.dagster_names import LECTURE_PARTITIONS

lectures = DynamicPartitionsDefinition(name=LECTURE_PARTITIONS)
