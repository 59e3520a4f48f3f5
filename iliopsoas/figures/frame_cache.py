"""The picture of a diagram, with a cache of pictures in the browser so a slider step needs no round trip.

Every step of a slider used to go key press → browser → kernel (draw, encode) → browser →
decode → screen.  Even with no drawing at all, the round trip and the decoding took about
50–65 ms in Chromium on the course's test machine (``benchmarks/run.py``, the *floor*), so
a picture could not follow a key press within the 50 ms a student reads as immediate.

:class:`FramePicture` replaces ``widgets.Image`` in a diagram and keeps the round trip out
of the way:

- the browser holds a small cache of pictures (PNG bytes, as object URLs, decoded ahead),
  each filed under a *state key*: the values of all the diagram's controls as the browser's
  widget models hold them (:func:`state_key`; sliders by ``value``, menus by ``index``);
- the view listens to the controls' own models in the browser.  When a control changes and
  the cache holds the new state, the view swaps that picture in at once, without waiting
  for the kernel; otherwise the kernel's picture appears when it arrives, as before;
- the kernel always answers with the authoritative picture (``value``, ``key``, ``alt``),
  which the view shows unless it already shows a later state; the readout sentence still
  comes from the kernel;
- after each change (and when a view first renders), the kernel draws the pictures one slider
  step on either side of the current state, and a few more in the direction the slider last
  moved, and sends them to the views (:meth:`Diagram.prefetch`), one picture per pass of the
  kernel's event loop so that a student's next key press is never queued behind them;
- pictures with the same pixels share one URL (``digest``), so a step that changes nothing
  on screen does not swap the picture either; each state keeps its own alt text;
- the picture never steps back: while a quick drag runs ahead of the kernel, an answer for a state
  older than the one on screen is skipped;
- an ``iliopsoas-frame-cache-clear`` event dispatched on the view's element empties its cache
  (the benchmark times steps without the cache that way).

A cached picture is drawn by the same code, from the same state, as the kernel's own
(``tests/test_frame_cache.py`` checks that they are byte-identical for every diagram).
"""
from __future__ import annotations

import hashlib

_ESM = r"""
const fmt = (v) => {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return '[' + v.map(fmt).join(',') + ']';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    const s = v.toFixed(6).replace(/\.?0+$/, '');
    return s === '-0' ? '0' : s;
  }
  return String(v);
};

function render({ model, el }) {
  el.classList.add('iliopsoas-frame-picture');
  const img = document.createElement('img');
  img.className = 'iliopsoas-diagram-image';
  img.style.cssText = 'display:block;width:100%;height:auto;max-width:100%';
  el.appendChild(img);
  const byKey = new Map();      // state key -> {digest, alt} (least recently used first)
  const byDigest = new Map();   // digest -> {url, keys}: states with the same pixels share one picture
  const seenAt = new Map();     // state key -> when the controls were last in that state (a counter)
  let tick = 0;
  let shown = null, shownAt = -1;   // digest on screen, and when its state was reached
  let controls = null;          // the controls' widget models, once resolved
  const attrs = model.get('attrs');

  const keyNow = () => controls ? controls.map((m, i) => fmt(m.get(attrs[i]))).join('|') : null;
  const drop = (digest) => {
    const entry = byDigest.get(digest);
    if (entry && entry.keys.size === 0 && digest !== shown) {
      byDigest.delete(digest);
      URL.revokeObjectURL(entry.url);
    }
  };
  const forget = () => {
    while (byKey.size > model.get('cache_size')) {
      const [key, frame] = byKey.entries().next().value;
      byKey.delete(key);
      const entry = byDigest.get(frame.digest);
      if (entry) entry.keys.delete(key);
      drop(frame.digest);
    }
    while (seenAt.size > 4 * model.get('cache_size')) seenAt.delete(seenAt.keys().next().value);
  };
  const put = (key, digest, alt, bytes) => {
    let entry = byDigest.get(digest);
    if (!entry) {
      if (!bytes || !bytes.byteLength) return;
      const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
      entry = { url, keys: new Set() };
      byDigest.set(digest, entry);
      const ahead = new Image();              // decode now, not at the key press
      ahead.src = url;
      if (ahead.decode) ahead.decode().catch(() => null);
    }
    entry.keys.add(key);
    byKey.delete(key);
    byKey.set(key, { digest, alt });
    forget();
  };
  const show = (key) => {
    const frame = byKey.get(key);
    const entry = frame && byDigest.get(frame.digest);
    if (!entry) return false;
    byKey.delete(key);                        // recently used
    byKey.set(key, frame);
    const previous = shown;
    if (shown !== frame.digest) {
      img.src = entry.url;
      shown = frame.digest;
    }
    if (img.getAttribute('alt') !== frame.alt) img.setAttribute('alt', frame.alt);   // each state its own words
    shownAt = seenAt.has(key) ? seenAt.get(key) : tick;
    if (previous !== null && previous !== shown) drop(previous);
    return true;
  };
  const onControl = () => {
    const key = keyNow();
    if (key === null) return;
    tick += 1;
    seenAt.delete(key);
    seenAt.set(key, tick);
    if (byKey.has(key)) show(key);            // cached: at once; otherwise the kernel's picture will come
  };
  const onValue = () => {
    const key = model.get('key');
    put(key, model.get('digest'), model.get('alt'), model.get('value'));
    const now = keyNow();
    if (now === null || now === key) { show(key); return; }
    if (byKey.has(now)) { show(now); return; }    // the browser is ahead of this answer
    // The kernel answers every step in order: show its picture as progress, unless the picture on
    // screen is of a later state than this answer (a quick drag shows no step backwards).
    if (!seenAt.has(key) || seenAt.get(key) >= shownAt) show(key);
  };
  const onMessage = (msg, buffers) => {
    if (!msg || msg.type !== 'frames') return;
    msg.frames.forEach((frame, i) => put(frame.key, frame.digest, frame.alt, buffers[i]));
    const now = keyNow();
    if (now !== null && byKey.has(now) && (seenAt.get(now) || 0) >= shownAt) show(now);
  };
  const traits = ['change:value', 'change:key', 'change:digest', 'change:alt'];
  traits.forEach((name) => model.on(name, onValue));
  model.on('msg:custom', onMessage);
  // The benchmark's way to time a step without the cache (benchmarks/run.py, "uncached").
  const clear = () => {
    byKey.clear();
    byDigest.forEach((e) => e.keys.clear());
    [...byDigest.keys()].forEach(drop);
  };
  el.addEventListener('iliopsoas-frame-cache-clear', clear);
  onValue();

  const ids = model.get('controls').map((ref) => String(ref).replace(/^IPY_MODEL_/, ''));
  let stopped = false;
  Promise.all(ids.map((id) => model.widget_manager.get_model(id))).then((models) => {
    if (stopped) return;
    controls = models;
    controls.forEach((m, i) => m.on('change:' + attrs[i], onControl));
    model.send({ type: 'ready' });            // the kernel sends the neighbouring pictures
  }).catch(() => null);                       // no models: every picture comes from the kernel

  return () => {
    stopped = true;
    traits.forEach((name) => model.off(name, onValue));
    el.removeEventListener('iliopsoas-frame-cache-clear', clear);
    model.off('msg:custom', onMessage);
    if (controls) controls.forEach((m, i) => m.off('change:' + attrs[i], onControl));
    byDigest.forEach((e) => URL.revokeObjectURL(e.url));
  };
}
export default { render };
"""

