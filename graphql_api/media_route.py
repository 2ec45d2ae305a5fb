"""`/media/<job>/<path>`: a job's files streamed from storage on the API's own origin, with
the owner's signed link, HTTP Range (video seeking), content types and cache validators;
`PUT /media/<job>/source` takes the upload itself, so a page needs no other origin."""

from __future__ import annotations

import asyncio
import mimetypes
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from graphql_api.media_tokens import MEDIA_ROOT, SOURCE, MediaDenied, MediaSigner
from graphql_api.services import JobService
from resources.jobs import Job, JobStatus
from resources.storage import StorageError, StoredObject

CHUNK = 1 << 20
# what a browser must be told for each kind of file (guesses differ between platforms)
TYPES = {
    ".mp4": "video/mp4",
    ".srt": "application/x-subrip; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".zip": "application/zip",
    ".edl": "text/plain; charset=utf-8",
    ".fcpxml": "application/xml",
    ".json": "application/json",
}


class RangeNotSatisfiable(Exception):
    """The Range header asks for bytes the object does not have."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte span of a single `bytes=` range, None for the whole object."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None  # absent, another unit, or several ranges: the whole object (RFC 9110)
    first, sep, last = header[6:].strip().partition("-")
    if not sep:
        return None
    try:
        if not first:  # the last N bytes
            count = int(last)
            if count <= 0 or size == 0:
                raise RangeNotSatisfiable
            return max(0, size - count), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    if end < start:
        return None
    return start, min(end, size - 1)


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": {}}}
    return JSONResponse(body, status_code=status, headers=headers or None)


def _content_type(path: str, job: Job) -> str:
    if path == SOURCE:
        return job.content_type
    suffix = Path(path).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def _disposition(download: str | None) -> str:
    if not download:
        return "inline"
    plain = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in download
    )
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(download)}"


class MediaRoute:
    """The ASGI endpoint for GET, HEAD and PUT of `/media/{job_id}/{path}`."""

    def __init__(self, service: JobService, signer: MediaSigner) -> None:
        self.service = service
        self.signer = signer

    async def handle(self, request: Request) -> Response:
        job_id = str(request.path_params["job_id"])
        path = str(request.path_params["path"])
        download = request.query_params.get("dl")
        method = "PUT" if request.method == "PUT" else "GET"
        try:
            owner = self.signer.verify(
                request.query_params.get("t", ""), job_id, path, download, method
            )
        except MediaDenied as exc:
            return _error(403, exc.code, exc.message)
        store = self.service.store
        job = await self.service.on_store(lambda: store.get(job_id, owner=owner))
        if job is None:
            return _error(404, "NOT_FOUND", "no such job for you: it was deleted or is not yours")
        key = job.source_key if path == SOURCE else f"jobs/{job.id}/{path}"
        if method == "PUT":
            if path != SOURCE:
                return _error(405, "METHOD_NOT_ALLOWED", "only the upload (source) takes a PUT")
            return await self._receive(request, job)
        try:
            found = await asyncio.to_thread(self.service.storage.head, key)
        except StorageError as exc:
            return _error(503, "STORAGE_UNAVAILABLE", str(exc), **{"Retry-After": "5"})
        if found is None:
            return _error(
                404, "NOT_FOUND", "this file is not there (any more); reload the job page"
            )
        return self._send(request, key, found, _content_type(path, job), download)

    def _send(
        self,
        request: Request,
        key: str,
        found: StoredObject,
        content_type: str,
        download: str | None,
    ) -> Response:
        etag = f'"{found.etag}"'
        headers = {
            "Accept-Ranges": "bytes",
            "ETag": etag,
            "Last-Modified": format_datetime(found.last_modified.astimezone(UTC), usegmt=True),
            # a re-render keeps the key: the browser must ask (a 304 when nothing changed)
            "Cache-Control": "private, no-cache",
            "Content-Disposition": _disposition(download),
            "X-Content-Type-Options": "nosniff",
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        range_header = request.headers.get("range")
        if_range = request.headers.get("if-range")
        if if_range and if_range not in (etag, headers["Last-Modified"]):
            range_header = None  # the object changed since the client's first part
        try:
            span = parse_range(range_header, found.size)
        except RangeNotSatisfiable:
            return _error(
                416,
                "RANGE_NOT_SATISFIABLE",
                f"the file has {found.size} bytes; ask for a range inside it",
                **{"Content-Range": f"bytes */{found.size}"},
            )
        start, end = span if span is not None else (0, found.size - 1)
        headers["Content-Length"] = str(max(0, end - start + 1))
        status = 200
        if span is not None:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{found.size}"
        if request.method == "HEAD" or found.size == 0:
            return Response(status_code=status, headers=headers, media_type=content_type)
        return StreamingResponse(
            self._chunks(key, start, end), status, headers=headers, media_type=content_type
        )

    async def _chunks(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """The span a megabyte at a time: a client that stops reading stops the reads."""
        storage = self.service.storage
        at = start
        while at <= end:
            last = min(end, at + CHUNK - 1)
            yield await asyncio.to_thread(storage.get_bytes, key, (at, last))
            at = last + 1

    async def _receive(self, request: Request, job: Job) -> Response:
        """The declared file, in full, into the job's upload key (the sensor takes it on)."""
        if job.source_etag is not None or job.status is not JobStatus.QUEUED:
            return _error(
                409, "ALREADY_UPLOADED", "this job has its file already; start a new upload"
            )
        sent_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if sent_type != job.content_type:
            return _error(
                415,
                "UNSUPPORTED_TYPE",
                f"send the file as {job.content_type}, the type declared in createUpload",
            )
        if request.headers.get("content-length") != str(job.size_bytes):
            return _error(
                400,
                "INVALID_SIZE",
                f"send exactly the {job.size_bytes} bytes declared in createUpload",
            )
        work = self.service.settings.work_dir
        await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=work, prefix="upload-") as tmp:
            part = Path(tmp) / "source"
            received = await _spool(request, part, job.size_bytes)
            if received != job.size_bytes:
                return _error(
                    400,
                    "UPLOAD_INCOMPLETE",
                    f"{received} of {job.size_bytes} bytes arrived; upload the file again",
                )
            try:
                await asyncio.to_thread(
                    self.service.storage.put_file, job.source_key, part, job.content_type
                )
            except StorageError as exc:
                return _error(503, "STORAGE_UNAVAILABLE", str(exc), **{"Retry-After": "5"})
        return JSONResponse({"status": "uploaded", "sizeBytes": received})


async def _spool(request: Request, dest: Path, limit: int) -> int:
    """Write the body to `dest`; stops counting past `limit` (the caller refuses it)."""
    received = 0
    pending = bytearray()
    with dest.open("wb") as fh:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                break
            pending += chunk
            if len(pending) >= CHUNK:  # a thread hop per megabyte, not per packet
                await asyncio.to_thread(fh.write, bytes(pending))
                pending.clear()
        await asyncio.to_thread(fh.write, bytes(pending))
    return received


def mount_media(app: FastAPI, service: JobService, signer: MediaSigner) -> None:
    """Serve `/media/...`; register before the studio's catch-all mount at `/`."""
    app.router.routes.append(
        Route(
            MEDIA_ROOT + "/{job_id}/{path:path}",
            MediaRoute(service, signer).handle,
            methods=["GET", "HEAD", "PUT"],
            include_in_schema=False,
        )
    )
