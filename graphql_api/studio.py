"""Serves the web studio (static ES modules, no build step), its settings and its CSP."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resources.limits import ALLOWED_TYPES
from resources.settings import Settings

STATIC_DIR = Path(__file__).with_name("static")
# a Host header we may echo into the policy: a name or IP literal and a port, nothing else
_HOST = re.compile(r"([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?")


def content_security_policy(host: str | None) -> str:
    """Everything from the page's own origin; no inline script; sockets to the same host.

    `connect-src 'self'` covers ws(s) of the same origin in CSP 3, but older browsers need
    the socket origins named.
    """
    sockets = f" ws://{host} wss://{host}" if host and _HOST.fullmatch(host) else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",  # data: for the empty favicon
            "media-src 'self' blob:",
            f"connect-src 'self'{sockets}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class StudioHeaders:
    """Adds the CSP and the other browser protections to every response of the studio."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = content_security_policy(Headers(scope=scope).get("host"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def studio_config(settings: Settings) -> dict[str, object]:
    """What the page checks before an upload, and the dev token it may prefill."""
    tokens = settings.token_owners()
    dev = settings.environment == "development" and "dev-token" in tokens
    return {
        "devToken": "dev-token" if dev else None,
        "maxUploadBytes": settings.max_upload_bytes,
        "allowedTypes": {ext: sorted(types) for ext, types in ALLOWED_TYPES.items()},
    }


def mount_studio(app: FastAPI, settings: Settings) -> None:
    """`/studio-config.json` and the page at `/`; mount last, after every other route."""
    config = studio_config(settings)

    @app.get("/studio-config.json", include_in_schema=False)
    def get_studio_config() -> JSONResponse:
        return JSONResponse(config, headers={"Cache-Control": "no-store"})

    app.mount("/", StudioHeaders(StaticFiles(directory=STATIC_DIR, html=True)), name="studio")
