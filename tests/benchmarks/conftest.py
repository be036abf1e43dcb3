"""Benchmarks: mark every test here and print the results table after the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.benchmarks.report import RESULTS, machine_description, table_markdown

MARKDOWN_ENV = "KERNELSCOPE_BENCHMARK_MD"
GROUP_ORDER = (
    "1080p float32, same",
    "separable vs not (1080p)",
    "Matrix tab 64×64, 15×15 kernel",
    "Live pipeline 1280×720, OpenCV backend",
    "Start-up",
    "Memory",
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.benchmark)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the table (whatever ``-s`` says); write Markdown to ``$KERNELSCOPE_BENCHMARK_MD``."""
    if not RESULTS.rows:
        return
    machine = machine_description()
    rank = {group: n for n, group in enumerate(GROUP_ORDER)}
    rows = sorted(RESULTS.rows, key=lambda r: rank.get(r.group, len(rank)))  # stable
    table = table_markdown(rows)
    terminalreporter.section("KernelScope benchmarks")
    terminalreporter.write_line(f"Machine: {machine}")
    for line in table.splitlines():
        terminalreporter.write_line(line)
    target = os.environ.get(MARKDOWN_ENV)
    if target:
        Path(target).write_text(f"Machine: {machine}\n\n{table}\n", encoding="utf-8")
        terminalreporter.write_line(f"(written to {target})")
