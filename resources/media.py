"""Media limits and rendering knobs shared by the pipeline's ffmpeg work."""

from __future__ import annotations

import os

from dagster import ConfigurableResource


class MediaResource(ConfigurableResource):
    """Timeouts, accepted durations and the render budget."""

    ffmpeg_timeout_s: float = 3600.0
    min_duration_s: float = 5.0
    max_duration_s: float = 4 * 3600.0
    render_workers: int = 0
    render_preset: str = "veryfast"
    # camera picture frame rate in clips; 0 = the clip's own (see RenderOptions.camera_fps)
    render_camera_fps: float = 0.0
    max_clips: int = 8
    min_clip_seconds: float = 20.0
    max_clip_seconds: float = 120.0

    def render_budget(self, clips: int) -> tuple[int, int]:
        """(parallel clips, x264 threads per clip) that keep every core busy.

        Several single-threaded encodes side by side beat one encode with many threads; a
        lone clip gets all the cores.
        """
        # the cores in this process's affinity (a container's cpuset), as the agents count them
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
        cores = cores or os.cpu_count() or 2
        workers = self.render_workers if self.render_workers > 0 else cores
        workers = max(1, min(workers, clips))
        return workers, max(1, cores // workers)
