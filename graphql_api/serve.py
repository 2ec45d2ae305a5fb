"""Serve the API: `python -m graphql_api.serve --workers N`, one SO_REUSEPORT socket each."""

# uvicorn's own `--workers` shares one listening socket between its processes; whichever worker
# wakes first accepts every pending connection, so a burst of keep-alive connections (a proxy's
# upstream pool, 50 load-test clients) lands mostly on one worker: 42 of 50 on one of two here,
# whose clients then waited six times longer than the others. With a socket per worker the kernel
# spreads connections by a hash of their addresses, as nginx's `reuseport` does.
#
# one worker (the default) is plain uvicorn on one socket. Several are supervised here: a worker
# that dies while serving is restarted; one that dies before it serves (port taken, bad settings, an
# import error) stops them all, since restarting it would only loop.

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

APP = "graphql_api.app:app_factory"


def listening_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    """A bound TCP socket for `host:port`, shared with the other workers' when `reuse_port`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on `host:port`: a plain bind (no SO_REUSEPORT) fails on any
    listener, so SO_REUSEPORT workers never silently share a port with another server."""
    try:
        listening_socket(host, port, reuse_port=False).close()
    except OSError:
        return False
    return True


class _Server(uvicorn.Server):
    """uvicorn's server, telling its supervisor once it serves."""

    def __init__(self, config: uvicorn.Config, serving: Event | None) -> None:
        super().__init__(config)
        self.serving = serving

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.serving is not None:
            self.serving.set()


def run_worker(config: uvicorn.Config, reuse_port: bool, serving: Event | None = None) -> None:
    """One uvicorn server on its own socket (in a worker process, or in this one); sets
    `serving` once it accepts connections."""
    try:
        sock = listening_socket(config.host, config.port, reuse_port)
    except OSError as exc:
        sys.stderr.write(f"cannot listen on {config.host}:{config.port}: {exc}\n")
        sys.exit(STARTUP_FAILURE)
    # uvicorn shuts down gracefully, then re-raises the Ctrl-C: leave without a traceback
    with contextlib.suppress(KeyboardInterrupt):
        _Server(config, serving).run(sockets=[sock])


class Supervisor:
    """Runs `workers` processes of `run_worker`, restarts those that die, stops them on a signal."""

    def __init__(self, config: uvicorn.Config, workers: int) -> None:
        self.config = config
        self.workers = workers
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[tuple[BaseProcess, Event]] = []
        self.stopping = False

    def _start(self) -> tuple[BaseProcess, Event]:
        serving = self.context.Event()
        process = self.context.Process(
            target=run_worker, args=(self.config, True, serving), name="api-worker"
        )
        process.start()
        return process, serving

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        """Serve until SIGINT/SIGTERM; the exit code is uvicorn's startup failure when a worker
        could not start."""
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        self.processes = [self._start() for _ in range(self.workers)]
        code = 0
        while not self.stopping:
            time.sleep(0.2)
            for index, (process, serving) in enumerate(self.processes):
                if process.is_alive() or self.stopping:
                    continue
                if not serving.is_set():
                    sys.stderr.write(
                        f"api worker {process.pid} failed to start (exit {process.exitcode});"
                        " stopping: fix the error above and start again\n"
                    )
                    code, self.stopping = STARTUP_FAILURE, True
                    break
                sys.stderr.write(
                    f"api worker {process.pid} exited with {process.exitcode}; restarting it\n"
                )
                self.processes[index] = self._start()
        for process, _ in self.processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # uvicorn's graceful shutdown
        for process, _ in self.processes:
            process.join(timeout=self.config.timeout_graceful_shutdown or 30)
            if process.is_alive():
                process.kill()
        return code


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m graphql_api.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: $WEB_CONCURRENCY or 1); one core each",
    )
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    if args.workers is None:
        concurrency = os.environ.get("WEB_CONCURRENCY", "1")
        if not concurrency.strip().isdigit():
            parser.error(f"WEB_CONCURRENCY={concurrency!r}: set it to a number of workers")
        args.workers = int(concurrency)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    config = uvicorn.Config(
        APP,
        factory=True,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=not args.no_access_log,
        proxy_headers=True,
    )
    if args.workers == 1:
        run_worker(config, reuse_port=False)
        return 0
    if not port_is_free(args.host, args.port):
        sys.stderr.write(
            f"{args.host}:{args.port} is in use; stop what listens there or choose --port\n"
        )
        return STARTUP_FAILURE
    return Supervisor(config, args.workers).run()


if __name__ == "__main__":
    sys.exit(main())
