"""Serves the web studio (static ES modules, no build step) and the settings it needs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.staticfiles import StaticFiles

from resources.limits import ALLOWED_TYPES
from resources.settings import Settings

STATIC_DIR = Path(__file__).with_name("static")


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

    app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="studio")
