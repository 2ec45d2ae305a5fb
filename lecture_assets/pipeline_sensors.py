"""The code location's sensors: those of the `sensors` package, wired to this stage graph."""

from __future__ import annotations

from lecture_assets.stages import downstream_of
from sensors.command_sensor import build_command_sensor
from sensors.run_status import lecture_run_cancelled, lecture_run_failed
from sensors.upload_sensor import upload_sensor

command_sensor = build_command_sensor(downstream_of)

__all__ = ["command_sensor", "lecture_run_cancelled", "lecture_run_failed", "upload_sensor"]
