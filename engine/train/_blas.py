"""Run numpy's BLAS on one thread while training.

The training matrices are small (a batch of 32 digits): OpenBLAS's second thread gains little on
a quiet machine and, when the other core is busy (the GUI thread painting, another process), its
threads wait for each other — one training step measured 2 ms on one thread and 15 ms on two.
:func:`single_threaded_blas` limits BLAS to one thread and restores the previous setting when
the last user leaves (reference-counted, so two models training in two threads are fine).

The limit goes through ``threadpoolctl`` when it is installed (it comes with scikit-learn);
without it this is a no-op and BLAS keeps its default threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_users = 0
_limiter: Any = None
_controller: Any = None


def _blas_controller() -> Any:
    """threadpoolctl's controller for the BLAS libraries loaded now (``None`` without it)."""
    global _controller
    if _controller is None:
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
