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
        def update(self, state):
            self.background_key = state["menu"]     # set the still artists for this key when it changes
            ...
"""
from __future__ import annotations

from collections import OrderedDict

from .base import encode_png


class KeyedBackground:
    """Mixin (before ``Diagram`` in the bases): ``render`` with one cached background per ``background_key``."""

    cache_size = 8   # backgrounds kept (each is the figure's RGBA pixels, about 1.5 MB at 940 x 430 px)

    def init_backgrounds(self) -> None:
        """Call at the start of ``build``: an empty cache and no key yet."""
        self._backgrounds = OrderedDict()
        self.background_key = None

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
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return encode_png(canvas)


__all__ = ["KeyedBackground"]
