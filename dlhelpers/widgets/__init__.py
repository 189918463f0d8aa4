"""ipywidgets shells over the pure states in :mod:`dlhelpers.widgets` (``*_state`` modules).

The only place in the package that imports ipywidgets, and only when a widget class is
first used (``from dlhelpers.widgets import BackpropStepper``): the states and question
banks import without it. Each widget keeps its controls as attributes (``next_button``,
``html``, ...) so a test can click them and read the result.
"""
__all__ = ["BackpropStepper", "Quiz", "HyperparameterExplorer", "ConvStepper", "PoolStepper", "LSTMStepper",
           "StepperShell"]

_WHERE = {"BackpropStepper": "backprop", "Quiz": "quiz", "HyperparameterExplorer": "explorer",
          "ConvStepper": "conv", "PoolStepper": "pool", "LSTMStepper": "lstm",
          "StepperShell": "stepper"}
__all__ += ["GANPlayground"]
_WHERE["GANPlayground"] = "gan"
__all__ += ["LatentExplorer", "DenoiseExplorer"]
_WHERE["LatentExplorer"] = "latent"
_WHERE["DenoiseExplorer"] = "denoise"


def __getattr__(name):
    if name in _WHERE:
        import importlib
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
