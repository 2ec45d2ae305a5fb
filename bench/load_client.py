"""A light HTTP/1.1 load generator: keep-alive connections posting one prepared request.

The load generator shares the machine's two cores with the server it measures, so every
millisecond it spends is one the server does not get. aiohttp spent ~0.6 ms of CPU per
request here (and the server answered ~500 req/s beside it); this client writes prebuilt
request bytes and parses responses with httptools (the parser uvicorn itself uses), ~0.2 ms
per request with the JSON check, and the same server answered ~650 req/s beside it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httptools


@dataclass
class LoadResult:
    """Latencies of answered requests, the requests that failed, and the client's CPU."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    client_cpu_s: float = 0.0


class _Connection(asyncio.Protocol):
    """One keep-alive connection; `send()` writes the request and resolves with the response."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.body: list[bytes] = []
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_exception(ConnectionError(f"bad HTTP response: {exc}"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.parser.get_status_code(), b"".join(self.body)))
        self.body = []

    def send(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        """Write `request`; the future gets (status, body) of its response."""
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError("the connection is closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter


def post_request(host: str, port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """The bytes of one HTTP/1.1 keep-alive POST."""
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def run_load(
    host: str,
    port: int,
    request: bytes,
    clients: int,
    seconds: float,
    every_s: float = 0.0,
    ok: Callable[[int, bytes], bool] = lambda status, _body: status == 200,
    timeout_s: float = 30.0,
) -> LoadResult:
    """`clients` connections sending `request` for `seconds`: back to back (every_s=0, a closed
    loop) or one request per `every_s` each (paced users, start times spread over `every_s`).

    A request that fails `ok`, times out or loses its connection counts as an error; a lost
    connection is reopened.
    """
    loop = asyncio.get_running_loop()
    result = LoadResult()
    deadline = time.monotonic() + seconds
    cpu0 = time.process_time()

    async def connect() -> _Connection:
        _, conn = await loop.create_connection(_Connection, host, port)
        return conn

    async def client() -> None:
        conn = await connect()
        await asyncio.sleep(every_s * random.random())
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(conn.send(request), timeout_s)
            except (ConnectionError, TimeoutError):
                result.errors += 1
                if conn.transport is not None:
                    conn.transport.close()
                conn = await connect()
                continue
            result.latencies_ms.append((time.perf_counter() - t0) * 1000)
            if not ok(status, body):
                result.errors += 1
            if every_s:
                await asyncio.sleep(max(0.0, every_s - (time.perf_counter() - t0)))
        if conn.transport is not None:
            conn.transport.close()
            await conn.closed

    await asyncio.gather(*(client() for _ in range(clients)))
    result.client_cpu_s = time.process_time() - cpu0
    return result
