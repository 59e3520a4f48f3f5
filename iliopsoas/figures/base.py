"""The shared machinery of every interactive diagram in the course.

A diagram is a :class:`Diagram` subclass that says what to draw; this module
does the rest the same way for all of them:

- the figure is a ``matplotlib.figure.Figure`` with an Agg canvas (never
  pyplot), built **once** by ``build()``;
- a control change calls ``update(state)``, which changes the existing artists
  (``set_data`` and friends), never builds new ones;
- artists listed in ``self.animated`` are blitted: the still parts of the
  figure are drawn once and cached, each update restores that picture and
  draws only the moving artists, and the pixels are encoded as PNG by Pillow
  (fast compression).  This is what keeps a slider step to a few milliseconds
  in the kernel (see ``benchmarks/run.py``);
- the picture is a :mod:`~iliopsoas.figures.frame_cache` widget: the kernel
  sends the pictures one slider step either side of the current state ahead of
  time (:meth:`Diagram.prefetch`), and the browser swaps one in at the key
  press, without waiting for the kernel;
- a sentence under the figure (``readout(state)``) says what the figure shows
  now: the live text alternative for a reader who cannot see it, announced by
  screen readers (``aria-live``) and checked by the tests;
- the displayed object also carries a static ``text/html`` version (the PNG
  with its alt text, readout and caption) for GitHub, nbviewer and nbconvert.

A subclass implements ``build(fig)``, ``make_controls()``, ``update(state)``,
``readout(state)`` and ``alt(state)``, and sets ``name``, ``title`` and
``caption``.  ``naive_png(state)`` (rebuild the whole figure for one state, as
a naive ``interact`` callback would) exists for the benchmark only.

DOM classes used by the browser tests (docs/CONTRACTS.md): ``iliopsoas-diagram``
on the box, ``iliopsoas-slider`` on every slider, ``iliopsoas-control`` on every
control, ``iliopsoas-diagram-image`` on the picture, ``iliopsoas-readout`` on
the sentence.
"""
from __future__ import annotations

import asyncio
import copy
import html
import io
from collections import OrderedDict

from ..display import StaticFallback, accessible_names, course_css, static_figure_html
from .frame_cache import control_attr, frame_picture_class, state_key
from .style import figure_to_png, new_figure

SLIDER_TYPES = ("IntSlider", "FloatSlider", "SelectionSlider")
# Widget HTML inherits a fixed 28 px line height in JupyterLab; prose needs its own.
TEXT_STYLE = "line-height:1.45;margin:0.3em 0"

# Fitting a laptop: in JupyterLab at 1366×768 with the file browser open, a notebook's output is
# about 930 px wide and about 650 px of it are in view.  A diagram's controls, picture and readout
# must fit in about 600 px of height together (tests/browser/test_fit_laptop.py checks it in Chromium).
NOTEBOOK_WIDTH_PX = 930     # output width at 1366×768 with the file browser open
PANEL_WIDTH_PX = 260        # the controls and readout column beside a picture
GAP_PX = 16
BESIDE_MAX_HEIGHT_PX = 540  # a picture with the controls and readout beside it
ABOVE_MAX_HEIGHT_PX = 420   # a picture with the controls above it and the readout below

# Pictures sent ahead to the browser (see frame_cache): one slider step either side of the
# current state, and this many steps further in the direction the slider last moved.
PREFETCH_AHEAD = 3
SENT_MEMORY = 48            # states the kernel remembers sending (each view keeps 64)


