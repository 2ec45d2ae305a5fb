"""The studio's review operations: trims snap to sentences, captions are fixed, edits are
stored with who and when, apply queues a re-render of only those clips; owners stay apart."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
from dagster import SensorResult, build_sensor_context

from lecture_assets.clip_edit_store import load_edits
from lecture_assets.pipeline_sensors import command_sensor
from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource
from tests.graphql_api.conftest import Gql

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id } } } }"""
RESULT = """__typename ... on ClipEditSaved { edit { index author editedAt start end title status
  captions { sourceStart sourceEnd text } } } ... on ValidationError { code message field }
  ... on NotFoundError { code } ... on AuthError { code }"""
UPDATE = f"""mutation($job: ID!, $i: Int!, $s: Float, $e: Float, $t: String,
  $style: CaptionStyle) {{ updateClip(jobId: $job, index: $i, start: $s, end: $e, title: $t,
  captionStyle: $style) {{ {RESULT} }} }}"""
CAPTIONS = f"""mutation($job: ID!, $i: Int!, $cues: [CaptionCueInput!]!) {{
  editCaptions(jobId: $job, index: $i, cues: $cues) {{ {RESULT} }} }}"""
APPLY = """mutation($job: ID!, $i: [Int!]) { applyClipEdits(jobId: $job, indices: $i) {
  __typename ... on JobResult { job { status message } } ... on ValidationError { code message }
  ... on NotFoundError { code } } }"""
ARCHIVE = """mutation($job: ID!) { jobArchive(jobId: $job) { __typename
  ... on JobArchive { url sizeBytes } ... on NotFoundError { code } } }"""
JOB = """query($id: ID!) { job(id: $id) { sentences { start end text }
  edits { index author status } clips { index version edited cues { start end text } } } }"""

# three sentences per 10 s, from 0 to 60 s
SENTENCES = [(i * 3.3, i * 3.3 + 3.0, f"Sentence number {i} ends here.") for i in range(18)]


def _transcript() -> dict[str, Any]:
    segments = []
    for start, end, text in SENTENCES:
        words = text.split()
        step = (end - start) / len(words)
        segments.append(
            {
                "start": start,
                "end": end,
                "text": text,
                "words": [
                    {"start": start + k * step, "end": start + (k + 1) * step, "word": w}
                    for k, w in enumerate(words)
                ],
            }
        )
    return {"language": "en", "segments": segments, "model": "test", "duration_s": 60.0}


def _done_job(gql: Gql, storage: S3StorageResource, store: JobStoreResource) -> str:
    variables = {"input": {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10}}
    job_id = str(gql(CREATE, variables)["data"]["createUpload"]["job"]["id"])
    storage.put_json(f"jobs/{job_id}/transcript/transcript.json", _transcript())
    segment = {"index": 1, "start": 6.6, "end": 19.5, "score": 0.9, "title": "Machine title"}
    storage.put_json(
        f"jobs/{job_id}/highlight_segments/highlight_segments.json", {"segments": [segment]}
    )
    clip = {
        **segment,
        "duration_s": 12.9,
        "reason": "",
        "keep": [[6.6, 19.5]],
        "video": "clips/1/clip.mp4",
        "srt": "clips/1/clip.srt",
        "vtt": "clips/1/clip.vtt",
        "thumbnail": "clips/1/thumb.jpg",
        "version": 1,
    }
    storage.put_bytes(
        f"jobs/{job_id}/clips/1/clip.srt",
        b"1\n00:00:00,000 --> 00:00:03,000\nSentence number 2 ends here.\n\n"
        b"2\n00:00:03,300 --> 00:00:06,300\nSentence number 3 ends hear.\n",
    )
    storage.put_bytes(f"jobs/{job_id}/clips/1/clip.mp4", b"mp4 bytes")
    manifest = {"source": {"duration_s": 60.0}, "clips": [clip], "topics": [], "edl": None}
    storage.put_json(f"jobs/{job_id}/manifest.json", manifest)
    store.update(job_id, manifest_key=f"jobs/{job_id}/manifest.json", source_etag="etag")
    store.record_progress(job_id, status=JobStatus.DONE, stage="done", percent=100.0, message="")
    return job_id


