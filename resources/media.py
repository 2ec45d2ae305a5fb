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
    max_clips: int = 8
    min_clip_seconds: float = 20.0
    max_clip_seconds: float = 120.0

    def workers(self) -> int:
        """Parallel clip renders: the setting, or one per two cores (x264 threads itself)."""
        if self.render_workers > 0:
            return self.render_workers
        return max(1, (os.cpu_count() or 2) // 2)
