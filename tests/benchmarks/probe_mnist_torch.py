"""Child process: the same MNIST-size epoch as :mod:`tests.benchmarks.probe_mnist`, in PyTorch.

Run as ``<python with torch> tests/benchmarks/probe_mnist_torch.py <folder> [batch]``.  It
needs only numpy and torch (no OpenCV, so it does not import the engine): the same network
(Conv2d 1→16 3×3 pad 1, ReLU, MaxPool 2, Conv2d 16→32 3×3 pad 1, ReLU, MaxPool 2, Flatten,
Linear 1568→10, He-normal weights, zero biases), the same batch, Adam (β 0.9/0.999, ε 1e-8,
η 0.01), the same penalty λ‖W‖² on the weights only, one shuffled pass over the 60,000
images with one thread (``torch.set_num_threads(1)``, as KernelScope trains), then the 10,000
test images evaluated without gradients.  Prints one JSON line (the epoch in wall and CPU
seconds).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch


def read_idx(path: Path) -> np.ndarray:
    """The array of an uncompressed ubyte IDX file."""
    raw = Path(path).read_bytes()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main() -> None:
    folder = Path(sys.argv[1])
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    torch.set_num_threads(1)
    torch.manual_seed(0)

    def images(name: str) -> torch.Tensor:
        arr = read_idx(folder / f"{name}-images-idx3-ubyte").astype(np.float32) / 255.0
        return torch.from_numpy(arr[:, None])

    def labels(name: str) -> torch.Tensor:
        return torch.from_numpy(read_idx(folder / f"{name}-labels-idx1-ubyte").astype(np.int64))

    x, y, vx, vy = images("train"), labels("train"), images("t10k"), labels("t10k")
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(1568, 10),
    )
    for layer in net:
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
    weights = [m.weight for m in net if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    lam = 1e-4
    start, cpu = time.perf_counter(), time.process_time()
    order = torch.randperm(len(y))
    for i in range(0, len(y), batch):
        idx = order[i : i + batch]
        optimizer.zero_grad()
        loss = loss_fn(net(x[idx]), y[idx]) + lam * sum((w * w).sum() for w in weights)
        loss.backward()
        optimizer.step()
    epoch = time.perf_counter() - start
    epoch_cpu = time.process_time() - cpu
    start = time.perf_counter()
    with torch.no_grad():
        correct = sum(
            int((net(vx[i : i + 1024]).argmax(1) == vy[i : i + 1024]).sum())
            for i in range(0, len(vy), 1024)
        )
    validation = time.perf_counter() - start
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "epoch_s": epoch,
                "epoch_cpu_s": epoch_cpu,
                "validation_s": validation,
                "val_accuracy": correct / len(vy),
            }
        )
    )


if __name__ == "__main__":
    main()
