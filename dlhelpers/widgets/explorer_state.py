"""Pure state of the hyperparameter explorer (no ipywidgets; tested in plain pytest)."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

__all__ = ["ExplorerState"]


@dataclass
class ExplorerState:
    """Settings of a small MLP on a 2-D data set; ``train()`` fits it and returns a result dict."""
    dataset: object
    hidden_layers: int = 1
    units: int = 8
    activation: str = "tanh"
    learning_rate: float = 0.05
    epochs: int = 100
    batch_size: int = 32
    initializer: str = "glorot_uniform"
    dropout: float = 0.0
    seed: int = 0

    def build(self):
        from ..scratch.network import Dense, Dropout, Sequential
        layers = []
        for i in range(int(self.hidden_layers)):
            layers.append(Dense(int(self.units), self.activation, kernel_initializer=self.initializer))
            if self.dropout:
                layers.append(Dropout(float(self.dropout)))
        layers.append(Dense(1, "sigmoid", kernel_initializer=self.initializer))
        net = Sequential(layers, input_dim=self.dataset.X.shape[1], rng=self.seed)
        net.compile("binary_crossentropy", "adam", learning_rate=float(self.learning_rate))
        return net

    def train(self):
        from ..data import train_test_split
        tr, te = train_test_split(self.dataset, test_size=0.3, rng=self.seed)
        net = self.build()
        t0 = time.perf_counter()
        hist = net.fit(tr.X, tr.y, epochs=int(self.epochs), batch_size=int(self.batch_size), rng=self.seed,
                       validation_data=(te.X, te.y))
        return {"model": net, "history": hist.history, "seconds": time.perf_counter() - t0,
                "train_accuracy": hist.history["accuracy"][-1], "test_accuracy": hist.history["val_accuracy"][-1],
                "params": net.count_params(), "train": tr, "test": te}

    def render_png(self, result) -> bytes:
        import matplotlib.pyplot as plt

        from ..viz.plots import figure_to_png, plot_decision_boundary
        fig, (a0, a1) = plt.subplots(1, 2, figsize=(9, 3.6))
        plot_decision_boundary(result["model"].predict, self.dataset.X, self.dataset.y, ax=a0,
                               title=f"test accuracy {result['test_accuracy']:.2f}")
        h = result["history"]
        a1.plot(h["loss"], label="train")
        a1.plot(h["val_loss"], label="test")
        a1.set_xlabel("epoch")
        a1.set_title(f"loss · {result['params']} parameters")
        a1.legend()
        fig.tight_layout()
        return figure_to_png(fig)