_CSS = """
.iliopsoas-frame-picture { display: block; }
"""

_CLASS = None


def control_attr(control) -> str:
    """The synced trait that says a control's position in the browser: ``index`` for the
    selection widgets (menus, selection sliders, which sync ``index`` and not ``value``),
    ``value`` for everything else (sliders, checkboxes)."""
    return "index" if "index" in getattr(control, "keys", ()) else "value"


def format_value(value) -> str:
    """A control value as the browser's view formats it: numbers to 6 decimals without trailing
    zeros (so 10, 10.0 and 10.000000001 give "10"), booleans as ``true``/``false``, lists in
    brackets.  Must match ``fmt`` in the view's JavaScript."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    return str(value)


def state_key(controls, overrides: dict | None = None) -> str:
    """The cache key of the controls' positions, as the browser computes it.

    ``controls``: the diagram's widgets in display order.  ``overrides``: {position in the list:
    the value of that control's synced trait} for a state the controls are not in (a neighbour).
    """
    overrides = overrides or {}
    return "|".join(format_value(overrides[i] if i in overrides else getattr(c, control_attr(c)))
                    for i, c in enumerate(controls))


def digest(png: bytes) -> str:
    """A short content hash of a picture: equal pixels, equal digest."""
    return hashlib.blake2b(png, digest_size=12).hexdigest()


def frame_picture_class():
    """The :class:`FramePicture` widget class (anywidget imported on first use)."""
    global _CLASS
    if _CLASS is None:
        import anywidget
        import ipywidgets
        import traitlets

        class FramePicture(anywidget.AnyWidget):
            """A diagram's picture with a cache of neighbouring pictures in the browser (module docstring).

            Traits: ``value`` (PNG bytes of the kernel's current state), ``key`` (its
            :func:`state_key`), ``digest`` (:func:`digest` of ``value``), ``alt`` (its text
            alternative), ``controls`` (the diagram's control widgets) with ``attrs`` (each one's
            synced trait, :func:`control_attr`), ``cache_size`` (states kept in each view).
            ``send_frames(frames)`` sends ``[(key, png, alt), ...]`` to the views' caches.
            """

            _esm = _ESM
            _css = _CSS
            value = traitlets.Bytes(b"").tag(sync=True)
            key = traitlets.Unicode("").tag(sync=True)
            digest = traitlets.Unicode("").tag(sync=True)
            alt = traitlets.Unicode("").tag(sync=True)
            controls = traitlets.List(traitlets.Instance(ipywidgets.Widget)).tag(
                sync=True, **ipywidgets.widget_serialization)
            attrs = traitlets.List(traitlets.Unicode()).tag(sync=True)
            cache_size = traitlets.Int(64).tag(sync=True)

            def show_frame(self, key: str, png: bytes, alt: str) -> None:
                """Make ``png`` (the picture of state ``key``) the current picture, in one message."""
                with self.hold_sync():
                    self.key, self.digest, self.alt, self.value = key, digest(png), alt, png

            def send_frames(self, frames) -> None:
                """Send pictures of other states to the views: ``frames`` is ``[(key, png, alt), ...]``."""
                if frames:
                    self.send({"type": "frames",
                               "frames": [{"key": k, "digest": digest(p), "alt": a} for k, p, a in frames]},
                              buffers=[p for _, p, _ in frames])

        _CLASS = FramePicture
    return _CLASS


__all__ = ["control_attr", "digest", "format_value", "frame_picture_class", "state_key"]
