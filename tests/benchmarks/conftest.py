"""Benchmarks: mark every test here and print the results table after the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.benchmarks.report import RESULTS, machine_description, table_markdown

MARKDOWN_ENV = "KERNELSCOPE_BENCHMARK_MD"
START, END = "<!-- benchmark-table:start -->", "<!-- benchmark-table:end -->"
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
        write_table(Path(target), f"Machine: {machine}\n\n{table}\n")
        terminalreporter.write_line(f"(written to {target})")


def write_table(path: Path, text: str) -> None:
    """Put ``text`` between the table markers of ``path`` (keeping the prose around them), or
    write it as the whole file when the file or its markers do not exist."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        head, rest = old.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = f"{head}{START}\n{text}{END}{tail}"
    path.write_text(text, encoding="utf-8")
