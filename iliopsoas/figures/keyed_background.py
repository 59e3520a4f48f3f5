"""A mixin for diagrams whose still parts change with a menu: one cached background per menu choice.

:class:`~iliopsoas.figures.base.Diagram` caches a single background (everything
not in ``self.animated``) and redraws it whenever ``update`` returns True.  A
diagram whose still parts depend on a menu (the rehabilitation planner's phase
card, the prevention picture's programme panel) would then redraw everything on
every menu change.  With this mixin the diagram sets ``self.background_key`` in
``update`` (for example ``(case, phase)``) and the mixin keeps one background
per key (the last ``cache_size`` used): a key seen before is restored from the
cache, so only the animated artists are drawn on top of it.

    class MyDiagram(KeyedBackground, Diagram):
        def build(self, fig):
            self.init_backgrounds()
            ...
            self.cached_texts = {self.mark, self.verdict}   # optional, see below
        def update(self, state):
            self.background_key = state["menu"]     # set the still artists for this key when it changes
            ...

Text is the costliest thing to redraw.  Animated texts listed in ``cached_texts`` are drawn
once per (text, colour, weight, position, background key) and their pixels kept; later
they are pasted back.  Only list texts drawn over still parts of the figure (or over an
animated artist whose look is fixed by the same text), or the pasted pixels would be stale.
"""
from __future__ import annotations

from collections import OrderedDict

from matplotlib.transforms import Bbox

from .base import encode_png


class KeyedBackground:
    """Mixin (before ``Diagram`` in the bases): ``render`` with one cached background per ``background_key``."""

    cache_size = 8   # backgrounds kept (each is the figure's RGBA pixels, about 1.5 MB at 940 x 430 px)

    text_cache_size = 512   # pasted text blocks kept (a few kB each)

    def init_backgrounds(self) -> None:
        """Call at the start of ``build``: an empty cache and no key yet."""
        self._backgrounds = OrderedDict()
        self._text_blocks = OrderedDict()
        self.background_key = None
        self.cached_texts = set()

    def _draw_text(self, text) -> None:
        """Paste a cached block of pixels for this text, or draw it and keep the block."""
        canvas = self.figure.canvas
        key = (id(text), text.get_text(), str(text.get_color()), str(text.get_fontweight()), text.get_position(),
               self.background_key)
        block = self._text_blocks.get(key)
        if block is not None:
            self._text_blocks.move_to_end(key)
            canvas.restore_region(block)
            return
        self.figure.draw_artist(text)
        box = text.get_window_extent(canvas.get_renderer())
        padded = Bbox.from_extents(box.x0 - 2, box.y0 - 2, box.x1 + 2, box.y1 + 2)
        self._text_blocks[key] = canvas.copy_from_bbox(padded)
        while len(self._text_blocks) > self.text_cache_size:
            self._text_blocks.popitem(last=False)

    def render(self) -> bytes:
        """Restore (or draw once and keep) the background of the current key, then draw the animated artists."""
        canvas = self.figure.canvas
        key = self.background_key
        background = self._backgrounds.get(key)
        if background is None:
            canvas.draw()                    # draws everything except the animated artists
            background = canvas.copy_from_bbox(self.figure.bbox)
            self._backgrounds[key] = background
            while len(self._backgrounds) > self.cache_size:
                self._backgrounds.popitem(last=False)
        else:
            self._backgrounds.move_to_end(key)
            canvas.restore_region(background)
        for artist in self.animated:
            if not artist.get_visible():
                continue
            if artist in self.cached_texts and artist.get_text():
                self._draw_text(artist)
            else:
                self.figure.draw_artist(artist)
        return encode_png(canvas)


__all__ = ["KeyedBackground"]
