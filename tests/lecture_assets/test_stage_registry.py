"""One registry of stages: a new stage is an agent, its asset and one registry line."""

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster import AssetExecutionContext, AssetsDefinition, Output, asset

from lecture_assets import keys, stage_assets, stages
from lecture_assets.analysis.media.ffmpeg import ffmpeg_exe
from lecture_assets.analysis.models import SourceInfo
from lecture_assets.assets.common import run_stage
from lecture_assets.io_manager import IO_MANAGER_KEY
from lecture_assets.local_run import process_local
from lecture_assets.partitions import lectures
from lecture_assets.scale_out import STAGE_QUEUES
from resources.jobs import JobEvent, JobOptions
from resources.jobs.store import JobStoreResource
from resources.progress import ProgressResource
from resources.settings import Settings
from resources.storage import LocalStorageResource

ROOT = Path(__file__).resolve().parents[2]
NEW = "source_digest"


@dataclass(frozen=True)
class SourceDigest:
    """The throwaway agent's output."""

    frames: int
    portrait: bool


def digest_source(info: SourceInfo) -> SourceDigest:
    """The throwaway agent: a pure function of its typed input."""
    return SourceDigest(frames=round(info.duration_s * info.fps), portrait=info.height > info.width)


@pytest.fixture
def new_stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[AssetsDefinition]:
    """A stage added the way a developer adds one: agent, asset, one registry entry."""
    entry = stages.StageSpec(NEW, ("source_video",), 5.0, "frame count of the upload")
    registry = list(stages.REGISTRY)
    registry.insert(2, entry)  # after silence_map: its place on the progress bar
    monkeypatch.setattr(stages, "REGISTRY", tuple(registry))

    @asset(
        name=NEW,
        partitions_def=lectures,
        group_name="lecture",
        io_manager_key=IO_MANAGER_KEY,
    )
    def source_digest(
        context: AssetExecutionContext,
        source_video: SourceInfo,
        job_store: JobStoreResource,
        progress: ProgressResource,
    ) -> Output[SourceDigest]:
        with run_stage(context, job_store, progress, NEW) as stage:
            digest = digest_source(source_video)
            stage.report(1.0, f"{digest.frames} frames")  # edges are never throttled
        return Output(digest, metadata={"frames": digest.frames})

    monkeypatch.setitem(stage_assets.BY_STAGE, NEW, source_digest)
    yield source_digest


def _clip(path: Path, seconds: float = 8.0) -> Path:
    """A small talking-head-free test video (testsrc picture at 10 fps, a tone)."""
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc=size=320x180:rate=10:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


def test_the_registry_gives_todays_graph_order_and_bar() -> None:
    assert stages.STAGES == stages.names() == tuple(stage_assets.BY_STAGE)
    # the percent figures users saw before the registry, unchanged
    assert stages.spans() == {
        "source_video": (0.0, 5.0),
        "silence_map": (5.0, 8.0),
        "screen_layout": (8.0, 12.0),
        "slides": (12.0, 15.0),
        "transcript": (15.0, 60.0),
        "content_scores": (60.0, 66.0),
        "highlight_segments": (66.0, 70.0),
        "highlight_clips": (70.0, 100.0),
    }
    assert stages.waves() == [
        [["source_video"]],
        [["silence_map"], ["screen_layout"]],
        [["slides", "transcript", "content_scores", "highlight_segments", "highlight_clips"]],
    ]
    assert stages.downstream_of("highlight_segments") == ["highlight_segments", "highlight_clips"]
    # re-cutting after a new layout transcribes again: the transcript waits for the slides
    assert "transcript" in stages.downstream_of("screen_layout")
    assert STAGE_QUEUES == {
        "screen_layout": "layout",
        "slides": "slides",
        "transcript": "transcript",
        "highlight_clips": "render",
    }


def test_every_asset_reads_exactly_its_registered_upstream() -> None:
    for name, definition in stage_assets.BY_STAGE.items():
        reads = {key.path[-1] for key in definition.asset_deps[definition.key]}
        assert reads == set(stages.upstream(name)), name


def test_a_registry_out_of_order_or_with_an_unknown_upstream_is_refused() -> None:
    late = (stages.StageSpec("b", ("a",), 1.0, "b"), stages.StageSpec("a", (), 1.0, "a"))
    with pytest.raises(ValueError, match="register upstream stages first"):
        stages.validate(late)
    twice = (stages.StageSpec("a", (), 1.0, "a"), stages.StageSpec("a", (), 1.0, "a"))
    with pytest.raises(ValueError, match="registered twice"):
        stages.validate(twice)


def test_a_stage_without_an_asset_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    orphan = stages.StageSpec("orphan", ("source_video",), 1.0, "no asset")
    monkeypatch.setattr(stages, "REGISTRY", (*stages.REGISTRY, orphan))
    with pytest.raises(RuntimeError, match=r"stages without an asset: \['orphan'\]"):
        stage_assets.assets()


def test_an_asset_reading_other_stages_than_registered_fails_loudly(
    monkeypatch: pytest.MonkeyPatch, new_stage: AssetsDefinition
) -> None:
    entry = stages.StageSpec(NEW, ("silence_map",), 5.0, "wrong upstream")
    registry = [entry if s.name == NEW else s for s in stages.REGISTRY]
    monkeypatch.setattr(stages, "REGISTRY", tuple(registry))
    with pytest.raises(RuntimeError, match="make the asset's inputs and"):
        stage_assets.assets()


def test_the_readme_stage_table_is_the_registry() -> None:
    readme = (ROOT / "README.md").read_text()
    assert stages.markdown_table() in readme, (
        "README.md's stage table differs from lecture_assets/stages.py; paste the output of "
        "`python -m lecture_assets.stages` over it"
    )


def test_a_new_stage_runs_in_the_cli_path_reports_progress_and_joins_the_graph(
    new_stage: AssetsDefinition, tmp_path: Path
) -> None:
    # the graph, the order and the bar all know it
    assert NEW in stages.names()
    assert stages.downstream_of("source_video")[:3] == ["source_video", "silence_map", NEW]
    assert NEW not in stages.downstream_of("silence_map")
    assert [NEW] in stages.waves()[1]  # beside silence_map and screen_layout
    lo, hi = stages.spans()[NEW]
    assert (lo, hi) == pytest.approx((100 * 8 / 105, 100 * 13 / 105))
    assert new_stage in stage_assets.assets()

    video = _clip(tmp_path / "lecture.mp4")
    events: list[JobEvent] = []
    settings = Settings(data_dir=tmp_path / "data")
    result = process_local(
        video,
        tmp_path / "out",
        settings,
        JobOptions(),
        on_event=events.append,
        selection=["source_video", NEW],
    )
    assert result.succeeded, result.job.error_message
    assert set(result.stage_seconds) == {"source_video", NEW}
    mine = [e for e in events if e.stage == NEW]
    assert any(e.message == "80 frames" for e in mine), [e.message for e in mine]
    assert all(lo <= e.percent <= hi for e in mine)
    assert mine[-1].message.startswith("source digest done in")
    # its typed output went through the IO manager to the stage's key
    stored = LocalStorageResource(root=str(tmp_path / "out" / ".work" / "storage"))
    assert stored.get_json(keys.output(result.job.id, NEW)) == {"frames": 80, "portrait": False}
