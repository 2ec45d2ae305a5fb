"""`python -m bench`: one-run speed, memory, accuracy and API benchmark on a long lecture."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import pipeline_accuracy, pipeline_bench, report
from bench.long_lecture import LAYOUTS, make_long_lecture
from resources.settings import Settings

HERE = Path(__file__).resolve().parent


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _suite(module: str, args: list[str], result: Path, timeout_s: float) -> dict[str, Any]:
    """Run one of the existing accuracy scripts and read back its JSON."""
    t0 = time.monotonic()
    try:
        subprocess.run([sys.executable, "-m", module, *args], check=True, timeout=timeout_s,
                       capture_output=True)  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return {"error": f"{module} failed or timed out: {exc}"}
    data: dict[str, Any] = json.loads(result.read_text())
    data["seconds"] = round(time.monotonic() - t0, 1)
    return data


def realmedia_summary(timeout_s: float) -> dict[str, Any]:
    """Headline numbers of bench/audio_accuracy.py (--skip-asr) and bench/content_accuracy.py."""
    audio = _suite("bench.audio_accuracy", ["--skip-asr"], HERE / "results/audio_accuracy.json",
                   timeout_s)  # fmt: skip
    content = _suite(
        "bench.content_accuracy", [], HERE / "results/content_accuracy.json", timeout_s
    )
    out: dict[str, Any] = {}
    if "vad" in audio:
        ours = audio["vad"]["ours_silero"]
        out["vad_f1_human_labelled"] = ours["human_vad_f1"]["ALL_human"]
        out["vad_f1_synthetic_noisy_snr5"] = ours["synthetic_noisy_snr5"]["f1"]
    else:
        out["audio_error"] = audio.get("error")
    if "hard" in content:
        out["chapter_pk_easy"] = content["easy"]["pk"]
        out["chapter_pk_hard"] = content["hard"]["pk"]
        out["clip_sentence_boundary_rate_hard"] = content["hard"]["sentence_boundary_rate"]
    else:
        out["content_error"] = content.get("error")
    return out


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the lecture, run baselines, the pipeline, accuracy and API load."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--minutes", type=float, default=60.0, help="lecture length: 20, 60 or 120")
    ap.add_argument("--layout", default="switch", choices=sorted(LAYOUTS))
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--skip-accuracy", action="store_true", help="skip the realmedia suites")
    ap.add_argument("--skip-api", action="store_true", help="skip the API load test")
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--clip-seconds", type=float, default=60.0)
    args = ap.parse_args(argv)
    console = Console()
    res: dict[str, Any] = {
        "machine": {"cores": len(os.sched_getaffinity(0)), "loadavg_start": _load()},
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    console.print(
        f"[bold]lecture[/] {args.minutes:g} min, layout {args.layout} (cached in bench/.cache)"
    )
    lecture = make_long_lecture(args.minutes, args.layout)
    res["lecture"] = {
        "minutes": args.minutes, "layout": args.layout, "path": str(lecture.path),
        "duration_s": lecture.duration_s, "generate_s": lecture.generate_s,
        "sentences": len(lecture.sentences), "topics": len(lecture.topic_starts) + 1,
        "slide_changes": len(lecture.layout.slide_changes),
    }  # fmt: skip
    console.print("baselines: one decode pass, one audio extraction")
    res["baseline"] = pipeline_bench.baselines(lecture.path)
    settings = Settings(
        _env_file=None, environment="test", log_level="WARNING", data_dir=HERE / ".cache" / "data"
    )
    out_dir = HERE / ".cache" / f"run-{args.minutes:g}min"
    shutil.rmtree(out_dir, ignore_errors=True)
    console.print("pipeline: process_local (the `lecture-highlights process` path)")
    res["machine"]["loadavg_before_pipeline"] = _load()
    pipe = pipeline_bench.run_pipeline(
        lecture.path, out_dir, settings, args.clips, args.clip_seconds
    )
    manifest = pipe.pop("manifest")
    res["pipeline"] = pipe
    if manifest is not None:
        console.print("render baseline: plain transcode of the same clip ranges")
        plain = pipeline_bench.render_baseline(
            lecture.path, manifest, HERE / ".cache" / "plain", settings.render_preset
        )
        resized, full = (
            pipeline_bench.render_baseline(
                lecture.path, manifest, HERE / ".cache" / "plain", settings.render_preset, fit=fit
            )
            for fit in ("resized", "full_frame")
        )
        ours = pipe["stages"].get("highlight_clips", {}).get("wall_s", 0.0)
        res["render"] = {
            "clips": len(manifest["clips"]),
            "clip_seconds": sum(c["duration_s"] for c in manifest["clips"]),
            "ours_s": ours, "plain_s": round(plain, 2), "ratio": round(ours / plain, 3),
            # the same ranges resized, and cropped, to fill the frame (see bench.render_speed)
            "resized_s": round(resized, 2), "ratio_vs_resized": round(ours / resized, 3),
            "full_frame_s": round(full, 2), "ratio_vs_full_frame": round(ours / full, 3),
            "camera_fps": settings.render_camera_fps or "clip rate",
        }  # fmt: skip
        res["accuracy"] = pipeline_accuracy.score(lecture, manifest, out_dir)
    if not args.skip_accuracy:
        console.print("accuracy suites: bench.audio_accuracy --skip-asr, bench.content_accuracy")
        res["realmedia"] = realmedia_summary(timeout_s=1800)
    if not args.skip_api:
        from bench.api_load import run as api_run

        console.print("api load: createUpload x50 clients 30 s, job(id) on 10k jobs, subscription")
        try:
            res["api"] = api_run()
        except Exception as exc:  # keep the pipeline numbers when the load test breaks
            res["api_error"] = f"{type(exc).__name__}: {exc}"
    res["machine"]["loadavg_end"] = _load()
    res["targets"] = report.targets(res)
    name = f"bench-{args.minutes:g}min"
    report.write_json(res, args.out / f"{name}.json")
    chart = report.gantt(res, args.out / f"{name}-stages.png")
    report.print_report(res, console)
    console.print(f"wrote {args.out / (name + '.json')}" + (f" and {chart}" if chart else ""))
    return 0 if pipe["succeeded"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
