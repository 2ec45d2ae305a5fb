"""The FastAPI app: GraphQL at /graphql (HTTP + websockets), health, /metrics, the studio at /."""

from __future__ import annotations

import gc
from typing import Any

from cross_web import HTTPException
from fastapi import FastAPI, Request, WebSocket
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from graphql_api.auth import AUTH_FAILURES_PER_MINUTE, TokenRegistry, TooManyAuthFailures
from graphql_api.context import AppState, Context
from graphql_api.dagster_control import DagsterControl
from graphql_api.media_route import mount_media
from graphql_api.media_tokens import MediaSigner
from graphql_api.metrics import ApiMetrics, MetricsMiddleware, graphql_metrics_extension
from graphql_api.rate_limit import RateLimiter
from graphql_api.schema import build_schema
from graphql_api.services import JobService
from graphql_api.studio import mount_studio
from resources.jobs.store import JobStoreResource
from resources.logging_setup import configure_logging
from resources.settings import Settings, get_settings
from resources.storage import StorageResource
from resources.storage.settings import s3_storage


class LectureGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app for /graphql: authenticates requests and websocket connections.

    Served as a plain ASGI route rather than through FastAPI's router, whose per-request
    dependency resolution cost ~15 % of a createUpload's CPU here (py-spy).
    """

    def __init__(
        self, schema: BaseSchema, state: AppState, auth_failures: RateLimiter, **kwargs: Any
    ) -> None:
        super().__init__(schema, **kwargs)
        self.state = state
        self.auth_failures = auth_failures

    def decode_json(self, data: str | bytes) -> object:
        """Refuse bodies that are valid JSON but not a request (a bare string, a number): 400."""
        decoded = super().decode_json(data)
        if not isinstance(decoded, dict | list):
            raise HTTPException(400, "the body must be a JSON object with a `query`")
        return decoded

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """The caller's owner from the Authorization header (None: anonymous)."""
        header = request.headers.get("authorization")
        if not header:
            return Context(self.state, None)
        client = request.client.host if request.client else "unknown"
        # token guessing: once an address has failed too often, even a right guess waits
        limiter = self.auth_failures
        if await limiter.call(limiter.exhausted, "auth", client):
            raise TooManyAuthFailures(await limiter.call(limiter.retry_after_s, "auth", client))
        owner = self.state.tokens.owner_for(header)
        if owner is None:
            await limiter.call(limiter.allow, "auth", client)
        return Context(self.state, owner)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or params.get("token")
        owner = context.state.tokens.owner_for(str(raw) if raw else None)
        if owner is None:
            raise ConnectionRejectionError({"message": "unknown or missing API token"})
        context.owner = owner
        return None


def create_app(
    settings: Settings | None = None,
    *,
    storage: StorageResource | None = None,
    job_store: JobStoreResource | None = None,
    dagster: DagsterControl | None = None,
) -> FastAPI:
    """Build the API for these settings (tests pass their own storage and job store)."""
    settings = settings or get_settings()
    configure_logging(settings)
    store = job_store or JobStoreResource(url=settings.resolved_job_store_url)
    store.migrate()
    state = AppState(
        service=JobService(
            settings,
            store,
            storage or s3_storage(settings),
            dagster or DagsterControl(),
            RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_storage_uri),
        ),
        tokens=TokenRegistry.from_tokens(settings.token_owners()),
    )

    auth_failures = RateLimiter(AUTH_FAILURES_PER_MINUTE, settings.rate_limit_storage_uri)
    metrics = ApiMetrics(store)
    schema = build_schema()
    schema.extensions = (*schema.extensions, graphql_metrics_extension(metrics))
    graphql = LectureGraphQL(
        schema,
        state,
        auth_failures,
        graphql_ide="graphiql" if settings.environment != "production" else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL],
    )
    app = FastAPI(title="Lecture Highlights API")
    app.state.lecture = state
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
        )
    routes = ("/graphql", "/metrics", "/healthz", "/readyz")
    app.add_middleware(MetricsMiddleware, metrics=metrics, routes=routes)
    app.router.routes += [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
    ]

    @app.exception_handler(TooManyAuthFailures)
    def too_many_auth_failures(_request: Request, exc: TooManyAuthFailures) -> JSONResponse:
        body = {
            "error": {
                "code": "TOO_MANY_AUTH_FAILURES",
                "message": f"Too many requests with an unknown API token. Check the token and "
                f"try again in {exc.retry_after_s} s.",
                "details": {"retry_after_seconds": exc.retry_after_s},
            }
        }
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(exc.retry_after_s)})

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return metrics.response()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            store.ping()
            checks["job_store"] = "ok"
        except Exception as exc:
            checks["job_store"] = f"unreachable: {type(exc).__name__}"
        try:
            # listing is lazy: taking the first item makes the request reach the store
            next(iter(state.service.storage.list("uploads/__ready__/")), None)
            checks["storage"] = "ok"
        except Exception as exc:
            checks["storage"] = f"unreachable: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        body: dict[str, Any] = {"status": "ok" if ok else "degraded", "checks": checks}
        if not ok:
            body = {
                "error": {"code": "NOT_READY", "message": "a dependency is down", "details": checks}
            }
        return JSONResponse(body, status_code=200 if ok else 503)

    mount_media(app, state.service, MediaSigner.for_settings(settings))
    mount_studio(app, settings)
    return app


def freeze_startup_objects() -> None:
    """Keep the garbage collector's full passes off everything built at start-up.

    The API process holds ~200k long-lived objects once Dagster, Strawberry, SQLAlchemy and
    botocore are imported; each full (generation 2) collection walked all of them and stopped
    the event loop for 130-230 ms, several times a minute under load (5-15 ms once frozen).
    Frozen objects are never collected, so collect first; what requests allocate afterwards is
    collected as before. Call once, in the serving process, after the app is built (not in
    test processes, which build many apps).
    """
    gc.collect()
    gc.freeze()


def app_factory() -> FastAPI:
    """Entry for `uvicorn --factory graphql_api.app:app_factory`."""
    app = create_app()
    freeze_startup_objects()
    return app
