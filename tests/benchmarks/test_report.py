"""The benchmark table helpers themselves (no timing involved)."""

from __future__ import annotations

from tests.benchmarks.conftest import END, START, write_table
from tests.benchmarks.report import Row, best_of, table_markdown


def test_table_formats_missing_values_as_dashes():
    text = table_markdown([Row("G", "case", 1.234, 2.5, None, "note")])
    assert "| G | case | 1.23 | 2.50× | — | note |" in text


def test_write_table_replaces_only_the_marked_section(tmp_path):
    path = tmp_path / "bench.md"
    path.write_text(f"intro\n{START}\nold table\n{END}\noutro\n", encoding="utf-8")
    write_table(path, "new table\n")
    assert path.read_text(encoding="utf-8") == f"intro\n{START}\nnew table\n{END}\noutro\n"
    fresh = tmp_path / "fresh.md"
    write_table(fresh, "only table\n")
    assert fresh.read_text(encoding="utf-8") == "only table\n"


def test_best_of_runs_each_function_interleaved():
    calls = []
    funcs = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    times = best_of(funcs, repeat=2, budget_s=0.0)
    assert calls == ["a", "b", "a", "b", "a", "b"]  # one warm-up each, then interleaved
    calls.clear()
    best_of(funcs, repeat=1, budget_s=10.0, max_repeat=4)
    assert calls == ["a", "b"] * 5  # cheap functions get more rounds, up to max_repeat
    assert set(times) == {"a", "b"} and all(t >= 0 for t in times.values())
