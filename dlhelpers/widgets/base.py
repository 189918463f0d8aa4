"""What every widget shell shares: how it shows up in a notebook, live and saved.

A shell keeps its ipywidgets tree in ``self.widget``. In a running kernel JupyterLab renders
that tree. A saved notebook opened on GitHub or nbviewer has no kernel, and without help it
would show the tree's text form (``VBox(children=(HBox(…``). So the output a shell leaves in
the notebook carries two more representations beside the live widget:

* ``text/html``: a static picture of the current frame (:meth:`WidgetShell.snapshot_html`);
* ``text/plain``: one line saying what the widget is and that running the cell makes it live.

JupyterLab prefers the live widget; renderers without a kernel fall back to the HTML.
"""
from __future__ import annotations

__all__ = ["WidgetShell"]


class WidgetShell:
    """Base of the widget shells: subclasses set ``self.widget`` and implement :meth:`snapshot_html`."""

    widget = None
    title = "interactive widget"

    def snapshot_html(self) -> str:
        """A static HTML picture of what the widget shows now (no scripts, inline styles only)."""
        raise NotImplementedError

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data)
        data["text/html"] = self.snapshot_html()
        data["text/plain"] = f"{self.title} (run the cell to use it)"
        return data
