"""ipywidgets shells over the pure states in :mod:`dlhelpers.widgets.state`.

The only package module that imports ipywidgets. Each widget keeps its controls as
attributes (``next_button``, ``html``, ...) so a test can click them and read the result.
"""
from .backprop import BackpropStepper
from .quiz import Quiz
from .explorer import HyperparameterExplorer

__all__ = ["BackpropStepper", "Quiz", "HyperparameterExplorer"]
