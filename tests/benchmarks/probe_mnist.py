"""Child process for the MNIST-size benchmark: one epoch of the 28×28 preset CNN in numpy.

Run as ``python -m tests.benchmarks.probe_mnist <folder> [batch]``; the folder holds the IDX
files of :mod:`tests.benchmarks.mnist_synthetic`.  Loads them with ``engine.train.load_idx``,
trains the Train tab's CNN preset at 28×28 for one epoch over the 60,000 training images
(batch 32, Adam, η = 0.01, λ = 10⁻⁴, one BLAS thread — the tab's defaults) with the 10,000
test images as validation, and prints one JSON line: seconds for the loading, the epoch's
batches, the end-of-epoch metrics, the epoch in all (wall and this process's CPU time) and a
separate validation pass; the
validation accuracy; resident memory after the imports and at its peak (MB).  The peak is
``VmHWM`` of ``/proc/self/status``, this process's own high-water mark: ``ru_maxrss`` of a
child started from a large parent can report the parent's (Linux keeps the larger of the two
across ``exec``), which read 865 MB here for a 311 MB job.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _status_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    folder = Path(sys.argv[1])
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    from engine.train import Trainer, build_model, load_idx

    imports_mb = _status_mb("VmRSS")
    start = time.perf_counter()
    train = load_idx(folder / "train-images-idx3-ubyte", folder / "train-labels-idx1-ubyte")
    test = load_idx(folder / "t10k-images-idx3-ubyte", folder / "t10k-labels-idx1-ubyte")
    loaded = time.perf_counter() - start
    model = build_model("cnn", (1, 28, 28), seed=0)
    trainer = Trainer(
        model,
        train.as_input(),
        train.labels,
        epochs=1,
        batch_size=batch,
        learning_rate=0.01,
        lam=1e-4,
        optimizer="adam",
        validation=(test.as_input(), test.labels),
    )
    start, cpu = time.perf_counter(), time.process_time()
    while trainer.batches_done < trainer.total_batches - 1:
        trainer.step()
    batches = time.perf_counter() - start
    last = time.perf_counter()
    trainer.step()  # the last batch, then the epoch's metrics
    last = time.perf_counter() - last
    epoch = batches + last
    epoch_cpu = time.process_time() - cpu
    per_batch = batches / max(1, trainer.total_batches - 1)
    start = time.perf_counter()
    val_loss, val_acc = model.data_loss(test.as_input(), test.labels)
    validation = time.perf_counter() - start
    record = trainer.history.records[-1]
    print(
        json.dumps(
            {
                "images": int(len(train.labels)),
                "batch": batch,
                "load_s": loaded,
                "batches_s": batches + per_batch,
                "metrics_s": max(0.0, last - per_batch),
                "epoch_s": epoch,
                "epoch_cpu_s": epoch_cpu,
                "validation_s": validation,
                "val_accuracy": val_acc,
                "record_val_accuracy": record.val_accuracy,
                "imports_mb": imports_mb,
                "peak_mb": _status_mb("VmHWM"),
            }
        )
    )


if __name__ == "__main__":
    main()
