"""Matplotlib and SVG/HTML renderers: arrays in, a Figure (or SVG/HTML text) out. No model code lives here."""
from .plots import (plot_activations, plot_decision_boundary, plot_history, plot_loss_surface,
                    plot_perceptron_history, plot_error_curve, plot_confusion_matrix, plot_images,
                    figure_to_png)
from .network import network_svg, backprop_svg
from .grids import grid_html, format_number
from .steppers import backprop_step_html, conv_frame_html, pool_frame_html

__all__ = ["plot_activations", "plot_decision_boundary", "plot_history", "plot_loss_surface",
           "plot_perceptron_history", "plot_error_curve", "plot_confusion_matrix", "plot_images", "figure_to_png"]
__all__ += ["network_svg", "backprop_svg"]
__all__ += ["grid_html", "format_number"]
__all__ += ["backprop_step_html", "conv_frame_html", "pool_frame_html"]
from .quiz import mark_svg, feedback_html, quiz_html
from .explorer import explorer_figure, explorer_png, settings_text
__all__ += ["mark_svg", "feedback_html", "quiz_html", "explorer_figure", "explorer_png", "settings_text"]
from .gan import gan_figure, gan_frame_png, gan_frame_html
__all__ += ["gan_figure", "gan_frame_png", "gan_frame_html"]
from .latent import latent_figure, latent_frame_png, latent_grid_png, latent_frame_html
from .denoise import denoise_figure, denoise_frame_html
__all__ += ["latent_figure", "latent_frame_png", "latent_grid_png", "latent_frame_html", "denoise_figure",
            "denoise_frame_html"]
