"""Matplotlib and SVG renderers: arrays in, a Figure (or SVG text) out. No model code lives here."""
from .plots import (plot_activations, plot_decision_boundary, plot_history, plot_loss_surface,
                    plot_perceptron_history, plot_error_curve, plot_confusion_matrix, plot_images,
                    figure_to_png)
from .network import network_svg, backprop_svg
from .grids import grid_html

__all__ = ["plot_activations", "plot_decision_boundary", "plot_history", "plot_loss_surface",
           "plot_perceptron_history", "plot_error_curve", "plot_confusion_matrix", "plot_images", "figure_to_png", "network_svg", "backprop_svg", "grid_html"]
