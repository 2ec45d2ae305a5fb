"""`python -m graphql_api.serve`: workers on their own sockets, restarted when they die."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from graphql_api.serve import main as serve_main
from resources.storage import S3StorageResource
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, storage: S3StorageResource) -> dict[str, str]:
    return {
        **os.environ,
        "LECTURE_ENVIRONMENT": "test",
        "LECTURE_DATA_DIR": str(tmp_path / "data"),
        "LECTURE_S3_ENDPOINT_URL": storage.endpoint_url or "",
        "LECTURE_S3_BUCKET": storage.bucket,
        "LECTURE_JOB_STORE_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
        "DAGSTER_HOME": str(tmp_path),
    }


def _serve(port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "graphql_api.serve", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _workers(server: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The supervisor's live worker processes (not multiprocessing's helpers, not zombies)."""
    workers = []
    for child in psutil.Process(server.pid).children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                workers.append(child)
        except psutil.Error:  # exited (or a zombie) since the listing
            continue
    return workers


def _listening(server: subprocess.Popen[bytes], port: int) -> int:
    """How many workers listen on `port` (each has its own socket once it serves)."""
    listening = 0
    for worker in _workers(server):
        try:
            conns = worker.net_connections("tcp")
        except psutil.Error:
            continue
        listening += any(c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in conns)
    return listening


# generous on purpose: spawned workers import the whole app, which takes minutes when both
# cores are busy with other work; a stuck or dead server still fails at once (see `alive`)
LOADED_MACHINE_S = 600.0


def _wait_for(
    condition: Callable[[], bool],
    seconds: float,
    what: str,
    alive: subprocess.Popen[bytes] | None = None,
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"the server exited ({alive.returncode}) before: {what}")
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def two_workers(
    tmp_path: Path, storage: S3StorageResource
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    server = _serve(port, 2, _env(tmp_path, storage), tmp_path / "serve.log")
    try:
        up = f"http://127.0.0.1:{port}/healthz"
        _wait_for(lambda: _healthy(up), LOADED_MACHINE_S, "the API is up", server)
        _wait_for(
            lambda: _listening(server, port) == 2, LOADED_MACHINE_S, "two workers listen", server
        )
        yield server, port
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)


@pytest.mark.slow
def test_connections_spread_over_the_workers(
    two_workers: tuple[subprocess.Popen[bytes], int],
) -> None:
    server, port = two_workers
    # 40 keep-alive connections opened at once, as a proxy's upstream pool or load test does;
    # one shared socket gave one worker most of them, a socket each spreads them by hash
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
    try:

        def accepted() -> list[int]:
            return [
                sum(1 for c in w.net_connections("tcp") if c.laddr.port == port and c.raddr)
                for w in _workers(server)
            ]

        # a busy machine may take a while to accept all 40; the spread is set at connect time
        _wait_for(lambda: sum(accepted()) == 40, LOADED_MACHINE_S, "40 connections accepted")
        counts = accepted()
        assert sum(counts) == 40, counts
        assert min(counts) >= 8, f"connections per worker: {counts}"  # P(fail) ~ 1e-5
    finally:
        for conn in conns:
            conn.close()


@pytest.mark.slow
def test_a_dead_worker_is_replaced_and_sigterm_stops_them_all(
    two_workers: tuple[subprocess.Popen[bytes], int],
) -> None:
    server, port = two_workers
    victim, survivor = _workers(server)
    victim.kill()
    _wait_for(
        lambda: victim.pid not in [w.pid for w in _workers(server)]
        and _listening(server, port) == 2,
        LOADED_MACHINE_S,
        "a new worker replaces the killed one",
        server,
    )
    up = f"http://127.0.0.1:{port}/healthz"
    _wait_for(lambda: _healthy(up), LOADED_MACHINE_S, "the API answers", server)
    assert survivor.is_running()
    workers = _workers(server)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=LOADED_MACHINE_S) == 0
    assert not any(w.is_running() for w in workers)


@pytest.mark.slow
def test_a_port_in_use_is_refused_with_a_message(
    tmp_path: Path, storage: S3StorageResource
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = tmp_path / "serve.log"
        server = _serve(port, 2, _env(tmp_path, storage), log)
        assert server.wait(timeout=LOADED_MACHINE_S) == 3
    assert f"127.0.0.1:{port} is in use" in log.read_text()


@pytest.mark.slow
def test_workers_that_cannot_start_stop_the_server_instead_of_looping(
    tmp_path: Path, storage: S3StorageResource
) -> None:
    env = {**_env(tmp_path, storage), "LECTURE_JOB_STORE_URL": "nosuchdb://x"}
    log = tmp_path / "serve.log"
    server = _serve(_free_port(), 2, env, log)
    assert server.wait(timeout=LOADED_MACHINE_S) == 3
    assert "failed to start" in log.read_text()


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        ([], {"WEB_CONCURRENCY": "two"}, "WEB_CONCURRENCY='two': set it to a number of workers"),
        (["--workers", "0"], {}, "--workers must be at least 1"),
    ],
)
def test_a_bad_worker_count_is_refused_with_what_to_set(
    argv: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit) as exited:
        serve_main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_quietly(tmp_path: Path, storage: S3StorageResource, workers: int) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "graphql_api.serve", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=_env(tmp_path, storage), stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        up = f"http://127.0.0.1:{port}/healthz"
        _wait_for(lambda: _healthy(up), LOADED_MACHINE_S, "the API is up", server)
        _wait_for(
            lambda: workers == 1 or _listening(server, port) == workers,
            LOADED_MACHINE_S,
            "every worker listens",
            server,
        )
        os.killpg(server.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends: the whole group
        assert server.wait(timeout=LOADED_MACHINE_S) == 0
    finally:
        if server.poll() is None:
            server.kill()
    output = log.read_text()
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
