"""Plots used across the course. Each returns the matplotlib Figure it drew on."""
from __future__ import annotations

import io


import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_array

__all__ = ["plot_activations", "plot_decision_boundary", "plot_history", "plot_loss_surface",
           "plot_perceptron_history", "plot_error_curve", "plot_confusion_matrix", "plot_images", "figure_to_png"]


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def figure_to_png(fig, dpi=80) -> bytes:
    """PNG bytes of a figure (for ipywidgets.Image); the figure is closed afterwards."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def plot_activations(names, z=None, derivatives=True, ncols=3):
    """One panel per activation: the function (solid) and its derivative (dashed)."""
    from ..scratch.activations import get_activation
    z = np.linspace(-5, 5, 401) if z is None else as_array(z, "z", "plot_activations", ndim=1)
    names = list(names)
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.6 * nrows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        act = get_activation(name)
        ax.plot(z, act.fn(z), label="f(z)")
        if derivatives:
            ax.plot(z, act.derivative(z), "--", label="f'(z)")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(name)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_decision_boundary(predict, X, y, ax=None, title=None, resolution=200, padding=0.5, threshold=0.5):
    """Colour the plane by the model's prediction and scatter the data on top.

    ``predict`` maps an (M, 2) array to (M,) or (M, 1) scores (thresholded at ``threshold``)
    or (M, K) class scores (argmax).
    """
    X = as_array(X, "X", "plot_decision_boundary", ndim=2, shape_hint="(N, 2)")
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 features for plot_decision_boundary; got {X.shape[1]}. "
                         "Project to 2-D first (e.g. two chosen features or PCA).")
    y = np.asarray(y).reshape(-1)
    fig, ax = _axes(ax)
    x0 = np.linspace(X[:, 0].min() - padding, X[:, 0].max() + padding, resolution)
    x1 = np.linspace(X[:, 1].min() - padding, X[:, 1].max() + padding, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    scores = np.asarray(predict(np.c_[g0.ravel(), g1.ravel()]))
    if scores.ndim == 2 and scores.shape[1] > 1:
        zz = np.argmax(scores, axis=1)
    else:
        zz = (scores.reshape(-1) > threshold).astype(int)
    ax.contourf(g0, g1, zz.reshape(g0.shape), alpha=0.3, cmap="coolwarm" if zz.max() <= 1 else "tab10",
                levels=np.arange(zz.max() + 2) - 0.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm" if len(np.unique(y)) <= 2 else "tab10",
               edgecolors="k", s=30)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    return fig


def plot_history(histories, metrics=("loss", "accuracy"), labels=None):
    """Loss/accuracy curves per epoch for one or several ``history`` dicts (scratch or Keras)."""
    if isinstance(histories, dict) or hasattr(histories, "history"):
        histories = [histories]
    histories = [h.history if hasattr(h, "history") else h for h in histories]
    labels = labels or [f"run {i + 1}" for i in range(len(histories))]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        for h, lab in zip(histories, labels):
            if m in h:
                ax.plot(np.arange(1, len(h[m]) + 1), h[m], label=lab)
            if f"val_{m}" in h:
                ax.plot(np.arange(1, len(h[f"val_{m}"]) + 1), h[f"val_{m}"], "--", label=f"{lab} (validation)")
        ax.set_xlabel("epoch")
        ax.set_title(m)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_loss_surface(f, paths=None, xlim=(-2, 2), ylim=(-2, 2), ax=None, levels=30, title=None,
                      labels=("w0", "w1")):
    """Contours of a 2-parameter loss ``f(w0, w1)`` with optimizer paths drawn on top.

    ``paths`` maps a label to an array of points (steps, 2).
    """
    fig, ax = _axes(ax, figsize=(5.5, 4.5))
    a = np.linspace(*xlim, 200)
    b = np.linspace(*ylim, 200)
    A, B = np.meshgrid(a, b)
    Z = np.vectorize(f)(A, B)
    ax.contour(A, B, Z, levels=levels, cmap="viridis", linewidths=0.7)
    for label, pts in (paths or {}).items():
        pts = np.asarray(pts)
        ax.plot(pts[:, 0], pts[:, 1], ".-", ms=3, lw=1, label=f"{label} ({len(pts) - 1} steps)")
        ax.plot(*pts[-1], "o", ms=6, color=ax.lines[-1].get_color())
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if paths:
        ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_perceptron_history(X, y, history, ax=None, title=None):
    """The data and the decision line w0 + w1·x1 + w2·x2 = 0 after each epoch (faint → dark)."""
    X = as_array(X, "X", "plot_perceptron_history", ndim=2, shape_hint="(N, 2)")
    fig, ax = _axes(ax, figsize=(4, 4))
    xs = np.linspace(-0.5, 1.5, 10)
    n = len(history.weights)
    for i, w in enumerate(history.weights[1:], start=1):
        alpha = 0.15 + 0.85 * i / max(n - 1, 1)
        if abs(w[2]) > 1e-12:
            ax.plot(xs, -(w[0] + w[1] * xs) / w[2], color="C2", alpha=alpha, lw=1.5 if i == n - 1 else 0.8)
        elif abs(w[1]) > 1e-12:
            ax.axvline(-w[0] / w[1], color="C2", alpha=alpha)
    pos = np.asarray(y) > 0
    ax.scatter(X[pos, 0], X[pos, 1], marker="o", s=80, c="C3", label="class 1", zorder=3)
    ax.scatter(X[~pos, 0], X[~pos, 1], marker="s", s=80, c="C0", label="class 0 / −1", zorder=3)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title)
    return fig


def plot_error_curve(errors, ax=None, log=True, title="error during training"):
    """Error after each gradient step (log scale by default)."""
    fig, ax = _axes(ax, figsize=(5, 3))
    ax.plot(np.arange(len(errors)), errors)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("E_total")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true, y_pred, labels=None, ax=None, title="confusion matrix"):
    """Counts of (true, predicted) pairs: rows are the true class, columns the prediction."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length for plot_confusion_matrix; "
                         f"got {y_true.shape[0]} and {y_pred.shape[0]}.")
    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    index = {v: i for i, v in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[index[t], index[p]] += 1
    fig, ax = _axes(ax, figsize=(4.5, 4.5))
    ax.imshow(cm, cmap="Blues")
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=7,
                    color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return fig


def plot_images(images, titles=None, ncols=10, cmap="gray_r", size=1.3, vmin=None, vmax=None, title_color=None):
    """A grid of small 2-D images (e.g. digits, feature maps) with optional titles."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must be (n, H, W) or (n, H, W, 1) for plot_images; got shape {images.shape}.")
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + 0.25) * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < n:
            ax.imshow(images[k], cmap=cmap, vmin=vmin, vmax=vmax)
            if titles is not None:
                ax.set_title(str(titles[k]), fontsize=8, color=title_color or "black")
    fig.tight_layout()
    return fig