def test_a_trim_snaps_to_sentence_edges_and_is_stored_with_who_and_when(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    saved = gql(UPDATE, {"job": job_id, "i": 1, "s": 10.4, "e": 25.1, "t": "  Better   title "})
    edit = saved["data"]["updateClip"]["edit"]
    # 10.4 s is nearest the sentence starting at 9.9 s; 25.1 s nearest the one ending at 26.1 s
    assert (edit["start"], edit["end"]) == (9.9, 26.1)
    assert edit["title"] == "Better title"
    assert edit["author"] == "alice" and edit["editedAt"].startswith("20")
    assert edit["status"] == "PENDING"
    job = gql(JOB, {"id": job_id})["data"]["job"]
    assert job["edits"] == [{"index": 1, "author": "alice", "status": "PENDING"}]
    assert len(job["sentences"]) == len(SENTENCES)


def test_a_clip_look_is_stored_as_the_renderer_reads_it(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    look = """mutation($job: ID!) { updateClip(jobId: $job, index: 1, captionStyle: KARAOKE,
      layout: CAMERA) { ... on ClipEditSaved { edit { captionStyle layout } } } }"""
    edit = gql(look, {"job": job_id})["data"]["updateClip"]["edit"]
    assert edit == {"captionStyle": "KARAOKE", "layout": "CAMERA"}
    stored = load_edits(storage, job_id).get(1)
    assert stored is not None and (stored.caption_style, stored.layout) == ("karaoke", "camera")


def test_bad_edits_are_refused_with_what_to_do(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    out_of_range = gql(UPDATE, {"job": job_id, "i": 1, "s": 50.0, "e": 90.0})["data"]
    assert out_of_range["updateClip"]["code"] == "INVALID_RANGE"
    assert "0 to 60.0 s" in out_of_range["updateClip"]["message"]
    no_clip = gql(UPDATE, {"job": job_id, "i": 7, "t": "x"})["data"]["updateClip"]
    assert no_clip == {"__typename": "NotFoundError", "code": "NOT_FOUND"}
    style = gql(UPDATE, {"job": job_id, "i": 1, "style": "COMIC"})
    assert style.get("data") is None and "CaptionStyle" in style["errors"][0]["message"]
    nothing = gql(APPLY, {"job": job_id})["data"]["applyClipEdits"]
    assert nothing["code"] == "NOTHING_TO_APPLY"


def test_a_caption_fix_is_kept_in_source_time(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    cues = gql(JOB, {"id": job_id})["data"]["job"]["clips"][0]["cues"]
    assert cues[1] == {"start": 3.3, "end": 6.3, "text": "Sentence number 3 ends hear."}
    fixed = {**cues[1], "text": "Sentence number 3 ends here."}
    edit = gql(CAPTIONS, {"job": job_id, "i": 1, "cues": [fixed]})["data"]["editCaptions"]["edit"]
    # the clip starts at 6.6 s in the lecture: the fix is anchored there, not to clip time
    assert edit["captions"] == [
        {"sourceStart": 9.9, "sourceEnd": 12.9, "text": "Sentence number 3 ends here."}
    ]


def test_apply_queues_one_render_of_only_the_edited_clip(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    gql(UPDATE, {"job": job_id, "i": 1, "t": "New"})
    applied = gql(APPLY, {"job": job_id})["data"]["applyClipEdits"]
    assert applied["job"] == {"status": "QUEUED", "message": "re-rendering clip 1"}
    busy = gql(APPLY, {"job": job_id, "i": [1]})["data"]["applyClipEdits"]
    assert busy["code"] == "JOB_BUSY"
    result = command_sensor(build_sensor_context(resources={"job_store": sqlite_store}))
    assert isinstance(result, SensorResult)
    (run,) = result.run_requests or []
    assert run.tags["lecture/clips"] == "1"
    assert [k.to_user_string() for k in run.asset_selection or []] == ["highlight_clips"]


def test_another_owner_can_neither_edit_nor_read_edits_nor_download(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    gql(UPDATE, {"job": job_id, "i": 1, "t": "Alice's"})
    theirs = gql(UPDATE, {"job": job_id, "i": 1, "t": "Bob's"}, token="bob-token")
    assert theirs["data"]["updateClip"] == {"__typename": "NotFoundError", "code": "NOT_FOUND"}
    assert gql(JOB, {"id": job_id}, token="bob-token")["data"]["job"] is None
    archive = gql(ARCHIVE, {"job": job_id}, token="bob-token")["data"]["jobArchive"]
    assert archive == {"__typename": "NotFoundError", "code": "NOT_FOUND"}
    anonymous = gql(UPDATE, {"job": job_id, "i": 1, "t": "x"}, token=None)
    assert anonymous["data"]["updateClip"] == {"__typename": "AuthError", "code": "UNAUTHENTICATED"}


def test_the_job_archive_holds_every_clip_file_and_the_manifest(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    first = gql(ARCHIVE, {"job": job_id})["data"]["jobArchive"]
    again = gql(ARCHIVE, {"job": job_id})["data"]["jobArchive"]
    assert first["sizeBytes"] == again["sizeBytes"] > 0
    assert isinstance(first["sizeBytes"], int)
    names = zipfile.ZipFile(io.BytesIO(httpx.get(first["url"]).content)).namelist()
    assert sorted(names) == ["clips/1/clip.mp4", "clips/1/clip.srt", "manifest.json"]


REPROCESS = """mutation($id: ID!) { reprocessJob(id: $id, fromStage: HIGHLIGHT_SEGMENTS) {
  __typename ... on JobResult { job { message } } } }"""


def test_a_recut_says_which_edits_it_may_replace(
    gql: Gql, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _done_job(gql, storage, sqlite_store)
    gql(UPDATE, {"job": job_id, "i": 1, "t": "Mine"})
    message = gql(REPROCESS, {"id": job_id})["data"]["reprocessJob"]["job"]["message"]
    assert message.startswith("reprocessing from highlight_segments")
    assert "may replace your edits of clip 1" in message
