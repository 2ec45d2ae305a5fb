"""The Dagster job that processes one lecture partition end to end.

Its executor is the code location's default (`scale_out.build_executor`), chosen by settings.
"""

from dagster import AssetSelection, define_asset_job

from lecture_assets.partitions import lectures
from resources.dagster_names import PROCESS_LECTURE_JOB

process_lecture = define_asset_job(
    PROCESS_LECTURE_JOB,
    selection=AssetSelection.groups("lecture"),
    partitions_def=lectures,
    description="Every stage of one lecture, from the upload to the clips.",
)
