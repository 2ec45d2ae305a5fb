"""The studio's review operations, independent of GraphQL: trim, retitle, fix captions, apply."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from graphql_api import job_results
from graphql_api.services import JobService, ServiceError, invalid_options
from lecture_assets.analysis.models import (
    Interval,
    Sentence,
    Transcript,
    TranscriptSegment,
    Word,
)
from lecture_assets.analysis.render.clip_edits import (
    CaptionFix,
    ClipEdit,
    ClipEdits,
    snap_to_sentences,
    to_source_time,
)
from lecture_assets.analysis.transcript.sentences import split_sentences
from lecture_assets.clip_edit_store import load_edits, save_edits
from resources.jobs import CaptionStyle, Job, JobStatus, Layout, OptionError, choice

MIN_CLIP_S, MAX_CLIP_S = 3.0, 600.0
MAX_TITLE_CHARS, MAX_CUE_CHARS, MAX_CUES = 120, 200, 500


@dataclass(frozen=True)
class CueText:
    """A caption as the reviewer sees it in the clip: clip-output seconds and its text."""

    start: float
    end: float
    text: str


@dataclass
class ClipEditService:
    """Edits of one owner's clips; every call checks ownership and the edit rate limit."""

    jobs: JobService

    def _done_job(self, owner: str, job_id: str) -> tuple[Job, dict[str, Any]]:
        job = self.jobs.owned(owner, job_id)
        manifest = self.jobs.manifest(job)
        if manifest is None:
            raise ServiceError(
                "NO_CLIPS", f"the job is {job.status.value} and has no clips yet; wait until done"
            )
        return job, manifest

    def _clip(self, manifest: dict[str, Any], index: int) -> dict[str, Any]:
        for clip in manifest.get("clips", []):
            if int(clip["index"]) == index:
                return dict(clip)
        raise ServiceError("NOT_FOUND", f"the job has no clip {index}", "index")

    def _base(self, job: Job, index: int, clip: dict[str, Any]) -> tuple[float, float]:
        # the machine's cut of the clip, which an edit is made against
        plan = self.jobs.artifact(job, "highlight_segments", "highlight_segments.json") or {}
        for seg in plan.get("segments", []):
            if int(seg["index"]) == index:
                return float(seg["start"]), float(seg["end"])
        return float(clip["start"]), float(clip["end"])

    def _edit(self, owner: str, job: Job, index: int, clip: dict[str, Any]) -> ClipEdit:
        existing = load_edits(self.jobs.storage, job.id).get(index)
        base_start, base_end = self._base(job, index, clip)
        if existing is None or existing.status == "replaced":
            existing = ClipEdit(index, base_start, base_end, owner, "")
        return replace(
            existing,
            author=owner,
            edited_at=datetime.now(tz=UTC).isoformat(timespec="seconds"),
            status="pending",
            note="",
        )

    def _save(self, job: Job, edit: ClipEdit) -> ClipEdit:
        storage = self.jobs.storage
        save_edits(storage, job.id, load_edits(storage, job.id).put(edit))
        return edit

    def sentences(self, job: Job) -> list[Sentence]:
        """The transcript's sentences, the edges trims snap to."""
        # the manifest's copy outlives the stage output (which the lifecycle rule expires)
        raw = job_results.transcript(self.jobs, job)
        if not raw:
            return []
        segments = [
            TranscriptSegment(
                float(s["start"]),
                float(s["end"]),
                str(s["text"]),
                [Word(float(w["start"]), float(w["end"]), str(w["word"])) for w in s["words"]],
            )
            for s in raw.get("segments", [])
        ]
        return split_sentences(Transcript(str(raw.get("language", "")), segments, "", 0.0))

    def edits(self, job: Job) -> ClipEdits:
        """Every stored edit of the job."""
        return load_edits(self.jobs.storage, job.id)

    def update_clip(
        self,
        owner: str,
        job_id: str,
        index: int,
        start: float | None,
        end: float | None,
        title: str | None,
        caption_style: str | None = None,
        layout: str | None = None,
    ) -> ClipEdit:
        """Trim or extend a clip (edges snap to sentence edges), retitle it, change its look."""
        job, manifest = self._done_job(owner, job_id)
        self.jobs.check_rate("editClip", owner)
        clip = self._clip(manifest, index)
        edit = self._edit(owner, job, index, clip)
        if start is not None or end is not None:
            duration = float(manifest["source"]["duration_s"])
            lo = float(clip["start"]) if start is None else start
            hi = float(clip["end"]) if end is None else end
            if not 0.0 <= lo < hi <= duration + 0.01:
                raise ServiceError(
                    "INVALID_RANGE",
                    f"start and end must lie within the lecture (0 to {duration:.1f} s) with "
                    "start before end",
                    "start",
                )
            lo, hi = snap_to_sentences(lo, hi, self.sentences(job))
            if not MIN_CLIP_S <= hi - lo <= MAX_CLIP_S:
                raise ServiceError(
                    "INVALID_RANGE",
                    f"a clip must last {MIN_CLIP_S:.0f} to {MAX_CLIP_S:.0f} s; this one would "
                    f"last {hi - lo:.1f} s after snapping to sentences",
                    "end",
                )
            edit = replace(edit, start=lo, end=min(hi, duration))
        if title is not None:
            clean = " ".join(title.split())
            if not 0 < len(clean) <= MAX_TITLE_CHARS:
                raise ServiceError(
                    "INVALID_TITLE", f"a title needs 1 to {MAX_TITLE_CHARS} characters", "title"
                )
            edit = replace(edit, title=clean)
        try:  # the job-options contract's values and messages
            if caption_style is not None:
                look = choice(CaptionStyle, "caption_style", caption_style)
                edit = replace(edit, caption_style=look.value)
            if layout is not None:
                edit = replace(edit, layout=choice(Layout, "layout", layout).value)
        except OptionError as exc:
            raise invalid_options(exc) from exc
        return self._save(job, edit)

    def edit_captions(self, owner: str, job_id: str, index: int, cues: list[CueText]) -> ClipEdit:
        """Replace the text of captions (times as in the clip the reviewer watched)."""
        job, manifest = self._done_job(owner, job_id)
        self.jobs.check_rate("editClip", owner)
        clip = self._clip(manifest, index)
        if not 0 < len(cues) <= MAX_CUES:
            raise ServiceError("INVALID_CUES", f"send 1 to {MAX_CUES} captions", "cues")
        keep = [Interval(float(a), float(b)) for a, b in clip.get("keep") or []]
        keep = keep or [Interval(float(clip["start"]), float(clip["end"]))]
        edit = self._edit(owner, job, index, clip)
        fixes = {(f.source_start, f.source_end): f for f in edit.captions}
        for cue in cues:
            text = " ".join(cue.text.split())
            if len(text) > MAX_CUE_CHARS or not 0.0 <= cue.start < cue.end:
                raise ServiceError(
                    "INVALID_CUES",
                    f"each caption needs start < end and at most {MAX_CUE_CHARS} characters",
                    "cues",
                )
            a, b = to_source_time(cue.start, keep), to_source_time(cue.end, keep)
            fixes[(round(a, 3), round(b, 3))] = CaptionFix(round(a, 3), round(b, 3), text)
        edit = replace(edit, captions=sorted(fixes.values(), key=lambda f: f.source_start))
        return self._save(job, edit)

    def apply(self, owner: str, job_id: str, indices: list[int] | None = None) -> Job:
        """Re-render the clips with unapplied edits (or `indices`): highlight_clips for those
        clips only, on the stored transcript (no re-transcription)."""
        job, manifest = self._done_job(owner, job_id)
        self.jobs.check_rate("reprocessJob", owner)
        if not job.status.terminal:
            raise ServiceError(
                "JOB_BUSY", f"the job is {job.status.value}; wait for it or cancel it first"
            )
        known = {int(c["index"]) for c in manifest.get("clips", [])}
        pending = [e.index for e in self.edits(job).edits if e.status == "pending"]
        chosen = sorted(set(indices) if indices else set(pending))
        if not chosen:
            raise ServiceError(
                "NOTHING_TO_APPLY", "no clip has unsaved changes; edit a clip first", "indices"
            )
        if unknown := [i for i in chosen if i not in known]:
            raise ServiceError("NOT_FOUND", f"the job has no clip {unknown[0]}", "indices")
        names = ", ".join(str(i) for i in chosen)
        self.jobs.store.record_progress(
            job.id,
            status=JobStatus.QUEUED,
            stage="queued",
            percent=0.0,
            message=f"re-rendering clip{'s' if len(chosen) > 1 else ''} {names}",
        )
        self.jobs.store.add_command(
            job.id, "reprocess", {"from": "highlight_clips", "clips": chosen}
        )
        return self.jobs.owned(owner, job_id)
