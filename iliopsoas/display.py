"""Widgets that also carry a static version of themselves.

JupyterLab shows the live widget.  GitHub, nbviewer, ``jupyter nbconvert --to
html`` and any front end without the widget manager show the ``text/html``
version instead, and a terminal gets ``text/plain``: never ``VBox(...)``.
"""
from __future__ import annotations

import base64
import html as _html
import os


class StaticFallback:
    """Mixin: a ``widget`` shown live, plus ``static_html()`` and ``text()`` for
    every front end without the widget manager (never ``VBox(...)``)."""

    widget = None

    def static_html(self) -> str:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(data, tuple):  # (data, metadata)
            data = data[0]
        data = dict(data or {})
        data["text/html"] = self.static_html()
        data["text/plain"] = self.text()
        return data

    def __repr__(self) -> str:
        return self.text()


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


CELL_STYLE = "text-align:left;vertical-align:top;padding:0.3em 0.8em"


def plain_table_cells(table_html: str) -> str:
    """Give every ``<th>``/``<td>`` a left-aligned, padded style.

    JupyterLab right-aligns table cells in rendered HTML output; course tables
    read as text, so each cell carries its own style (a table-level style is
    not enough, and outputs cannot ship a stylesheet reliably).
    """
    import re

    def fix(match):
        tag, attrs = match.group(1), match.group(2) or ""
        if "style=" in attrs:
            attrs = re.sub(r'style="', f'style="{CELL_STYLE};', attrs, count=1)
        else:
            attrs += f' style="{CELL_STYLE}"'
        return f"<{tag}{attrs}>"

    return re.sub(r"<(td|th)(\s[^>]*)?>", fix, table_html)


# JupyterLab's widget styles give radio and checkbox labels a fixed one-line
# height (a long answer then spills over the next one and hides its button)
# and widget HTML a 28 px line height.  These rules, scoped to the course's own
# classes, let labels wrap and prose read normally.  A label question is laid out
# as a grid: its picture on the left of the whole question, the prompt, menus,
# buttons and feedback beside it (so the markers stay in view on a laptop).  Shipped inside the first
# HTML widget of each quiz, diagram and dashboard (a <style> element applies to
# the page), so no extension or custom.css is needed.
COURSE_CSS = """
.iliopsoas-question .widget-radio-box, .iliopsoas-question .widget-checkbox { height: auto; }
.iliopsoas-question .widget-radio-box label, .iliopsoas-question .widget-checkbox label {
  display: flex; align-items: flex-start; height: auto; min-height: 24px;
  line-height: 1.4; white-space: normal; overflow: visible; margin: 0.2em 0; }
.iliopsoas-question .widget-radio-box input, .iliopsoas-question .widget-checkbox input {
  order: -1; flex: none; float: none; height: 1em; margin: 0.2em 0.5em 0 1px; }
.iliopsoas-question .widget-checkbox { margin-top: 0; margin-bottom: 0; }
.iliopsoas-question .widget-checkbox label { margin: 0.1em 0; min-height: 0; }
.iliopsoas-question .widget-checkbox input { margin-top: 0; }
.iliopsoas-quiz .widget-html-content, .iliopsoas-quiz .widget-htmlmath-content,
.iliopsoas-diagram .widget-html-content, .iliopsoas-progress .widget-html-content { line-height: 1.45; }
.iliopsoas-question:has(> .iliopsoas-label-inputs > .iliopsoas-label-picture) {
  display: grid !important; grid-template-columns: auto minmax(16em, 1fr); column-gap: 1em;
  align-items: start; align-content: start; }
.iliopsoas-question:has(> .iliopsoas-label-inputs > .iliopsoas-label-picture) > * { grid-column: 2; min-width: 0; }
.iliopsoas-question > .iliopsoas-label-inputs:has(> .iliopsoas-label-picture) { display: contents !important; }
.iliopsoas-label-inputs > .iliopsoas-label-picture { grid-column: 1; grid-row: 1 / span 40; }
.iliopsoas-label-inputs > .iliopsoas-label-choices { grid-column: 2; }
.iliopsoas-label-alt { font-size: 85%; max-width: 30em; margin: 0.2em 0; }
.iliopsoas-diagram-panel .widget-dropdown, .iliopsoas-diagram-panel .widget-slider { max-width: 100%; }
""".strip()


def course_css() -> str:
    """The course's widget CSS as a ``<style>`` element (see COURSE_CSS)."""
    return f'<style class="iliopsoas-css">{COURSE_CSS}</style>'


# --------------------------------------------------------------------------- times

#: An IANA time zone (``Europe/Paris``) for times shown to the student; else the browser's, once a
#: course widget has reported it, else the computer's own zone (UTC on most hubs and on Binder).
TIMEZONE_ENV = "ILIOPSOAS_TIMEZONE"
_BROWSER_ZONE: str | None = None


