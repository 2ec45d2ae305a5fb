"""The embedded stack's child processes: tagged, tied to the supervisor, swept after a crash."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from pathlib import Path

# every process `serve` starts (and their children) carry this variable: the stack's data dir
STACK_VAR = "LECTURE_EMBEDDED_STACK"
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child: get SIGINT (a Ctrl-C) when the supervisor dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)
    except (OSError, AttributeError):  # not linux: the sweep on the next start still cleans up
        pass


def spawn(
    cmd: list[str], env: dict[str, str], log: Path | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `cmd` in its own session (Ctrl-C reaches it only through us), tagged for sweeps."""
    out = log.open("ab") if log else None
    try:
        return subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    finally:
        if out:
            out.close()


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, _, v in pairs}


def stack_processes(stack: str) -> list[int]:
    """Pids of live processes started by a stack on `stack` (its data dir), ours excluded."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        if _environ(int(entry.name)).get(STACK_VAR) == stack:
            found.append(int(entry.name))
    return found


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, pgrp, ...; [] once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return []


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return bool(fields) and fields[0] not in ("Z", "X")


def sweep(stack: str, grace_s: float = 20.0) -> int:
    """Stop what a crashed stack on the same data dir left running; returns how many."""
    pids = stack_processes(stack)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
    return len(pids)


def settle(stack: str, grace_s: float = 20.0) -> int:
    """Wait (up to `grace_s`) for the processes a stopped stack's services started to exit
    on their own, then stop what still runs; returns how many had to be stopped. Dagster's
    code server outlived `dagster dev` by more than 2 s on a busy 2-core machine."""
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(p) for p in stack_processes(stack)):
        time.sleep(0.2)
    return sweep(stack, grace_s=5.0)


def _interrupt(procs: list[subprocess.Popen[bytes]], *, whole_group: bool) -> None:
    for proc in procs:
        try:
            if whole_group:
                # SIGTERM: Dagster's workers take it as an interrupt, and its helpers (the
                # orphan watcher, a process still importing) end without a traceback
                os.killpg(proc.pid, signal.SIGTERM)  # the group outlives its leader
            elif proc.poll() is None:
                os.kill(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            continue


def _live_groups() -> set[int]:
    """Process groups with a member that still runs (zombies waiting for a reaper aside)."""
    groups = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _alive(pid := int(entry.name)):
            fields = _stat(pid)
            if len(fields) > 2:
                groups.add(int(fields[2]))
    return groups


def _wait(
    procs: list[subprocess.Popen[bytes]], timeout_s: float, *, whole_group: bool = False
) -> bool:
    deadline = time.monotonic() + timeout_s
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return False
    while whole_group and {p.pid for p in procs} & _live_groups():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_all(
    procs: list[subprocess.Popen[bytes]], timeout_s: float = 30.0, lead_s: float = 15.0
) -> None:
    """Stop the services newest first, storage last. Each service's own process gets the
    Ctrl-C first and stops its children in order (`dagster dev` stops the daemon before the
    code server the daemon launches runs on: a Ctrl-C to all at once caught a run being
    launched half way); then what is left of its process group (a run in flight, a code
    server winding down) gets a SIGTERM, so no run outlives the storage it writes to; what
    still runs after `timeout_s` is killed."""
    for tier in (procs[1:], procs[:1]):
        newest_first = list(reversed(tier))
        _interrupt(newest_first, whole_group=False)
        _wait(newest_first, lead_s)
        _interrupt(newest_first, whole_group=True)
        if _wait(newest_first, timeout_s, whole_group=True):
            continue
        for proc in newest_first:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
