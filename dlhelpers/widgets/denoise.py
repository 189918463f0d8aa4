"""The bottleneck/denoising explorer: a thin shell over :class:`dlhelpers.widgets.denoise_state.DenoiseState`.

Three sliders (bottleneck size, Gaussian σ, salt-and-pepper share) and the frame drawn by
:mod:`dlhelpers.viz.denoise`. The state caches every noisy input, reconstruction and score, so a slider moved
back to a value computes nothing; ``precompute=True`` computes every combination up front. Nothing here imports
TensorFlow: the default models are PCA reconstructions, and models passed in are only called.
"""
from __future__ import annotations

import time

import ipywidgets as W

from ..viz.denoise import denoise_frame_html, denoise_snapshot_html
from .base import WidgetShell
from .denoise_state import make_denoise_state
from .stepper import PRESENTER_SCALE, _keyboard_source

__all__ = ["DenoiseExplorer"]

_HINT = ("⌨ Keyboard: point the mouse at this framed area, then <b>→</b> / <b>←</b> a larger / smaller "
         "bottleneck · <b>↑</b> / <b>↓</b> more / less Gaussian noise")


class DenoiseExplorer(WidgetShell):
    """Choose a bottleneck size and a noise level; see clean, noisy and reconstructed digits with PSNR and SSIM.

    Args:
        models: ``{size: model}`` (a model with ``reconstruct(x)`` or a function x → x̂); None: PCA
            reconstructions of sizes 2 … 128 fitted on MNIST 5k's training digits, said so on screen
            (:func:`~dlhelpers.widgets.denoise_state.make_denoise_state`).
        images: a few clean digits (N, …); None: one held-out digit of each class.
        precompute: compute every (size, σ, amount) before showing (then no move computes anything).
        presenter: start in presenter mode.
        **options: more options of :class:`~dlhelpers.widgets.denoise_state.DenoiseState` (``sigmas``, ``amounts``,
            ``size``, ``sigma``, ``amount``, ``value_range``, ``seed``, ``win_size``, ``description``) or ``sizes``
            (the PCA sizes of the default).

    Attributes (for tests and notebooks): ``state``, ``size``, ``sigma``, ``amount`` (sliders),
    ``presenter_toggle``, ``html`` (the frame), ``message`` (why a request was refused, or ""), ``seconds`` (the
    last update's time).

    Example:
        >>> w = DenoiseExplorer()              # doctest: +SKIP
        >>> w.size.value = 32                  # doctest: +SKIP
    """

    title = "Bottleneck/denoising explorer"

    def __init__(self, models=None, images=None, *, precompute=False, presenter=False, **options):
        self.state = make_denoise_state(models, images, **options)
        if precompute:
            self.state.precompute()
        s = self.state
        self.scale = PRESENTER_SCALE if presenter else 1.0
        self.message = ""
        self.seconds = 0.0
        self._syncing = False
        self.size = W.SelectionSlider(options=[(str(k), k) for k in s.sizes], value=s.size, description="bottleneck k",
                                      continuous_update=False)
        self.sigma = W.SelectionSlider(options=[(f"{v:g}", v) for v in s.sigmas], value=s.sigma,
                                       description="Gaussian σ", continuous_update=False)
        self.amount = W.SelectionSlider(options=[(f"{100 * v:g} %", v) for v in s.amounts], value=s.amount,
                                        description="salt & pepper", continuous_update=False)
        self.presenter_toggle = W.ToggleButton(value=bool(presenter), description="Presenter mode",
                                               tooltip="larger text and pictures for a projector")
        self.html = W.HTML()
        self.hint = W.HTML()
        for name in ("size", "sigma", "amount"):
            control = getattr(self, name)
            control.style.description_width = "7em"
            control.observe(lambda ch, name=name: self._act(**{name: ch["new"]}), names="value")
        self.presenter_toggle.observe(lambda ch: self.set_presenter(ch["new"]), names="value")
        controls = W.HBox([self.size, self.sigma, self.amount, self.presenter_toggle],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))
        # the keys act over the frame only, so a focused slider keeps its own arrow keys
        self.stage = W.VBox([self.hint, self.html], layout=W.Layout(border="2px dashed #9ab", padding="6px"))
        self.keys = _keyboard_source(self.stage, self._on_key)
        self.widget = W.VBox([controls, self.stage])
        self._style()
        self.refresh()

    def _act(self, **choice):
        """Apply a slider's value; a refused request is shown, never raised into the notebook."""
        if self._syncing:
            return
        start = time.perf_counter()
        try:
            self.state.set(**choice)
            self.message = ""
        except (ValueError, TypeError) as exc:
            self.message = str(exc)
        self.refresh()
        self.seconds = time.perf_counter() - start

    def _shift(self, name, offered, by):
        i = offered.index(getattr(self.state, name)) + by
        if 0 <= i < len(offered):
            getattr(self, name).value = offered[i]          # the slider's observer updates the state

    def _on_key(self, event):
        key = event.get("key")
        moves = {"ArrowRight": ("size", self.state.sizes, 1), "ArrowLeft": ("size", self.state.sizes, -1),
                 "ArrowUp": ("sigma", self.state.sigmas, 1), "ArrowDown": ("sigma", self.state.sigmas, -1)}
        if key in moves:
            self._shift(*moves[key])

    def set_presenter(self, on: bool):
        """Presenter mode on or off: larger text, digits and controls."""
        self.scale = PRESENTER_SCALE if on else 1.0
        if self.presenter_toggle.value != bool(on):
            self.presenter_toggle.value = bool(on)
        self._style()
        self.refresh()

    def _style(self):
        self.presenter_toggle.style.font_size = f"{round(15 * self.scale)}px"
        self.presenter_toggle.layout.height = f"{round(34 * self.scale)}px"
        for slider in (self.size, self.sigma, self.amount):
            slider.layout.width = f"{round(320 * self.scale)}px"
        self.hint.value = f'<span style="color:#555;font-size:{round(13 * self.scale)}px">{_HINT}</span>'

    def refresh(self):
        """Draw the current frame and set the sliders to the state (without acting on those changes)."""
        self.html.value = denoise_frame_html(self.state.frame(), message=self.message, scale=self.scale)
        self._syncing = True
        try:
            self.size.value, self.sigma.value, self.amount.value = self.state.size, self.state.sigma, self.state.amount
        finally:
            self._syncing = False

    def snapshot_html(self) -> str:
        return denoise_snapshot_html(denoise_frame_html(self.state.frame(), message=self.message))
