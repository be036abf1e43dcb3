"""Run numpy's BLAS on one thread while training.

The training matrices are small (a batch of 32 digits): OpenBLAS's second thread gains little on
a quiet machine and, when the other core is busy (the GUI thread painting, another process), its
threads wait for each other — one training step measured 2 ms on one thread and 15 ms on two.
:func:`single_threaded_blas` limits BLAS to one thread and restores the previous setting when
the last user leaves (reference-counted, so two models training in two threads are fine).

The limit goes through ``threadpoolctl`` when it is installed (it comes with scikit-learn);
without it this is a no-op and BLAS keeps its default threads.

Measured quirk (numpy 2.4's OpenBLAS 0.3.31): once the main thread has set the thread count,
``openblas_set_num_threads`` from any other thread is ignored.  A limit first taken in a worker
thread can therefore leave BLAS at two threads; the Train tab takes it from the GUI thread for
the whole of a job (``gui.train_tab.runner``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_users = 0
_limiter: Any = None
_controller: Any = None
_modules_seen = 0


def _blas_controller() -> Any:
    """threadpoolctl's controller for the BLAS libraries loaded now (``None`` without it).

    Rebuilt (≈ 0.2 ms) when modules were imported since the last call: an import can load
    another BLAS (scikit-learn's SciPy brings a third OpenBLAS), which a controller made
    earlier would leave at its default threads.
    """
    global _controller, _modules_seen
    if _controller is None or (_controller and len(sys.modules) != _modules_seen):
        _modules_seen = len(sys.modules)
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl is installed with scikit-learn
            _controller = False
        else:
            _controller = ThreadpoolController().select(user_api="blas")
    return _controller or None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread inside the ``with`` block (nested and threaded use is fine)."""
    global _users, _limiter
    with _lock:
        if _users == 0:
            controller = _blas_controller()
            _limiter = controller.limit(limits=1) if controller is not None else None
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None
