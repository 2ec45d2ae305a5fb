"""Time the ffmpeg baselines and the whole pipeline (process_local) with per-stage CPU and RSS."""

from __future__ import annotations

import resource
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.render_speed import plain_transcode
from lecture_assets.analysis.media.ffmpeg import ffmpeg_exe
from lecture_assets.analysis.models import Interval
from lecture_assets.local_run import process_local
from lecture_assets.stages import STAGES
from resources.jobs import JobEvent, JobOptions
from resources.media import MediaResource
from resources.settings import Settings


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_ffmpeg(args: list[str]) -> dict[str, float]:
    """Wall and CPU seconds of one ffmpeg run."""
    cpu0, t0 = _child_cpu(), time.monotonic()
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *args],
                   check=True)  # fmt: skip
    return {"wall_s": round(time.monotonic() - t0, 2), "cpu_s": round(_child_cpu() - cpu0, 2)}


def baselines(video: Path) -> dict[str, dict[str, float]]:
    """One full decode pass and one 16 kHz mono audio extraction of `video`."""
    with tempfile.TemporaryDirectory() as tmp:
        return {
            "decode": timed_ffmpeg(["-i", str(video), "-f", "null", "-"]),
            "audio_extract": timed_ffmpeg(
                ["-y", "-i", str(video), "-vn", "-ac", "1", "-ar", "16000", f"{tmp}/a.wav"]
            ),
        }


@dataclass
class StageSampler:
    """Samples CPU and RSS of this process and its children at ~5 Hz, per running stage.

    Stages run side by side (layout beside silence and transcript), and one process cannot
    tell whose thread burnt a CPU second, so a sample's CPU is shared equally among the
    stages running at that moment; each running stage's peak RSS is the whole tree's.
    """

    interval_s: float = 0.2
    active: set[str] = field(default_factory=set)
    cpu: dict[str, float] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=dict)
    timeline: dict[str, list[float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def on_event(self, event: JobEvent) -> None:
        """Follow the job store events: '<stage> started' / '<stage> done in X s'."""
        when = event.created_at.timestamp()
        if event.stage not in STAGES:
            return
        if event.message.endswith(" started"):
            self.active.add(event.stage)
            self.timeline.setdefault(event.stage, [when, when])
        elif " done in " in event.message:
            self.timeline.setdefault(event.stage, [when, when])[1] = when
            self.active.discard(event.stage)
        elif event.stage in self.timeline:
            self.timeline[event.stage][1] = when

    def _total(self, me: psutil.Process) -> tuple[float, int]:
        cpu = me.cpu_times()
        total = cpu.user + cpu.system + cpu.children_user + cpu.children_system
        rss = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                c = child.cpu_times()
                total += c.user + c.system
                rss += child.memory_info().rss
            except psutil.Error:
                continue
        return total, rss

    def _run(self) -> None:
        me = psutil.Process()
        last, _ = self._total(me)
        while not self._stop.wait(self.interval_s):
            total, rss = self._total(me)
            running = sorted(self.active) or ["overhead"]
            for stage in running:
                share = max(0.0, total - last) / len(running)
                self.cpu[stage] = self.cpu.get(stage, 0.0) + share
                self.peak_rss[stage] = max(self.peak_rss.get(stage, 0), rss)
            last = total

    def __enter__(self) -> StageSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)


def run_pipeline(
    video: Path, out_dir: Path, settings: Settings, clips: int, clip_seconds: float
) -> dict[str, Any]:
    """Run `lecture-highlights process` in-process and measure every stage."""
    options = JobOptions(
        max_clips=clips,
        min_seconds=round(clip_seconds * 0.75),
        max_seconds=round(clip_seconds * 1.25),
    )
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage0.ru_utime + usage0.ru_stime + _child_cpu()
    t0, epoch0 = time.monotonic(), time.time()
    with StageSampler() as sampler:
        result = process_local(video, out_dir, settings, options, on_event=sampler.on_event)
    wall = time.monotonic() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime + _child_cpu() - cpu0
    stages: dict[str, dict[str, float]] = {}
    for name in (*STAGES, "overhead"):
        span = sampler.timeline.get(name)
        if name not in result.stage_seconds and name not in sampler.cpu:
            continue
        stages[name] = {
            "wall_s": round(result.stage_seconds.get(name, span[1] - span[0] if span else 0.0), 2),
            "cpu_s": round(sampler.cpu.get(name, 0.0), 2),
            "peak_rss_mib": round(sampler.peak_rss.get(name, 0) / 2**20, 1),
            "start_s": round(span[0] - epoch0, 2) if span else -1.0,
            "end_s": round(span[1] - epoch0, 2) if span else -1.0,
        }
    return {
        "succeeded": result.succeeded,
        "error": None if result.succeeded else f"{result.job.error_code}: {result.job.message}",
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mib": round(max(sampler.peak_rss.values(), default=0) / 2**20, 1),
        "self_maxrss_mib": round(usage.ru_maxrss / 1024, 1),
        "stages": stages,
        "manifest": result.manifest,
    }


def render_baseline(
    video: Path, manifest: dict[str, Any], out: Path, preset: str, fit: str = "letterbox"
) -> float:
    """Wall seconds of a plain ffmpeg transcode of the clips' ranges to 1080x1920, fitted as
    `bench.render_speed.PLAIN_FILTERS[fit]` says (letterboxed, resized or cropped)."""
    ranges = [Interval(c["start"], c["end"]) for c in manifest["clips"]]
    # same concurrency as the renderer: the pipeline's render budget
    workers, threads = MediaResource().render_budget(len(ranges))
    return plain_transcode(video, ranges, out, preset, workers, threads, fit)
