"""dlhelpers: every deep-learning concept twice.

``dlhelpers.scratch`` holds hand-written NumPy versions (forward *and* backward);
``dlhelpers.keras`` holds their Keras 3 twins with the same weight names and layouts.

Importing this package (or anything under ``dlhelpers.scratch``) never imports
TensorFlow or ipywidgets, so the NumPy lessons start instantly.
"""
from __future__ import annotations

import inspect

from .device import quiet_tensorflow as _quiet_tensorflow

_quiet_tensorflow()   # only sets environment variables (before any TensorFlow import); imports nothing

__version__ = "0.1.0"

__all__ = ["__version__", "show_source"]


def show_source(obj, *, display: bool = True):
    """Show the source code of a function or class, syntax-highlighted.

    Args:
        obj: a function, method, class or module defined in Python.
        display: when True (default) and running inside IPython, render the code
            as highlighted HTML; otherwise just return it.

    Returns:
        The source code as a string (or an ``IPython.display.HTML`` object when
        ``display`` is True and IPython is available, so the notebook shows it).

    Example:
        >>> from dlhelpers.scratch.activations import sigmoid
        >>> src = show_source(sigmoid, display=False)
        >>> src.splitlines()[0]
        'def sigmoid(z):'
    """
    try:
        src = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(
            f"obj must be a Python function, class or module for show_source; got {type(obj).__name__}. "
            "Pass the function itself, e.g. show_source(sigmoid), not its result."
        ) from exc
    src = inspect.cleandoc(src) if src.startswith((" ", "\t")) else src
    if not display:
        return src
    try:
        from IPython.display import HTML
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:  # plain Python: the text is the best we can do
        return src
    formatter = HtmlFormatter(noclasses=True, style="default")
    return HTML(highlight(src, PythonLexer(), formatter))
