"""Shared helpers for the benchmarks: interleaved best-of-N timing and the results table.

Benchmarks never assert on time.  Each case records a row; ``conftest.py`` prints the table at
the end of the pytest run (and writes it as Markdown when ``KERNELSCOPE_BENCHMARK_MD`` names a
file).  Ratios are against references timed *in the same run, interleaved with the case*, so a
busy machine slows both sides alike.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass
class Row:
    """One line of the table; ``None`` prints as a dash."""

    group: str
    case: str
    ms: float | None = None
    vs_opencv: float | None = None
    vs_copy: float | None = None
    note: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row


RESULTS = Results()


def best_of(
    funcs: dict[str, Callable[[], object]],
    repeat: int = 5,
    *,
    budget_s: float = 0.4,
    max_repeat: int = 30,
) -> dict[str, float]:
    """Best wall time in ms of each function, running them interleaved.

    One untimed warm-up call each first (plans, caches, page faults), then at least ``repeat``
    rounds, and more (up to ``max_repeat``) while the rounds took less than ``budget_s`` in
    all: cheap cases get more tries at a moment when the machine is quiet.
    """
    for f in funcs.values():
        f()
    best = {name: float("inf") for name in funcs}
    start = time.perf_counter()
    rounds = 0
    while rounds < repeat or (rounds < max_repeat and time.perf_counter() - start < budget_s):
        for name, f in funcs.items():
            t0 = time.perf_counter()
            f()
            best[name] = min(best[name], (time.perf_counter() - t0) * 1000.0)
        rounds += 1
    return best


def cpu_model() -> str:
    """CPU model from /proc/cpuinfo (Linux) or the platform module."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_description() -> str:
    """One line: CPU, cores, OS, Python, numpy, OpenCV (and its thread count)."""
    return (
        f"{cpu_model()}, {os.cpu_count()} logical cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"OpenCV {cv2.__version__} ({cv2.getNumThreads()} threads)"
    )


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:.0f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


def table_markdown(rows: list[Row]) -> str:
    """The rows as a Markdown table (also readable as plain text)."""
    header = "| Group | Case | ms | × cv2.filter2D | × np.copyto | Notes |"
    lines = [header, "|---|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(
            f"| {r.group} | {r.case} | {_fmt(r.ms)} | {_fmt(r.vs_opencv, suffix='×')} | "
            f"{_fmt(r.vs_copy, 1, '×')} | {r.note} |"
        )
    return "\n".join(lines)
