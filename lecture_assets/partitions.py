"""One dynamic partition per lecture job; the key is the job id."""

from dagster import DynamicPartitionsDefinition

lectures = DynamicPartitionsDefinition(name="lectures")
