"""One BLAS thread for the small matrix products of the scratch twin.

The scratch layers multiply small matrices (a mini-batch times a few dozen units; a convolution's
KH·KW shifted products). A threaded BLAS splits each product across every core. On an idle laptop
that gains nothing for matrices this small; on a busy machine (a classroom JupyterHub where many
kernels share the cores) the threads wait for cores held by other processes, and the same step
takes 4–10× longer. So the scratch training loop and the fast convolution run under
:func:`single_thread_blas`, which degrades gracefully: its speed barely depends on the neighbours.

``threadpoolctl`` is imported on first use, so ``import dlhelpers.scratch`` stays light.
"""
from __future__ import annotations

import contextlib

__all__ = ["single_thread_blas"]

_controller = None     # a threadpoolctl.ThreadpoolController, made on first use (False: not installed)


def single_thread_blas():
    """A context manager that runs NumPy's and SciPy's BLAS with one thread inside it.

    Falls back to doing nothing when ``threadpoolctl`` is not installed.

    Returns:
        A context manager (``with single_thread_blas(): ...``) that restores the previous sizes on exit.
    """
    global _controller
    if _controller is None:
        try:
            import scipy.linalg.blas  # noqa: F401  (load SciPy's own BLAS so the controller sees it too)
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - both are in requirements.txt
            _controller = False
        else:
            _controller = ThreadpoolController()
    if _controller is False:  # pragma: no cover
        return contextlib.nullcontext()
    return _controller.limit(limits=1, user_api="blas")