def encode_png(canvas) -> bytes:
    """PNG bytes of what an Agg canvas currently holds (fast Pillow encoder)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


class Diagram(StaticFallback):
    """Base class of the course's interactive diagrams (see the module docstring)."""

    name = "diagram"          # css-safe id: iliopsoas-diagram-<name>
    title = ""                # shown above the controls
    caption = ""              # plain text: what the figure shows and the sources of its numbers
    figsize = (6.4, 4.8)      # inches, at style.DPI
    arrangement = None        # "beside" or "above" (controls and readout to the picture); None: the bigger picture

    def __init__(self, **initial):
        self.figure = new_figure(*self.figsize)
        self.animated: list = []
        self.build(self.figure)
        for artist in self.animated:
            artist.set_animated(True)
        self._background = None
        self.controls = self.make_controls()
        for name, value in initial.items():
            if name not in self.controls:
                raise TypeError(f"{type(self).__name__} has no control {name!r}; "
                                f"its controls are {', '.join(self.controls)}")
            self.controls[name].value = value
        self.update(self.state())
        self.png = self.render()
        self.updates = 0
        self._widget = None
        self._image = None
        self._last_state = self.state()
        self._direction: dict = {}            # slider name -> +1 or -1, the way it last moved
        self._sent: OrderedDict = OrderedDict()   # state keys whose pictures the views hold
        self._views_ready = False
        self._prefetch_queue: list = []
        self._prefetch_scheduled = False

    # ------------------------------------------------------------------ to implement
    def build(self, fig) -> None:
        """Create axes and artists once, with fixed axis limits; fill ``self.animated``."""
        raise NotImplementedError

    def make_controls(self) -> dict:
        """Return {state name: ipywidget} in display order."""
        raise NotImplementedError

    def update(self, state: dict) -> bool | None:
        """Change existing artists to show ``state``.

        Return True when something that is *not* in ``self.animated`` changed
        (for example a structure's visibility), so the cached background must
        be redrawn; otherwise return None.
        """
        raise NotImplementedError

    def readout(self, state: dict) -> str:
        """One or two plain sentences describing what the figure shows now."""
        raise NotImplementedError

    def alt(self, state: dict) -> str:
        """Alt text of the picture in this state."""
        raise NotImplementedError

    # ------------------------------------------------------------------ machinery
    def state(self) -> dict:
        """The current value of every control."""
        return {name: control.value for name, control in self.controls.items()}

    def render(self) -> bytes:
        """PNG of the figure as it is now, blitting the animated artists."""
        canvas = self.figure.canvas
        if not self.animated:
            canvas.draw()
            return encode_png(canvas)
        if self._background is None:
            canvas.draw()  # draws everything except the animated artists
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return encode_png(canvas)

    def redraw(self, _change=None) -> bytes:
        """Bring the figure, picture and readout in line with the controls."""
        state = self.state()
        if self.update(state):
            self._background = None
        self.png = self.render()
        self.updates += 1
        for name, control in self.controls.items():
            old, new = self._last_state.get(name), state[name]
            if (type(control).__name__ in SLIDER_TYPES and old != new
                    and isinstance(old, (int, float)) and isinstance(new, (int, float))):
                self._direction[name] = 1 if new > old else -1
        self._last_state = state
        if self._widget is not None:
            key = self.state_key()
            self._image.show_frame(key, self.png, self.alt(state))
            self._remember_sent(key)
            self._readout.value = self._readout_html(state)
            self._schedule_prefetch()
        return self.png

    # ------------------------------------------------------------------ pictures ahead of time
    def state_key(self, overrides: dict | None = None) -> str:
        """The browser's cache key of the current state (``overrides``: see frame_cache.state_key)."""
        return state_key(list(self.controls.values()), overrides)

    def settle(self, state: dict) -> dict:
        """The state the live widget ends in after a student moves to ``state``: a diagram whose
        controls move each other (an observer that changes another control) says so here, so the
        pictures drawn ahead are filed under the state the browser will really show."""
        return state

    def neighbour_states(self) -> list[tuple[str, dict]]:
        """[(cache key, state), ...] of the states to draw ahead of a student's next key press:
        for each slider, one step either side of its value, then ``PREFETCH_AHEAD`` further steps
        in the direction it last moved (first slider first), each passed through :meth:`settle`.
        Steps outside a slider's range are left out; so are the other controls (menus,
        checkboxes), which the browser cache only serves when their state was seen before."""
        base = self.state()
        near, ahead = [], []
        for name, control in self.controls.items():
            if type(control).__name__ not in SLIDER_TYPES:
                continue
            direction = self._direction.get(name, 1)
            for steps in [direction, -direction] + [direction * k for k in range(2, PREFETCH_AHEAD + 2)]:
                value = _slider_step(control, steps)
                if value is None:
                    continue
                state = self.settle({**base, name: value})
                try:
                    key = self.state_key({i: _synced(c, state[n]) for i, (n, c) in enumerate(self.controls.items())})
                except ValueError:     # a value a control cannot take: nothing to draw ahead
                    continue
                (near if abs(steps) == 1 else ahead).append((key, state))
        return near + ahead

    def frame(self, state: dict) -> tuple[bytes, str]:
        """(PNG, alt text) of ``state`` without moving the controls or the shown picture.

        The figure's artists are left showing ``state``; the next :meth:`redraw` brings them back
        in line with the controls (``update`` gets the whole state every time)."""
        if self.update(state):
            self._background = None
        return self.render(), self.alt(state)

    def prefetch(self, limit: int | None = None) -> list[str]:
        """Draw and send the pictures of :meth:`neighbour_states` the views do not hold yet (at
        most ``limit``); returns their keys.  Synchronous: the widget draws them one picture at a
        time from the kernel's event loop instead (see ``_schedule_prefetch``)."""
        wanted = [(key, state) for key, state in self.neighbour_states() if key not in self._sent]
        for key, state in wanted[:limit]:
            self._send_ahead(key, state)
        return [key for key, _ in wanted[:limit]]

    def _send_ahead(self, key: str, state: dict) -> None:
        png, alt = self.frame(state)
        if self._image is not None:
            self._image.send_frames([(key, png, alt)])
        self._remember_sent(key)

    def _remember_sent(self, key: str) -> None:
        self._sent.pop(key, None)
        self._sent[key] = True
        while len(self._sent) > SENT_MEMORY:
            self._sent.popitem(last=False)

    def _schedule_prefetch(self) -> None:
        """Queue the neighbouring pictures and draw one per pass of the kernel's event loop, so a
        message from the browser (the student's next key press) is handled between two of them."""
        if not self._views_ready:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:   # no event loop (a script, a test): nothing is waiting for pictures
            return
        self._prefetch_queue = [(key, state) for key, state in self.neighbour_states() if key not in self._sent]
        if self._prefetch_queue and not self._prefetch_scheduled:
            self._prefetch_scheduled = True
            loop.call_soon(self._prefetch_one)

    def _prefetch_one(self) -> None:
        """Draw and send the next queued picture, then give the event loop back."""
        self._prefetch_scheduled = False
        while self._prefetch_queue and self._prefetch_queue[0][0] in self._sent:
            self._prefetch_queue.pop(0)
        if not self._prefetch_queue:
            return
        try:
            self._send_ahead(*self._prefetch_queue.pop(0))
        except Exception:  # noqa: BLE001 - a picture drawn ahead is optional: the kernel draws it on arrival
            self._prefetch_queue = []
            self._background = None
            return
        if self._prefetch_queue:
            self._prefetch_scheduled = True
            asyncio.get_running_loop().call_soon(self._prefetch_one)

    def _on_picture_message(self, _widget, content, _buffers) -> None:
        """A view of the picture has rendered with an empty cache: send it the neighbours."""
        if isinstance(content, dict) and content.get("type") == "ready":
            self._views_ready = True
            self._sent.clear()
            self._remember_sent(self.state_key())
            self._schedule_prefetch()

    def set(self, **values) -> bytes:
        """Set controls (as a student moving them would) and return the new PNG."""
        for name, value in values.items():
            self.controls[name].value = value  # the observer redraws when shown
        if self._widget is None:
            self.redraw()
        return self.png

    def sweep_states(self, n: int = 50) -> list[dict]:
        """``n`` states that move the first slider across its range (for tests and the benchmark).

        Diagrams without a slider cycle through the options of their first control.
        """
        base = self.state()
        sliders = [k for k, c in self.controls.items() if type(c).__name__ in SLIDER_TYPES]
        name = sliders[0] if sliders else next(iter(self.controls))
        control = self.controls[name]
        if type(control).__name__ in ("IntSlider", "FloatSlider"):
            lo, hi, step = control.min, control.max, control.step or 1
            values = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
            values = [min(hi, max(lo, round(v / step) * step)) for v in values]
            if type(control).__name__ == "IntSlider":
                values = [int(v) for v in values]
        elif hasattr(control, "options") and control.options:
            opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
            values = [opts[i % len(opts)] for i in range(n)]
        else:  # a checkbox or toggle
            values = [bool(i % 2) for i in range(n)]
        return [{**base, name: v} for v in values]

    def naive_png(self, state: dict | None = None) -> bytes:
        """Rebuild the whole figure for one state and save it (benchmark baseline only)."""
        state = state or self.state()
        clone = copy.copy(self)  # shares the model, gets its own figure and artists
        clone.figure, clone.animated, clone._widget = new_figure(*self.figsize), [], None
        clone.build(clone.figure)
        clone.update(state)
        return figure_to_png(clone.figure)

    def _readout_html(self, state: dict) -> str:
        return (f'<p aria-live="polite" style="{TEXT_STYLE}">'
                f"{html.escape(self.readout(state))}</p>")

    @property
    def widget(self):
        """The live widget (built on first use)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def picture_layout(self) -> tuple[str, int]:
        """(arrangement, display width in px) of the picture on a laptop screen (see NOTEBOOK_WIDTH_PX).

        "beside": the controls and the readout in a column beside the picture (upright figures);
        "above": the controls above the picture, the readout under it (wide figures).  Unless the
        subclass sets ``arrangement``, whichever shows the picture bigger.  The picture is never
        enlarged beyond its own pixels and shrinks with a narrower notebook.
        """
        from .style import DPI

        width, height = self.figsize[0] * DPI, self.figsize[1] * DPI
        aspect = width / height
        beside = min(width, NOTEBOOK_WIDTH_PX - 2 * GAP_PX - PANEL_WIDTH_PX, BESIDE_MAX_HEIGHT_PX * aspect)
        above = min(width, NOTEBOOK_WIDTH_PX - GAP_PX, ABOVE_MAX_HEIGHT_PX * aspect)
        arrangement = self.arrangement or ("beside" if beside > above else "above")
        return arrangement, int(beside if arrangement == "beside" else above)

    def _build_widget(self):
        import ipywidgets as w

        state = self.state()
        arrangement, width = self.picture_layout()
        # No tooltip on the Image: ipywidgets 8's ImageView fails to render with one
        # in JupyterLab ("Cannot read properties of undefined"); the readout below
        # is the picture's text alternative instead.
        controls = list(self.controls.values())
        self._image = frame_picture_class()(
            value=self.png, key=self.state_key(), alt=self.alt(state), controls=controls,
            attrs=[control_attr(c) for c in controls],
            layout={"width": f"{width}px", "max_width": "100%", "height": "auto",
                    "flex": "0 1 auto", "min_width": "0"})
        self._image.show_frame(self.state_key(), self.png, self.alt(state))
        self._image.add_class("iliopsoas-diagram-picture")
        self._image.on_msg(self._on_picture_message)
        self._readout = w.HTML(self._readout_html(state))
        self._readout.add_class("iliopsoas-readout")
        for control in self.controls.values():
            control.add_class("iliopsoas-control")
            if type(control).__name__ in SLIDER_TYPES:
                control.add_class("iliopsoas-slider")
            control.observe(self.redraw, "value")
        title = f"<h4 style='margin:0.2em 0'>{html.escape(self.title)}</h4>" if self.title else ""
        parts = [w.HTML(course_css() + title)]
        if arrangement == "beside":
            # Controls stacked in a column beside the picture, the readout under them: picture,
            # controls and readout are on screen together on a laptop.
            panel = w.VBox([w.VBox(list(self.controls.values())), self._readout],
                           layout={"flex": f"1 1 {PANEL_WIDTH_PX}px", "min_width": f"{PANEL_WIDTH_PX - 20}px"})
            panel.add_class("iliopsoas-diagram-panel")
            body = w.HBox([self._image, panel], layout={"flex_flow": "row wrap", "align_items": "flex-start",
                                                        "grid_gap": f"{GAP_PX}px"})
        else:
            body = w.VBox([w.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"}),
                           self._image, self._readout])
        body.add_class("iliopsoas-diagram-body")
        parts.append(body)
        if self.caption:
            parts.append(w.HTML(f'<p style="font-size:90%;{TEXT_STYLE}"><em>{html.escape(self.caption)}</em></p>'))
        # the picture's alt text and the sliders' names, set in the page (see display.accessible_names)
        # the sliders' names, set in the page (see display.accessible_names); the picture's alt text
        # is set by the picture itself, with each picture it shows
        self._names = accessible_names(alt="", images="")
        parts.append(self._names)
        box = w.VBox(parts, layout={"border": "1px solid #C8C8C8", "padding": "0.5em", "margin": "0.5em 0"})
        box.add_class("iliopsoas-diagram")
        box.add_class(f"iliopsoas-diagram-{self.name}")
        box.add_class(f"iliopsoas-diagram-{arrangement}")
        return box

    def static_html(self) -> str:
        state = self.state()
        title = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        return (f'<div class="iliopsoas-diagram iliopsoas-diagram-{html.escape(self.name)}">' + title
                + static_figure_html(self.png, self.alt(state), self.caption, self.readout(state)) + "</div>")

    def text(self) -> str:
        state = self.state()
        return f"[Interactive diagram: {self.title or self.name}] {self.readout(state)}"

    def show(self) -> "Diagram":
        """What a notebook cell displays: the diagram itself, i.e. its live widget with
        static HTML and plain-text versions (see display.StaticFallback)."""
        return self


def _slider_step(control, steps: int):
    """The value of ``control`` moved ``steps`` steps, or None when that leaves its range.
    IntSlider/FloatSlider: ``value`` ± steps × ``step``; SelectionSlider: the option ``steps``
    places away."""
    if type(control).__name__ == "SelectionSlider":
        index = control.index + steps
        return control._options_values[index] if 0 <= index < len(control.options) else None
    step = control.step or 1
    value = control.value + steps * step
    if type(control).__name__ == "FloatSlider":
        value = round(value, 10)
    if value < control.min - 1e-9 or value > control.max + 1e-9:
        return None
    return value


def _synced(control, value):
    """What the browser's model of ``control`` holds when the control shows ``value``: the option's
    index for the selection widgets (frame_cache.control_attr), the value itself otherwise.
    Raises ValueError for a value that is not one of a selection widget's options."""
    if control_attr(control) == "index":
        return list(control._options_values).index(value)
    return value
