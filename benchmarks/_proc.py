"""What the benchmarks read of a process from ``/proc/<pid>/status``: resident memory now and at its
peak. A helper, not a benchmark (``make bench`` runs only the files not starting with ``_``)."""

from __future__ import annotations


def status_mb(key: str, pid: int | str = "self") -> float:
    """The field `key` (``"VmHWM:"``, ``"VmRSS:"``, ``"RssAnon:"`` …) of process `pid` in MB; NaN
    if the kernel does not report it."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of process `pid` in MB."""
    return status_mb("VmHWM:", pid)
