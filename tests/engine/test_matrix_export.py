"""Export formats and the worked solution text."""

from __future__ import annotations

import numpy as np
import pytest

from engine import get_filter
from engine.matrix.compute import ConvSettings, PoolingSpec, compute_layer, compute_matrix
from engine.matrix.export import (
    EXPORT_FORMATS,
    EXPORT_LABELS,
    EXPORT_SUFFIX,
    EXPORTS,
    ExportFormat,
    layer_worked_solution,
    matrix_to_text,
    worked_solution,
)
from engine.storage import save_text

M = np.array([[1, -2], [3, 4]])


def test_each_format_text():
    assert matrix_to_text(M, "csv") == "1,-2\n3,4\n"
    assert matrix_to_text(M, "tsv") == "1\t-2\n3\t4\n"
    assert matrix_to_text(M, "markdown").splitlines() == [
        "|   | 0 | 1 |",
        "|---|---:|---:|",
        "| **0** | 1 | \u22122 |",
        "| **1** | 3 | 4 |",
    ]
    assert (
        matrix_to_text(M, "latex") == "\\begin{bmatrix}\n  1 & -2 \\\\\n  3 & 4\n\\end{bmatrix}\n"
    )
    assert matrix_to_text(M, "numpy") == "np.array([\n    [1, -2],\n    [3, 4],\n])\n"
    assert "\\frac{1}{9}" in matrix_to_text(np.full((1, 1), 1 / 9), "latex")
    with pytest.raises(ValueError, match="fmt"):
        matrix_to_text(M, "xlsx")


def test_numpy_literal_evaluates_to_the_matrix():
    # The test (not the app) checks the literal is valid Python with numpy as np.
    namespace = {"np": np}
    values = np.array([[0.1, -2.5], [1 / 3, 7.0]])
    result = eval(matrix_to_text(values, "numpy"), namespace)  # noqa: S307
    np.testing.assert_array_equal(result, values)


def test_worked_solution_lists_every_cell():
    x = np.arange(16).reshape(4, 4)
    kernels = [("Sobel x", get_filter("sobel_x").kernel)]
    pooled = compute_matrix(x, kernels, ConvSettings(), pooling=PoolingSpec("max", 2, 2))
    text = worked_solution(pooled, "markdown")
    assert "## Kernel: Sobel x" in text
    assert "Output rows: ⌊(4 + 2·0 − 3)/1⌋ + 1 = 2" in text
    for cell in ("out[0, 0]", "out[0, 1]", "out[1, 0]", "out[1, 1]"):
        assert cell in text
    assert "out[0, 0] = (−1)·0 + 0·1 + 1·2 + (−2)·4 + 0·5 + 2·6 + (−1)·8 + 0·9 + 1·10 = 8" in text
    assert "pool[0, 0] = max(8, 8, 8, 8) = 8" in text
    results = compute_matrix(x, kernels, ConvSettings())
    latex = worked_solution(results, "latex")
    assert "\\cdot" in latex and "\\begin{bmatrix}" in latex
    csv = worked_solution(results, "csv")
    assert "# out[1, 1]" in csv and "\n8,8\n" in csv


def test_worked_solution_reports_kernel_that_does_not_fit():
    x = np.ones((2, 2), dtype=np.int64)
    results = compute_matrix(x, [("Big", np.ones((3, 3), dtype=np.int64))], ConvSettings())
    assert "Cannot be applied" in worked_solution(results)


def test_layer_worked_solution():
    x = np.arange(18).reshape(2, 3, 3)
    result = compute_layer(x, np.ones((1, 2, 2, 2), dtype=np.int64), np.array([1]), ConvSettings())
    text = layer_worked_solution(result)
    assert worked_solution(result) == text
    assert "Parameters N·(k·k·C + 1) = 1·(2·2·2 + 1) = 9" in text
    assert "sum over channels + bias: 8 + 44 + 1 = 53" in text


def test_worked_solution_says_what_each_kernel_responds_to_and_the_floor():
    x = np.arange(25).reshape(5, 5)
    kernels = [("Sobel x", get_filter("sobel_x").kernel), ("L", get_filter("laplacian4").kernel)]
    text = worked_solution(compute_matrix(x, kernels, ConvSettings(stride=2)), "markdown")
    assert "Responds to: Horizontal derivative ∂/∂x" in text
    assert "responds to vertical edges" in text
    assert "responds to edges in every direction" in text and "sensitive to noise" in text
    assert "needs a floor" in text and "d(k − 1) + 1" in text


def test_save_text_writes_and_replaces(tmp_path):
    target = tmp_path / "solution.md"
    save_text(target, "first")
    save_text(target, "second ⌊x⌋")
    assert target.read_text(encoding="utf-8") == "second ⌊x⌋"
    assert [p.name for p in tmp_path.iterdir()] == ["solution.md"]


def test_a_format_is_one_entry_in_the_table(monkeypatch):
    assert EXPORT_FORMATS == tuple(EXPORTS)
    assert EXPORT_LABELS["latex"] == EXPORTS["latex"].label and EXPORT_SUFFIX["numpy"] == ".py"
    julia = ExportFormat(
        "julia",
        "Julia matrix",
        ".jl",
        lambda a: "[" + "; ".join(" ".join(map(str, r)) for r in a.tolist()) + "]\n",
    )
    monkeypatch.setitem(EXPORTS, "julia", julia)
    x = np.array([[1, 2], [3, 4]])
    assert matrix_to_text(x, "julia") == "[1 2; 3 4]\n"
    text = worked_solution(
        compute_matrix(x, [("K", np.eye(2, dtype=np.int64))], ConvSettings()), "julia"
    )
    assert "# Worked solution" in text and "[5]" in text  # prose as comments, matrices in Julia


def test_a_format_with_an_unknown_prose_style_is_refused():
    with pytest.raises(ValueError, match="prose must be one of"):
        ExportFormat("x", "X", ".x", str, prose="html")
    with pytest.raises(ValueError, match="fmt must be one of"):
        matrix_to_text(np.eye(2), "julia")
