"""The one Definitions object of the code location, built when Dagster loads it."""

from __future__ import annotations

from typing import Any

from dagster import Definitions, definitions

from lecture_assets.jobs import process_lecture
from lecture_assets.resources_by_settings import build_resources
from lecture_assets.scale_out import build_executor
from lecture_assets.stage_assets import assets
from resources.settings import Settings, get_settings
from sensors.command_sensor import command_sensor
from sensors.run_status import lecture_run_cancelled, lecture_run_failed
from sensors.upload_sensor import upload_sensor

# the stage assets in pipeline order, derived from the registry (lecture_assets/stages.py)
ASSETS = assets()


def build_definitions(settings: Settings, resources: dict[str, Any] | None = None) -> Definitions:
    """Assets, job, sensors and resources for these settings (tests pass their own resources)."""
    return Definitions(
        assets=assets(),
        jobs=[process_lecture],
        sensors=[upload_sensor, command_sensor, lecture_run_failed, lecture_run_cancelled],
        resources=resources if resources is not None else build_resources(settings),
        executor=build_executor(settings),
    )


@definitions
def defs() -> Definitions:
    """Loaded by `dagster dev` / the gRPC server through workspace.yaml."""
    return build_definitions(get_settings())
