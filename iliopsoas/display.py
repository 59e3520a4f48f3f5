"""Widgets that also carry a static version of themselves.

JupyterLab shows the live widget.  GitHub, nbviewer, ``jupyter nbconvert --to
html`` and any front end without the widget manager show the ``text/html``
version instead, and a terminal gets ``text/plain``: never ``VBox(...)``.
"""
from __future__ import annotations

import base64
import html as _html


class WidgetDisplay:
    """A live ipywidget plus its static HTML and plain-text versions.

    Attribute access falls through to the widget, so ``display.children`` and
    friends work as on the widget itself.
    """

    def __init__(self, widget, html, text: str):
        self.widget = widget
        self._html = html
        self._text = text

    @property
    def static_html(self) -> str:
        return self._html() if callable(self._html) else self._html

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(data, tuple):  # (data, metadata)
            data = data[0]
        data = dict(data or {})
        data["text/html"] = self.static_html
        data["text/plain"] = self._text
        return data

    def __getattr__(self, name):
        if name == "widget":
            raise AttributeError(name)
        return getattr(self.widget, name)

    def __repr__(self) -> str:
        return self._text


def static_figure_html(png: bytes, alt: str, caption: str = "", readout: str = "") -> str:
    """A ``<figure>`` with the PNG inline, its alt text, readout and caption."""
    data = base64.b64encode(png).decode("ascii")
    parts = [
        '<figure class="iliopsoas-figure iliopsoas-static" style="margin:0.5em 0">',
        f'<img src="data:image/png;base64,{data}" alt="{_html.escape(alt, quote=True)}" '
        'style="max-width:100%;height:auto;background:#fff"/>',
    ]
    if readout:
        parts.append(f"<p>{_html.escape(readout)}</p>")
    if caption:
        parts.append(f"<figcaption>{_html.escape(caption)}</figcaption>")
    parts.append("<p><em>Static picture: run the notebook to move the controls.</em></p></figure>")
    return "".join(parts)
