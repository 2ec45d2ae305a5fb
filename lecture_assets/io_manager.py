"""The IO manager that stores each stage's typed output per job and hands it to later stages."""

from __future__ import annotations

from typing import Any

from dagster import (
    Failure,
    InitResourceContext,
    InputContext,
    IOManager,
    MetadataValue,
    OutputContext,
    io_manager,
)

from lecture_assets import keys
from lecture_assets.analysis.models import from_jsonable, to_jsonable
from resources.lifecycle import INTERMEDIATE_TAG
from resources.storage import StorageError, StorageResource

# the resource key the stage assets store their outputs with
IO_MANAGER_KEY = "artifacts"


def store_output(storage: StorageResource, job_id: str, asset: str, value: Any) -> str:
    """Write a stage's output as JSON under its key; returns the key.

    Outputs are intermediates: tagged so the bucket's lifecycle rule expires them.
    """
    key = keys.output(job_id, asset)
    data = value if isinstance(value, dict | list) else to_jsonable(value)
    storage.put_json(key, data, tags=INTERMEDIATE_TAG)
    return key


class ArtifactIOManager(IOManager):
    """Stage outputs as JSON at `jobs/<job_id>/<asset>/...` in the job's storage."""

    def __init__(self, storage: StorageResource) -> None:
        self.storage = storage

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if obj is None:
            return  # a stage that writes its own files (highlight_clips) hands nothing on
        asset = context.asset_key.path[-1]
        key = store_output(self.storage, context.asset_partition_key, asset, obj)
        context.add_output_metadata({"artifact": MetadataValue.text(key)})

    def load_input(self, context: InputContext) -> Any:
        asset = context.asset_key.path[-1]
        key = keys.output(context.asset_partition_key, asset)
        try:
            data = self.storage.get_json(key)
        except StorageError as exc:
            raise Failure(
                description=(
                    f"{asset} has not been computed for this job yet ({key}), or it expired; "
                    f"reprocess the job from {asset}"
                ),
                metadata={"error_code": "MISSING_UPSTREAM"},
                allow_retries=False,
            ) from exc
        return from_jsonable(context.dagster_type.typing_type, data)


@io_manager(required_resource_keys={"storage"})
def artifact_io_manager(init_context: InitResourceContext) -> ArtifactIOManager:
    """The IO manager on whatever `storage` resource the run has (tests swap it freely)."""
    storage: StorageResource = init_context.resources.storage
    return ArtifactIOManager(storage)
