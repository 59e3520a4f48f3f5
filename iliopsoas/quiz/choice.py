"""A group of radio buttons that is one Tab stop, with the arrow keys inside (as in any form).

ipywidgets' ``RadioButtons`` draws inputs without a shared ``name``, so each
option is its own Tab stop and the arrow keys do nothing: a keyboard user has
to Tab through every option to reach Check.  :class:`ChoiceGroup` draws real
``<input type="radio">`` elements sharing one ``name`` inside a
``role="radiogroup"`` (the browser then gives the group one Tab stop and moves
the choice with the arrow keys), each input marked
``data-lm-suppress-shortcuts`` so that JupyterLab's notebook shortcuts (the
arrow keys move between cells in command mode) leave the keys to the group.
It is an `anywidget <https://anywidget.dev>`_ (a small ES module, no build
step, no lab extension of our own).

Python side: the same API as ``RadioButtons`` where the quiz uses it:
``options`` (``[(label, value), ...]``), ``value`` (one of the values, or None),
``description``, ``disabled``, ``observe(fn, "value")``.  Labels are plain text.
"""
from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
let groups = 0;
function render({ model, el }) {
  const name = 'iliopsoas-choice-' + (++groups) + '-' + Math.random().toString(36).slice(2, 8);
  el.classList.add('iliopsoas-choice-group');
  const label = document.createElement('div');
  label.className = 'iliopsoas-choice-label';
  label.id = name + '-label';
  const box = document.createElement('div');
  box.setAttribute('role', 'radiogroup');
  box.setAttribute('aria-labelledby', label.id);
  box.className = 'iliopsoas-choice-box';
  el.appendChild(label);
  el.appendChild(box);
  const sync = () => {
    const index = model.get('index');
    box.querySelectorAll('input').forEach((input) => {
      input.checked = index !== null && Number(input.value) === index;
      input.disabled = model.get('disabled');
    });
  };
  const draw = () => {
    label.textContent = model.get('description');
    label.style.display = model.get('description') ? '' : 'none';
    box.textContent = '';
    model.get('labels').forEach((text, i) => {
      const row = document.createElement('label');
      row.className = 'iliopsoas-choice';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = name;
      input.value = String(i);
      input.setAttribute('data-lm-suppress-shortcuts', 'true');
      input.addEventListener('change', () => {
        if (input.checked) { model.set('index', i); model.save_changes(); }
      });
      const span = document.createElement('span');
      span.textContent = text;
      row.appendChild(input);
      row.appendChild(span);
      box.appendChild(row);
    });
    sync();
  };
  draw();
  model.on('change:labels', draw);
  model.on('change:description', draw);
  model.on('change:index', sync);
  model.on('change:disabled', sync);
}
export default { render };
"""

_CSS = """
.iliopsoas-choice-group { display: flex; flex-direction: column; gap: 0.15em; margin: 0.2em 0;
  color: var(--jp-widgets-color, var(--jp-ui-font-color1)); font-size: var(--jp-widgets-font-size, 13px); }
.iliopsoas-choice-label { font-weight: 600; }
.iliopsoas-choice-box { display: flex; flex-direction: column; gap: 0.2em; }
.iliopsoas-choice { display: flex; align-items: flex-start; gap: 0.5em; line-height: 1.4; cursor: pointer; }
.iliopsoas-choice input { flex: none; margin: 0.2em 0 0 1px; }
.iliopsoas-choice input:focus-visible { outline: 2px solid var(--jp-brand-color1, #1976d2); outline-offset: 2px; }
"""


class ChoiceGroup(anywidget.AnyWidget):
    """Radio buttons as one keyboard group (see the module docstring)."""

    _esm = _ESM
    _css = _CSS
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    index = traitlets.Int(None, allow_none=True).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, options=(), value=None, description: str = "", **kwargs):
        kwargs.pop("style", None)  # RadioButtons' styling arguments mean nothing here
        super().__init__(description=description, **kwargs)
        self._values: list = []
        self.options = options
        if value is not None:
            self.value = value

    @property
    def options(self) -> list[tuple[str, object]]:
        """``[(label, value), ...]``."""
        return list(zip(self.labels, self._values))

    @options.setter
    def options(self, options) -> None:
        pairs = [(o, o) if not isinstance(o, (tuple, list)) else tuple(o) for o in options]
        self._values = [v for _, v in pairs]
        self.index = None
        self.labels = [str(label) for label, _ in pairs]

    @property
    def value(self):
        """The chosen option's value, or None."""
        i = self.index
        return self._values[i] if i is not None and 0 <= i < len(self._values) else None

    @value.setter
    def value(self, value) -> None:
        if value is None:
            self.index = None
            return
        for i, v in enumerate(self._values):
            if v == value and type(v) is type(value):
                self.index = i
                return
        raise traitlets.TraitError(f"{value!r} is not one of the options")

    def observe(self, handler, names=traitlets.All, type="change"):  # noqa: A002 - traitlets' name
        """``observe(fn, "value")`` works as on RadioButtons: ``change["new"]`` is the value."""
        if names == "value":
            def on_index(change, handler=handler):
                old, new = change["old"], change["new"]
                handler({"name": "value", "owner": self, "type": "change",
                         "old": self._values[old] if old is not None and old < len(self._values) else None,
                         "new": self._values[new] if new is not None and new < len(self._values) else None})
            return super().observe(on_index, "index", type)
        return super().observe(handler, names, type)


_ZONE_ESM = r"""
function render({ model, el }) {
  el.style.display = 'none';
  let zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
  if (zone && model.get('zone') !== zone) { model.set('zone', zone); model.save_changes(); }
}
export default { render };
"""


class BrowserZone(anywidget.AnyWidget):
    """An invisible widget that tells the kernel the browser's time zone (IANA name, e.g.
    ``Europe/Paris``) in ``zone`` as soon as it is displayed; "" until then (or without a browser).

    On a hub or Binder the kernel runs in UTC; the student's own zone is the browser's.
    """

    _esm = _ZONE_ESM
    zone = traitlets.Unicode("").tag(sync=True)