def set_student_timezone(name: str | None) -> bool:
    """Use ``name`` (an IANA zone reported by the browser) for times; True if it is a known zone
    that differs from the one in use."""
    global _BROWSER_ZONE
    if not name or name == _BROWSER_ZONE:
        return False
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
    except Exception:  # noqa: BLE001 - an unknown or malformed zone name is ignored
        return False
    _BROWSER_ZONE = name
    return True


def student_timezone():
    """(tzinfo or None for the computer's zone, how it was found: "setting", "browser" or "computer")."""
    from zoneinfo import ZoneInfo

    for name, how in ((os.environ.get(TIMEZONE_ENV, "").strip(), "setting"), (_BROWSER_ZONE, "browser")):
        if name:
            try:
                return ZoneInfo(name), how
            except Exception:  # noqa: BLE001 - fall through to the next source
                continue
    return None, "computer"


def zone_name(moment) -> str:
    """The name of ``moment``'s zone as shown: "UTC", "CET", or "UTC+05:30" for a bare offset."""
    name = moment.tzname() or ""
    if not name or name[0] in "+-" or name.upper().startswith(("UTC", "GMT")) and len(name) > 3:
        offset = moment.utcoffset()
        if offset is None:
            return "UTC"
        minutes = int(offset.total_seconds() // 60)
        if minutes == 0:
            return "UTC"
        sign = "+" if minutes > 0 else "-"
        minutes = abs(minutes)
        return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return "UTC" if name.upper() in ("UTC", "GMT", "Z") else name


def format_time(stamp: str | None, empty: str = "not started") -> str:
    """An ISO-8601 time (UTC) as the student reads it, always with its zone named:
    ``25 Nov 2026, 22:46 CET``; in the zone of :func:`student_timezone`."""
    from datetime import datetime, timezone

    if not stamp:
        return empty
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    tz, _how = student_timezone()
    moment = moment.astimezone(tz) if tz is not None else moment.astimezone()
    return f"{moment.strftime('%d %b %Y, %H:%M')} {zone_name(moment)}"


# --------------------------------------------------------------------------- names for assistive technology

# ipywidgets gives neither its ``Image`` an ``alt`` attribute nor a slider's handle (a
# ``<div role="slider">``) an accessible name, so a screen reader meets an unnamed picture and
# an unnamed slider (axe-core: image-alt, aria-input-field-name).  This small ES module,
# rendered as an invisible child of a diagram or question box, sets them in the page: every
# matching picture of its box gets ``alt`` (kept in step from Python), every slider handle the
# text of its own label.  A MutationObserver re-applies them when the box redraws its parts.
_ACCESSIBLE_NAMES_ESM = r"""
function render({ model, el }) {
  el.style.display = 'none';
  el.setAttribute('aria-hidden', 'true');
  let box = null, tries = 0;
  const apply = () => {
    if (!box) return;
    const alt = model.get('alt'), images = model.get('images');
    if (images) box.querySelectorAll(images).forEach((img) => {
      if (img.getAttribute('alt') !== alt) img.setAttribute('alt', alt);
    });
    box.querySelectorAll('.widget-slider [role="slider"], .widget-hslider [role="slider"]').forEach((handle) => {
      const widget = handle.closest('.widget-slider, .widget-hslider');
      const label = widget && widget.querySelector('.widget-label');
      const name = ((label && label.textContent) || '').trim();
      if (name && handle.getAttribute('aria-label') !== name) handle.setAttribute('aria-label', name);
    });
  };
  const observer = new MutationObserver(apply);
  const start = () => {
    box = el.closest(model.get('box'));
    if (!box) { if (tries++ < 120) requestAnimationFrame(start); return; }
    observer.observe(box, { childList: true, subtree: true });
    apply();
  };
  model.on('change:alt', apply);
  start();
  return () => { observer.disconnect(); model.off('change:alt', apply); };
}
export default { render };
"""

_ACCESSIBLE_NAMES_CLASS = None


def accessible_names(alt: str = "", images: str = "img.widget-image",
                     box: str = ".iliopsoas-diagram, .iliopsoas-question"):
    """An invisible widget that names the pictures and sliders of the box it is placed in.

    ``alt``: the text alternative of every ``images`` element (a CSS selector; empty: none)
    inside the nearest ``box`` (a CSS selector) around it; set ``.alt`` again when the picture
    changes.  Slider
    handles get their label's text as ``aria-label``.  Returns an ``anywidget.AnyWidget``
    (imported on first use, so this module stays free of widget libraries until then).
    """
    global _ACCESSIBLE_NAMES_CLASS
    if _ACCESSIBLE_NAMES_CLASS is None:
        import anywidget
        import traitlets

        class AccessibleNames(anywidget.AnyWidget):
            _esm = _ACCESSIBLE_NAMES_ESM
            alt = traitlets.Unicode("").tag(sync=True)
            images = traitlets.Unicode("img.widget-image").tag(sync=True)
            box = traitlets.Unicode(".iliopsoas-diagram").tag(sync=True)

        _ACCESSIBLE_NAMES_CLASS = AccessibleNames
    return _ACCESSIBLE_NAMES_CLASS(alt=alt, images=images, box=box)
