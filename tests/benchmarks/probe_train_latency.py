"""Child process for the Train tab's event-loop latency benchmark.

Run as ``python -m tests.benchmarks.probe_train_latency <parent time> <page> [seconds]`` with
``QT_QPA_PLATFORM=offscreen``; ``page`` is ``curves`` or ``learned`` (the Train tab page shown)
and ``idle`` measures the curves page with nothing training (the machine's own noise).

It builds the real :class:`gui.train_tab.TrainTab` (1100×750, the built-in digits and the
tab's default settings: both default models, 20 epochs), clicks *Train both*, and runs a
``Qt.PreciseTimer`` every ``TICK_MS``; the lateness of a tick is the time between two ticks
minus ``TICK_MS`` (a Python slot, so it includes waiting for the GIL, as any click would).
It stops after ``seconds`` or when training ends, and prints one JSON line: p50/p95/max
lateness (ms), the five worst ticks, the epochs the two models finished, the GUI thread's and
the process's CPU seconds, each thread's CPU seconds, and the load average at the start.
"""

from __future__ import annotations

import json
import os
import sys
import time

TICK_MS = 10


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _thread_cpu() -> dict[str, float]:
    """CPU seconds of each thread of this process by name (Linux /proc), the busiest first."""
    ticks = os.sysconf("SC_CLK_TCK")
    result: dict[str, float] = {}
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat", encoding="ascii") as fh:
                text = fh.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        result[f"{name}:{task}"] = round(cpu, 2)  # OpenBLAS's helpers are named "python" too
    return dict(sorted(result.items(), key=lambda kv: -kv[1]))


def main() -> None:
    page = sys.argv[2] if len(sys.argv) > 2 else "curves"
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 8.0
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from gui.context import AppContext
    from gui.pg_config import configure_pyqtgraph
    from gui.pyside_workarounds import keep_none_alive
    from gui.train_tab import TrainTab
    from gui.train_tab.page import PAGES

    keep_none_alive()  # as the app does: thousands of repaints otherwise abort the process
    app = QApplication(["kernelscope-bench"])
    app.setStyle("Fusion")
    configure_pyqtgraph()
    tab = TrainTab(None, context=AppContext())
    tab.resize(1100, 750)
    tab.pages.setCurrentIndex(PAGES.index("curves" if page == "idle" else page))
    tab.show()
    QTest.qWaitForWindowExposed(tab)
    app.processEvents()

    lateness: list[float] = []
    when: list[float] = []
    last = [0.0]
    started = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        if last[0]:
            lateness.append(max(0.0, (now - last[0]) * 1000.0 - TICK_MS))
            when.append(now - started[0])
        last[0] = now
        over = now - started[0] > seconds
        if over or (page != "idle" and not tab.busy):
            timer.stop()
            app.quit()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    load = os.getloadavg()[0]
    if page != "idle":
        tab.train_button.click()
    started[0] = time.perf_counter()
    gui_cpu = time.thread_time()
    all_cpu = time.process_time()
    timer.start()
    app.exec()
    elapsed = time.perf_counter() - started[0]
    gui_cpu = time.thread_time() - gui_cpu
    all_cpu = time.process_time() - all_cpu
    epochs = {slot: len(h.records) for slot, h in tab.histories.items()}
    threads = _thread_cpu()
    tab.shutdown()
    print(
        json.dumps(
            {
                "page": page,
                "p50_ms": _percentile(lateness, 50),
                "p95_ms": _percentile(lateness, 95),
                "max_ms": max(lateness, default=float("nan")),
                "ticks": len(lateness),
                # The five worst ticks: (seconds since the start, lateness in ms).
                "worst": sorted(
                    ((round(t, 2), round(ms, 1)) for t, ms in zip(when, lateness, strict=True)),
                    key=lambda pair: -pair[1],
                )[:5],
                "seconds": elapsed,
                "gui_cpu_s": gui_cpu,
                "process_cpu_s": all_cpu,
                "epochs": epochs,
                "load": load,
                "threads_cpu_s": threads,
            }
        ),
        flush=True,
    )
    os._exit(0)  # a measurement process: skip Qt's teardown


if __name__ == "__main__":
    main()
