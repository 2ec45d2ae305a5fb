"""Targets with PASS/MISS, the rich tables, the JSON file and the stage timeline chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from rich.console import Console
from rich.table import Table

ANALYSIS = ("silence_map", "screen_layout", "content_scores", "highlight_segments")


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: name, measured value, limit, PASS/MISS (None when not measured)."""
    rows: list[dict[str, Any]] = []
    duration = res["lecture"]["duration_s"]
    pipe = res.get("pipeline")
    if pipe and pipe["succeeded"]:
        stages = pipe["stages"]
        render = stages.get("highlight_clips", {}).get("wall_s", 0.0)
        decode = res["baseline"]["decode"]["wall_s"]
        analysis = sum(stages.get(s, {}).get("wall_s", 0.0) for s in ANALYSIS)
        rows += [
            _row(
                "everything before rendering / lecture duration",
                (pipe["wall_s"] - render) / duration,
                0.10,
            ),
            _row("end to end / lecture duration", pipe["wall_s"] / duration, 0.25),
            _row("silence+layout+content+segments / one decode pass", analysis / decode, 2.0),
        ]
        render_rows = (
            ("ratio", "render / plain transcode, letterboxed (2/3 of each frame flat)"),
            ("ratio_vs_resized", "render / plain transcode, resized to 1080x1920"),
            ("ratio_vs_full_frame", "render / plain transcode, cropped to fill 1080x1920"),
        )
        for key, name in render_rows:
            if key in res.get("render", {}):
                rows.append(_row(name, res["render"][key], 1.1))
        note = (
            "" if res["lecture"]["minutes"] >= 120 else f" (at {res['lecture']['minutes']:g} min)"
        )
        rows.append(_row(f"peak RSS GiB, 120-min lecture{note}", pipe["peak_rss_mib"] / 1024, 1.5))
    api = res.get("api")
    if api:
        rows.append(_row("createUpload p99 ms at 50 clients", api["create_upload"]["p99_ms"], 50.0))
        if "create_upload_paced_1_per_s" in api:
            paced = api["create_upload_paced_1_per_s"]["p99_ms"]
            rows.append(_row("createUpload p99 ms, 50 clients at 1 req/s each", paced, 50.0))
        rows.append(_row("subscription latency s (max)", api["subscription"]["max_s"], 1.0))
    return rows


def _row(name: str, value: float, limit: float) -> dict[str, Any]:
    return {"target": name, "value": round(value, 3), "limit": limit, "pass": value <= limit}


def print_report(res: dict[str, Any], console: Console | None = None) -> None:
    """Stage table, baselines, accuracy and targets on the terminal."""
    console = console or Console()
    lec, base = res["lecture"], res["baseline"]
    console.print(
        f"[bold]lecture[/] {lec['minutes']:g} min ({lec['duration_s']:.0f} s, layout "
        f"{lec['layout']}), generated in {lec['generate_s']} s; load average "
        f"{res['machine']['loadavg_start']} -> {res['machine']['loadavg_end']} on "
        f"{res['machine']['cores']} cores"
    )
    console.print(
        f"baseline: decode {base['decode']['wall_s']} s wall / {base['decode']['cpu_s']} s CPU; "
        f"audio extraction {base['audio_extract']['wall_s']} s wall"
    )
    pipe = res.get("pipeline")
    if pipe:
        table = Table(title="pipeline stages (process_local)")
        for col in ("stage", "wall s", "CPU s", "peak RSS MiB", "x realtime", "x decode"):
            table.add_column(col, justify="left" if col == "stage" else "right")
        decode, duration = base["decode"]["wall_s"], lec["duration_s"]
        for name, s in [*pipe["stages"].items(), ("TOTAL", pipe)]:
            table.add_row(
                name, f"{s['wall_s']:.1f}", f"{s['cpu_s']:.1f}", f"{s['peak_rss_mib']:.0f}",
                f"{s['wall_s'] / duration:.4f}", f"{s['wall_s'] / decode:.2f}",
            )  # fmt: skip
        console.print(table)
        if not pipe["succeeded"]:
            console.print(f"[red]pipeline failed:[/] {pipe['error']}")
    if res.get("render"):
        r = res["render"]
        console.print(
            f"render: highlight_clips {r['ours_s']} s vs plain transcode {r['plain_s']} s "
            f"of {r['clips']} clips ({r['clip_seconds']:.0f} s) -> {r['ratio']:.2f}x"
            + "".join(
                f"; {name} transcode {r[f'{key}_s']} s -> {r[f'ratio_vs_{key}']:.2f}x"
                for key, name in (("resized", "resized"), ("full_frame", "full-frame"))
                if f"{key}_s" in r
            )
        )
    if res.get("accuracy"):
        console.print("accuracy vs ground truth:", _compact(res["accuracy"]))
    if res.get("realmedia"):
        console.print("realmedia / synthetic suites:", _compact(res["realmedia"]))
    if res.get("api"):
        console.print("api:", _compact(res["api"]))
    table = Table(title="targets")
    for col in ("target", "measured", "limit", "result"):
        table.add_column(col)
    for t in res["targets"]:
        verdict = "[green]PASS[/]" if t["pass"] else "[red]MISS[/]"
        table.add_row(t["target"], f"{t['value']:.3f}", f"{t['limit']}", verdict)
    console.print(table)


def _compact(d: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in d.items() if not isinstance(v, list)}, default=str)


def write_json(res: dict[str, Any], path: Path) -> None:
    """The whole result as JSON (the manifest itself is left out)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(res, indent=2, default=str) + "\n")


def gantt(res: dict[str, Any], path: Path) -> Path | None:
    """A bar per stage on a time axis: where the pipeline's wall time goes."""
    pipe = res.get("pipeline")
    if not pipe:
        return None
    rows = sorted(
        ((n, s) for n, s in pipe["stages"].items() if n != "overhead"),
        key=lambda r: r[1]["start_s"],
    )
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(rows) + 1.5))
    cursor = 0.0
    for i, (_name, s) in enumerate(rows):
        start = s["start_s"] if s["start_s"] >= 0 else cursor
        ax.barh(i, s["wall_s"], left=start, color=f"C{i % 10}")
        ax.text(start + s["wall_s"] + 1, i, f"{s['wall_s']:.0f} s, {s['cpu_s']:.0f} CPU s",
                va="center", fontsize=8)  # fmt: skip
        cursor = start + s["wall_s"]
    ax.set_yticks(range(len(rows)), [n for n, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the run started")
    lec = res["lecture"]
    ax.set_title(
        f"{lec['minutes']:g}-min lecture: {pipe['wall_s']:.0f} s end to end "
        f"({pipe['wall_s'] / lec['duration_s']:.3f}x realtime), decode pass "
        f"{res['baseline']['decode']['wall_s']:.0f} s"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
