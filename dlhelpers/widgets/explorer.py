"""Hyperparameter explorer: sliders → retrain a small scratch MLP → redraw the decision boundary."""
from __future__ import annotations

import ipywidgets as W

from .explorer_state import ExplorerState

__all__ = ["HyperparameterExplorer"]


class HyperparameterExplorer:
    def __init__(self, dataset, **settings):
        self.state = ExplorerState(dataset, **settings)
        s = self.state
        self.hidden_layers = W.IntSlider(value=s.hidden_layers, min=0, max=4, description="hidden layers")
        self.units = W.IntSlider(value=s.units, min=1, max=64, description="units")
        self.activation = W.Dropdown(options=["tanh", "relu", "sigmoid", "elu", "leaky_relu"], value=s.activation,
                                     description="activation")
        self.learning_rate = W.FloatLogSlider(value=s.learning_rate, base=10, min=-4, max=0, description="learn. rate")
        self.epochs = W.IntSlider(value=s.epochs, min=1, max=400, description="epochs")
        self.batch_size = W.Dropdown(options=[1, 8, 32, 128, 1000], value=s.batch_size, description="batch size")
        self.initializer = W.Dropdown(options=["glorot_uniform", "he_normal", "random_normal", "zeros"],
                                      value=s.initializer, description="init")
        self.dropout = W.FloatSlider(value=s.dropout, min=0.0, max=0.8, step=0.1, description="dropout")
        self.train_button = W.Button(description="Train", button_style="primary")
        self.image = W.Image(format="png")
        self.report = W.HTML()
        self.train_button.on_click(lambda _: self.train())
        controls = [self.hidden_layers, self.units, self.activation, self.learning_rate, self.epochs,
                    self.batch_size, self.initializer, self.dropout]
        self.widget = W.VBox([W.HBox([W.VBox(controls[:4]), W.VBox(controls[4:])]),
                              self.train_button, self.report, self.image])

    def train(self):
        for name in ("hidden_layers", "units", "activation", "learning_rate", "epochs", "batch_size",
                     "initializer", "dropout"):
            setattr(self.state, name, getattr(self, name).value)
        result = self.state.train()
        self.image.value = self.state.render_png(result)
        self.report.value = (f"{self.state.dataset.describe()}<br>train accuracy {result['train_accuracy']:.3f}, "
                             f"test accuracy {result['test_accuracy']:.3f}, {result['params']} parameters, "
                             f"{result['seconds']:.2f} s")
        return result

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
