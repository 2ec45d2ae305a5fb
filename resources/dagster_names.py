"""Names the code location, its sensors and the API share: the job, the partitions, run tags."""

from __future__ import annotations

# the asset job that processes one lecture (lecture_assets.jobs.process_lecture)
PROCESS_LECTURE_JOB = "process_lecture"
# the dynamic partitions, one per lecture job; the key is the job id
LECTURE_PARTITIONS = "lectures"

# run tags this project sets on its runs
JOB_ID_TAG = "lecture/job_id"
OWNER_TAG = "lecture/owner"
FROM_STAGE_TAG = "lecture/from"
# the clips a re-render is for, e.g. `2,3` (absent: render every clip)
CLIPS_TAG = "lecture/clips"

# tags Dagster sets: the partition a run materialises; "true" when run_retries will re-execute
# a failed run (Dagster's tag names, stable across releases; tests/test_layers.py pins them)
PARTITION_TAG = "dagster/partition"
WILL_RETRY_TAG = "dagster/will_retry"
