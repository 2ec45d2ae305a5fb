"""`silence_map` and `transcript`: where the lecturer speaks, and what they say."""

from dagster import AssetExecutionContext, MetadataValue, Output, asset

from lecture_assets import keys
from lecture_assets.agent_resources import TranscriberResource
from lecture_assets.analysis.models import SourceInfo, SpeechMap, Transcript
from lecture_assets.analysis.silence.detect import detect_silences
from lecture_assets.analysis.slides.read import SlideDeck
from lecture_assets.analysis.transcript.hints import TranscriptHints
from lecture_assets.analysis.transcript.screen_terms import fit_screen_terms
from lecture_assets.analysis.transcript.term_fix import TermFix
from lecture_assets.analysis.transcript.whisper_models import release_models
from lecture_assets.assets.common import duration_meta, run_stage
from lecture_assets.io_manager import IO_MANAGER_KEY
from lecture_assets.partitions import lectures
from lecture_assets.scale_out import queue_tags
from lecture_assets.stages import upstream
from resources.jobs.store import JobStoreResource
from resources.progress import ProgressResource
from resources.storage import StorageResource
from resources.workdir import WorkdirResource


@asset(
    partitions_def=lectures,
    group_name="lecture",
    # reads the decoded audio file, not source_video's typed output
    deps=upstream("silence_map"),
    kinds={"python"},
    io_manager_key=IO_MANAGER_KEY,
)
def silence_map(
    context: AssetExecutionContext,
    storage: StorageResource,
    job_store: JobStoreResource,
    workdir: WorkdirResource,
    progress: ProgressResource,
) -> Output[SpeechMap]:
    """Speech regions, silences and loudness over the whole lecture."""
    job_id = context.partition_key
    with run_stage(context, job_store, progress, "silence_map") as stage:
        wav = workdir.fetch(storage, job_id, keys.audio(job_id))
        speech = detect_silences(wav)
    spoken = sum(i.duration for i in speech.speech)
    longest = max((s.duration for s in speech.silences), default=0.0)
    return Output(
        speech,
        metadata={
            "method": MetadataValue.text(speech.method),
            "speech_ratio": MetadataValue.float(round(spoken / max(speech.duration_s, 1e-6), 3)),
            "speech_regions": MetadataValue.int(len(speech.speech)),
            "silences": MetadataValue.int(len(speech.silences)),
            "longest_silence_s": MetadataValue.float(round(longest, 2)),
            "noise_floor_dbfs": MetadataValue.float(round(speech.loudness.noise_floor_dbfs, 1)),
            **duration_meta(stage, speech.duration_s),
        },
    )


@asset(
    partitions_def=lectures,
    group_name="lecture",
    kinds={"python"},
    io_manager_key=IO_MANAGER_KEY,
    op_tags={"lecture/asr": "true", **queue_tags("transcript")},
)
def transcript(
    context: AssetExecutionContext,
    source_video: SourceInfo,
    silence_map: SpeechMap,
    slides: SlideDeck,
    storage: StorageResource,
    job_store: JobStoreResource,
    workdir: WorkdirResource,
    progress: ProgressResource,
    transcriber: TranscriberResource,
) -> Output[Transcript]:
    """Timestamped words and segments of everything said."""
    job_id = context.partition_key
    with run_stage(context, job_store, progress, "transcript") as stage:
        wav = workdir.fetch(storage, job_id, keys.audio(job_id))
        # the user's glossary always primes; the slides only when the deployment opts in
        hints = TranscriptHints(
            slides.slides,
            list(stage.job.options.glossary or ()),
            prime_slides=transcriber.slide_hints,
        )
        engine = transcriber.build()
        try:
            result = engine.transcribe(
                wav,
                speech=silence_map,
                language=stage.job.options.language,
                hints=hints,
                on_progress=lambda f: stage.report(f, f"transcribing: {f * 100:.0f}% of the audio"),
            )
            # misheard words snap to the terms on the slide shown then (or the glossary); slide
            # terms still missing where some words sound like them are heard again
            result, fixes = fit_screen_terms(
                engine, wav, result, hints, relisten=transcriber.relisten
            )
        finally:
            release_models()  # the steps after this one in the process get the memory back
    words = len(result.words)
    return Output(
        result,
        metadata={
            "model": MetadataValue.text(result.model),
            "language": MetadataValue.text(result.language),
            "segments": MetadataValue.int(len(result.segments)),
            "words": MetadataValue.int(words),
            "terms_fixed": MetadataValue.int(len(fixes)),
            "terms_heard_again": MetadataValue.int(sum(f.how == "heard again" for f in fixes)),
            "term_fixes": MetadataValue.md(_fixes_table(fixes)),
            "empty_reason": MetadataValue.text(result.reason or ""),
            "preview": MetadataValue.md(_preview(result.text)),
            **duration_meta(stage, source_video.duration_s),
        },
    )


def _fixes_table(fixes: list[TermFix], limit: int = 30) -> str:
    if not fixes:
        return "_(no word needed a slide term)_"
    rows = [f"| {f.start:.1f} | {f.heard} | {f.term} | {f.how} |" for f in fixes[:limit]]
    return "\n".join(["| at (s) | heard | became | how |", "|---|---|---|---|", *rows])


def _preview(text: str, limit: int = 600) -> str:
    return text[:limit] + ("…" if len(text) > limit else "") if text else "_(no speech found)_"
