"""Train tab at MNIST scale (issue #20): conv layers at 28×28 against one-thread float32 GEMM,
one epoch over 60,000 synthetic 28×28 digits against PyTorch on the CPU, the share of the
epoch spent on its metrics, and the peak memory of that run.

Ratios against references timed in the same run; no timed asserts.  Each case checks its
numbers (the conv layers against engine.correlate2d, the epoch's validation accuracy), so a
fast wrong answer fails.  PyTorch is optional: the benchmark uses ``import torch`` when it
works, else the interpreter named by ``KERNELSCOPE_TORCH_PYTHON`` (a separate venv with torch
and numpy), else it prints that the comparison was skipped and why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import correlate2d
from engine.train._blas import single_threaded_blas
from engine.train._conv import Conv2d
from tests.benchmarks.mnist_synthetic import write_synthetic_mnist
from tests.benchmarks.report import RESULTS, Row, best_of

GROUP = "Train tab at MNIST scale (28×28)"
MATMUL_N = 256
BATCH = 32  # the Train tab's default batch
TORCH_ENV = "KERNELSCOPE_TORCH_PYTHON"
ROOT = Path(__file__).resolve().parents[2]


def _conv_case(rng, cin: int, cout: int, k: int):
    """A conv layer at 28×28 as in training: ``same`` padding, He-scaled weights, and the
    first layer (one input channel) skipping ∂L/∂x as the model does."""
    w = (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2 / (cin * k * k))).astype(np.float32)
    layer = Conv2d(f"{cin}→{cout} {k}×{k}", w, np.zeros(cout, np.float32), padding=k // 2)
    layer.need_input_grad = cin > 1
    x = rng.random((BATCH, 28, 28, cin), dtype=np.float32)
    grad = rng.standard_normal((BATCH, 28, 28, cout)).astype(np.float32)
    macs = BATCH * 28 * 28 * cout * cin * k * k
    flops = 2 * macs * (3 if layer.need_input_grad else 2)  # y, ∂W (and ∂x)
    return layer, x, grad, flops


def test_conv_layers_at_28x28_against_one_thread_float32_gemm():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((MATMUL_N, MATMUL_N)).astype(np.float32)
    b = rng.standard_normal((MATMUL_N, MATMUL_N)).astype(np.float32)
    cases = [_conv_case(rng, cin, cout, k) for cin, cout in ((1, 8), (8, 16)) for k in (3, 5)]

    def gemm():
        with single_threaded_blas():
            a @ b

    funcs = {"gemm": gemm}
    for layer, x, grad, _ in cases:

        def step(layer=layer, x=x, grad=grad):
            with single_threaded_blas():  # as the Trainer runs it
                layer.forward(x, True)
                layer.backward(grad)

        funcs[layer.name] = step
    times = best_of(funcs, repeat=5, budget_s=3.0, max_repeat=40)
    gemm_gflops = 2 * MATMUL_N**3 / (times["gemm"] * 1e6)
    for layer, x, _grad, flops in cases:
        # A fast wrong answer fails: one output map equals correlate2d summed over channels.
        got = layer.forward(x)[1, :, :, 2]
        w = layer.params["weight"]
        ref = sum(correlate2d(x[1, :, :, c], w[2, c], padding="same") for c in range(x.shape[3]))
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
        gflops = flops / (times[layer.name] * 1e6)
        RESULTS.add(
            Row(
                GROUP,
                f"conv fwd+bwd, batch {BATCH}, 28×28: {layer.name}",
                times[layer.name],
                note=(
                    f"{gflops:.1f} GFLOP/s = {gflops / gemm_gflops:.0%} of one-thread float32 "
                    f"GEMM {MATMUL_N}³ ({gemm_gflops:.0f} GFLOP/s, same run); target ≥ 25 %"
                    + ("; first layer: no ∂L/∂x" if not layer.need_input_grad else "")
                ),
            )
        )


@pytest.fixture(scope="module")
def mnist_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic-mnist")
    write_synthetic_mnist(folder)
    return folder


def _child(argv: list[str], timeout: float) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _load() -> str:
    """The 1-minute load average and the core count, e.g. ``"2.3 on 2 cores"``."""
    try:
        one = os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Linux
        return "unknown"
    return f"{one:.1f} on {os.cpu_count()} cores"


def _torch_python() -> tuple[str | None, str]:
    """An interpreter that has torch, and how it was found (or why there is none)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        return sys.executable, "torch in this environment"
    named = os.environ.get(TORCH_ENV)
    if named:
        probe = subprocess.run(
            [named, "-c", "import torch, numpy"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return named, f"torch from {TORCH_ENV}={named}"
        return None, f"{TORCH_ENV}={named} cannot import torch and numpy"
    return None, f"torch is not installed (set {TORCH_ENV} to a Python that has it)"


def test_one_mnist_epoch_against_pytorch_and_its_peak_memory(mnist_folder):
    ours = _child([sys.executable, "-m", "tests.benchmarks.probe_mnist", str(mnist_folder)], 900)
    assert ours["images"] == 60_000
    # The synthetic digits are easy: one epoch of a working CNN gets far above chance.
    assert ours["val_accuracy"] >= 0.85 and ours["record_val_accuracy"] == ours["val_accuracy"]
    python, how = _torch_python()
    torch_note = f"PyTorch comparison skipped: {how}"
    theirs = None
    if python is not None:
        script = str(ROOT / "tests" / "benchmarks" / "probe_mnist_torch.py")
        theirs = _child([python, script, str(mnist_folder)], 900)
        # The two children run one after the other: when the load on a shared machine moves
        # between them the wall-time ratio moves with it, the CPU-time ratio much less.
        torch_note = (
            f"{ours['epoch_s'] / theirs['epoch_s']:.2f}× PyTorch {theirs['torch']} CPU "
            f"({theirs['epoch_s']:.1f} s, {theirs['threads']} thread, same network/batch/Adam/"
            f"L2, val accuracy {theirs['val_accuracy']:.3f}; {how}); target ≤ 2×; CPU time "
            f"{ours['epoch_cpu_s'] / theirs['epoch_cpu_s']:.2f}× ({ours['epoch_cpu_s']:.1f} s "
            f"vs {theirs['epoch_cpu_s']:.1f} s); load average {_load()} after the two"
        )
    metrics_share = ours["metrics_s"] / ours["epoch_s"]
    RESULTS.add(
        Row(
            GROUP,
            f"one epoch, 60,000 synthetic 28×28 digits, preset CNN, batch {ours['batch']}, Adam",
            ours["epoch_s"] * 1000,
            note=(
                f"{ours['epoch_s']:.1f} s (CPU {ours['epoch_cpu_s']:.1f} s); {torch_note}; "
                "val accuracy (10,000 unseen) "
                f"{ours['val_accuracy']:.3f}"
            ),
        )
    )
    RESULTS.add(
        Row(
            GROUP,
            "… of which the end-of-epoch metrics (validation pass; training metrics are "
            "running means)",
            ours["metrics_s"] * 1000,
            note=f"{metrics_share:.1%} of the epoch (a full training-set pass was 27 %)",
        )
    )
    if theirs is not None:
        RESULTS.add(
            Row(
                GROUP,
                "validation pass over 10,000 images",
                ours["validation_s"] * 1000,
                note=f"PyTorch {theirs['validation_s'] * 1000:.0f} ms (no_grad, batches of 1024)",
            )
        )
    RESULTS.add(
        Row(
            GROUP,
            "peak resident memory, that epoch (60,000 + 10,000 images loaded from IDX)",
            None,
            note=(
                f"{ours['peak_mb']:.0f} MB (the child's VmHWM; {ours['imports_mb']:.0f} MB "
                f"after the imports); target ≤ 600 MB"
            ),
        )
    )
