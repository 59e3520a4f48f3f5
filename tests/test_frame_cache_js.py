"""The picture cache's browser half (the JavaScript view of iliopsoas/figures/frame_cache.py), run in
node against small stand-ins for the page and the widget models.

What a student saw in Chromium and these tests hold:
- two slider values with the same pixels share one picture, but each keeps its own alt text (the
  prevention diagram's alt said "7.7 fewer" while its readout said 7.6);
- during a quick drag the picture never steps back to an older state when the kernel's answers
  arrive late (the paradox diagram went from 61° back to 58°, and from 54° back to 33°).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess

from iliopsoas.figures import frame_cache

HARNESS = r"""
const listeners = () => { const on = {}; return {
  on(name, fn) { (on[name] = on[name] || []).push(fn); },
  off(name, fn) { on[name] = (on[name] || []).filter((f) => f !== fn); },
  fire(name, ...args) { (on[name] || []).forEach((f) => f(...args)); } }; };
globalThis.document = { createElement: () => { const attrs = {}; return {
  style: {}, className: '', set src(v) { this._src = v; this.swaps = (this.swaps || 0) + 1; }, get src() { return this._src; },
  setAttribute(k, v) { attrs[k] = v; }, getAttribute(k) { return k in attrs ? attrs[k] : null; } }; } };
globalThis.Image = class { set src(v) {} decode() { return Promise.resolve(); } };
let urls = 0;
const live = new Set();
URL.createObjectURL = () => { const u = 'blob:' + (++urls); live.add(u); return u; };
URL.revokeObjectURL = (u) => live.delete(u);

function widgetModel(state) {
  const ev = listeners();
  return { ...ev, get: (k) => state[k],
    set(k, v) { state[k] = v; ev.fire('change:' + k); },
    setMany(obj) { Object.assign(state, obj); Object.keys(obj).forEach((k) => ev.fire('change:' + k)); } };
}
const slider = widgetModel({ value: 0 });
const sent = [];
const picture = widgetModel({ value: new Uint8Array([1]), key: '0', digest: 'd0', alt: 'alt 0',
  controls: ['IPY_MODEL_s'], attrs: ['value'], cache_size: 64 });
picture.send = (m) => sent.push(m);
picture.widget_manager = { get_model: () => Promise.resolve(slider) };
const el = { classList: { add() {} }, children: [], appendChild(c) { this.children.push(c); },
             addEventListener() {}, removeEventListener() {} };
render({ model: picture, el });
const img = el.children[0];
const frames = (list) => picture.fire('msg:custom', { type: 'frames', frames: list.map(([key, digest, alt]) =>
  ({ key, digest, alt })) }, list.map(() => new Uint8Array([7])));
const answer = (key, digest, alt) => picture.setMany({ key, digest, alt, value: new Uint8Array([9]) });
const out = {};
(async () => {
  await new Promise((r) => setTimeout(r, 0));
  out.ready = sent.some((m) => m.type === 'ready');
  // 1 and 2 share pixels (digest d1) but not words; 3 is different
  frames([['1', 'd1', 'alt 1'], ['2', 'd1', 'alt 2'], ['3', 'd3', 'alt 3']]);
  slider.set('value', 1);
  out.at1 = [img.src, img.getAttribute('alt')];
  const swaps = img.swaps;
  slider.set('value', 2);
  out.at2 = [img.src, img.getAttribute('alt'), img.swaps - swaps];
  slider.set('value', 3);
  out.at3 = [img.src, img.getAttribute('alt')];
  // a quick drag past the cache: 4 and 5 not cached; the kernel's answers for 1..5 arrive late
  slider.set('value', 4);
  slider.set('value', 5);
  const beforeLate = img.src;
  out.lateOld = [];
  for (const [key, digest] of [['1', 'd1'], ['2', 'd1'], ['3', 'd3']]) {
    answer(key, digest, 'alt ' + key);
    out.lateOld.push([img.src === beforeLate, img.getAttribute('alt')]);
  }
  answer('4', 'd4', 'alt 4');
  out.progress = img.getAttribute('alt');
  answer('5', 'd5', 'alt 5');
  out.settled = img.getAttribute('alt');
  // back to a state seen before: from the cache, with its own words
  slider.set('value', 2);
  out.back = img.getAttribute('alt');
  out.liveUrls = live.size;
  console.log(JSON.stringify(out));
})();
"""


def run_view() -> dict:
    node = shutil.which("node")
    assert node, "node is needed (python3 course.py test installs it with npm)"
    module = frame_cache._ESM.replace("export default { render };", "")
    assert module != frame_cache._ESM, "the view's module no longer ends with its export"
    out = subprocess.run([node, "-e", module + HARNESS], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_view_asks_the_kernel_for_pictures_once_it_knows_the_controls():
    assert run_view()["ready"]


def test_states_with_the_same_pixels_share_a_picture_but_keep_their_own_alt_text():
    out = run_view()
    assert out["at1"][1] == "alt 1"
    src2, alt2, swaps = out["at2"]
    assert src2 == out["at1"][0] and swaps == 0, "the same pixels must not be swapped in again"
    assert alt2 == "alt 2", "the alt text must describe the state shown, not the first state with those pixels"
    assert out["at3"][1] == "alt 3" and out["at3"][0] != src2
    assert out["back"] == "alt 2"


def test_late_answers_from_the_kernel_never_step_the_picture_back():
    out = run_view()
    assert out["lateOld"] == [[True, "alt 3"]] * 3, "an answer older than the picture on screen was shown"
    assert out["progress"] == "alt 4", "an answer newer than the picture on screen is progress: show it"
    assert out["settled"] == "alt 5"


def test_object_urls_are_released_with_the_pictures():
    out = run_view()
    assert out["liveUrls"] <= 5, out   # d0 is dropped once passed; d1, d3, d4, d5 remain


def test_the_formatter_is_the_one_the_python_side_mirrors():
    assert re.search(r"const fmt = ", frame_cache._ESM)
