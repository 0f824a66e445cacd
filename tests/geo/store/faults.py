"""Tools for the fault tests: run ``python -m geo`` as a real process, kill it when it is observed
doing something, take write permission away (also from root), and check a store after the fact."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import psutil

from geo.store import DB_NAME, IncidentStore

ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
# Capabilities that let root write where the permission bits say no (linux/capability.h).
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER, _CAP_LINUX_IMMUTABLE = 1, 2, 3, 9
_PR_CAPBSET_DROP = 24


def geo_command(*args: object) -> list[str]:
    return [sys.executable, "-m", "geo", *map(str, args)]


def start(argv: Sequence[str], **options) -> subprocess.Popen:
    """`argv` as a child process in the project root (stdout and stderr captured as text)."""
    return subprocess.Popen(argv, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **options)


def run(argv: Sequence[str], *, env: dict[str, str] | None = None, **options) -> subprocess.CompletedProcess:
    """`argv` to its end in the project root, with `env` added to the environment."""
    return subprocess.run(argv, cwd=ROOT, env={**ENV, **(env or {})}, capture_output=True, text=True,
                          timeout=600, **options)


def as_ordinary_user() -> None:
    """For ``preexec_fn``: the child obeys permission bits even when run by root (CI runs as root).

    Root keeps its uid (and so its own temporary directories) but loses the capabilities that
    override file permissions, from the next exec on; an ordinary user has none of them anyway.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER, _CAP_LINUX_IMMUTABLE):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def private_mounts() -> list[str] | None:
    """The ``unshare`` prefix that gives a child its own mount namespace (as root, or as a user
    through a user namespace), or None where this system does not allow it."""
    if shutil.which("unshare") is None:
        return None
    with tempfile.TemporaryDirectory() as point:
        for prefix in (["unshare", "--mount"], ["unshare", "--map-root-user", "--mount"]):
            try:
                probe = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", point],
                                       capture_output=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if probe.returncode == 0:
                return prefix
    return None


def kill_when(child: subprocess.Popen, seen: Callable[[], bool], *, timeout: float = 300) -> bool:
    """SIGKILL `child` as soon as `seen()` is true; True if killed, False if it ended first."""
    deadline = time.monotonic() + timeout
    while child.poll() is None:
        if seen():
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
            return True
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError("the child neither ended nor reached the moment to kill it")
        time.sleep(0.002)
    return False


def has_open(pid: int, path: Path) -> bool:
    """Whether process `pid` holds `path` open right now."""
    try:
        return any(Path(f.path) == path.resolve() for f in psutil.Process(pid).open_files())
    except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
        return False


def waiting(pid: int, path: Path, *, quiet: float = 0.5) -> bool:
    """Whether `pid` holds `path` open and used no CPU for `quiet` seconds (asleep on a lock)."""
    try:
        proc = psutil.Process(pid)
        if not has_open(pid, path):
            return False
        before = sum(proc.cpu_times()[:2])
        time.sleep(quiet)
        return has_open(pid, path) and sum(proc.cpu_times()[:2]) - before < 0.02
    except psutil.NoSuchProcess:
        return False


def contents(directory: Path) -> dict[str, pd.DataFrame]:
    """A store as a restarted program sees it, checked: ``PRAGMA integrity_check`` is ok and every
    point chunk reads with its checksum. Returns each dataset's points (no geometry) by name."""
    path = directory / DB_NAME
    with sqlite3.connect(path) as conn:  # opening rolls back what an interrupted write left
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    store = IncidentStore(directory)
    table = store.point_table()  # raises StoreDamagedError on a chunk whose SHA-256 does not match
    listed = store.datasets()
    found = {name: part.drop(columns="dataset").reset_index(drop=True)
             for name, part in table.groupby("dataset", sort=False)}
    points = listed[listed["kind"] == "punkte"]
    assert set(found) == set(points["name"])
    for name, accepted in zip(points["name"], points["accepted"], strict=True):
        assert len(found[name]) == accepted, f"{name}: {len(found[name])} points, {accepted} accepted"
    return found


def same_contents(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    return a.keys() == b.keys() and all(a[name].equals(b[name]) for name in a)


def leftovers(directory: Path, keep: set[str]) -> list[str]:
    """Files in `directory` other than `keep` that are not hidden temporary files (``.NAME.*.neu``)."""
    return sorted(p.name for p in directory.iterdir()
                  if p.name not in keep and not (p.name.startswith(".") and p.name.endswith(".neu")))
