"""API metrics for Prometheus: HTTP requests by route, GraphQL operations, pipeline state."""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from graphql import GraphQLResolveInfo
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from resources.jobs.store import JobStoreResource
from resources.pipeline_metrics import PipelineCollector

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("graphql_api.access")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class ApiMetrics:
    """The API's metric objects, in a registry of their own (one per app, no global state)."""

    def __init__(self, store: JobStoreResource | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lecture_api_requests",
            "HTTP requests by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lecture_api_request_duration_seconds",
            "HTTP request latency by route template, method and status code.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.operations = Counter(
            "lecture_graphql_operations",
            "GraphQL root fields resolved, by operation name, type, field and result type.",
            ["operation", "type", "field", "result"],
            registry=self.registry,
        )
        self._names: set[str] = set()
        if store is not None:
            self.registry.register(PipelineCollector(store))

    def operation_label(self, name: str | None, fallback: str) -> str:
        """The client's operation name, bounded so clients cannot explode label cardinality."""
        if not name or not _NAME.match(name):
            return fallback
        if name not in self._names and len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def response(self) -> Response:
        """The text exposition of every metric, for GET /metrics."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Pure ASGI middleware: counts and times HTTP requests, writes one JSON access log line."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics, routes: Iterable[str] = ()) -> None:
        self.app = app
        self.metrics = metrics
        # paths labelled as themselves; anything else is labelled by its route template (or
        # `unmatched`), so scanners probing random URLs cannot grow the label set
        self.routes = frozenset(routes)

    def _route(self, scope: Scope) -> str:
        path = str(scope.get("path", "")).rstrip("/") or "/"
        if path in self.routes:
            return path
        template = getattr(scope.get("route"), "path", None)
        return str(template) if template else "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = self._route(scope)
            labels = (route, scope["method"], str(status))
            self.metrics.requests.labels(*labels).inc()
            self.metrics.latency.labels(*labels).observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):  # build no record above INFO
                access_log.info(
                    "%s %s %s",
                    scope["method"],
                    route,
                    status,
                    extra={
                        "route": route,
                        "method": scope["method"],
                        "status": status,
                        "duration_s": round(elapsed, 4),
                    },
                )


def _result_type(value: object) -> str:
    if value is None:
        return "null"
    definition = getattr(value, "__strawberry_definition__", None)
    if definition is not None:
        return str(definition.name)
    if isinstance(value, list | tuple):
        return "list"
    if inspect.isasyncgen(value):
        return "stream"
    return type(value).__name__


def graphql_metrics_extension(metrics: ApiMetrics) -> type[SchemaExtension]:
    """A schema extension counting root fields by operation and result type (e.g. UploadTicket)."""

    class GraphQLMetrics(SchemaExtension):
        def resolve(
            self,
            _next: Callable[..., Any],
            root: Any,
            info: GraphQLResolveInfo,
            *args: Any,
            **kwargs: Any,
        ) -> Any:
            if info.path.prev is not None:
                return _next(root, info, *args, **kwargs)
            op = info.operation
            name = metrics.operation_label(op.name.value if op.name else None, info.field_name)
            labels = (name, op.operation.value, info.field_name)

            def record(result: str) -> None:
                metrics.operations.labels(*labels, result).inc()

            try:
                value = _next(root, info, *args, **kwargs)
            except Exception:
                record("error")
                raise
            if not inspect.isawaitable(value):
                record(_result_type(value))
                return value

            async def awaited() -> Any:
                try:
                    resolved = await value
                except Exception:
                    record("error")
                    raise
                record(_result_type(resolved))
                return resolved

            return awaited()

    return GraphQLMetrics
