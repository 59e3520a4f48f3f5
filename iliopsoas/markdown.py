"""Safe Markdown (with ``$…$`` maths) to HTML for question text and feedback.

Raw HTML in the source is escaped, never passed through.  Maths is protected
from Markdown and emitted as ``\\( … \\)`` / ``\\[ … \\]`` (HTML-escaped) for
MathJax, which ``widgets.HTMLMath`` and JupyterLab run.  Links open in a new tab.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$&\"'])")


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.use(dollarmath_plugin, allow_digits=False, allow_space=False, double_inline=True)

    def math_inline(self, tokens, idx, options, env):
        return "\\(" + html.escape(tokens[idx].content) + "\\)"

    def math_block(self, tokens, idx, options, env):
        return '<p class="math">\\[' + html.escape(tokens[idx].content.strip()) + "\\]</p>\n"

    def math_inline_double(self, tokens, idx, options, env):
        return "\\[" + html.escape(tokens[idx].content.strip()) + "\\]"

    def link_open(self, tokens, idx, options, env):
        tokens[idx].attrSet("target", "_blank")
        tokens[idx].attrSet("rel", "noopener")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("math_inline", math_inline)
    md.add_render_rule("math_inline_double", math_inline_double)
    md.add_render_rule("math_block", math_block)
    md.add_render_rule("math_block_label", math_block)
    md.add_render_rule("link_open", link_open)
    return md


def render_markdown(text: str) -> str:
    """Render course Markdown (``$…$`` maths, no raw HTML) to an HTML string."""
    return _parser().render(text or "")


def render_inline(text: str) -> str:
    """Render one line of Markdown without the surrounding ``<p>``."""
    return _parser().renderInline(text or "")


def escape(text) -> str:
    """Escape anything a student typed before it is echoed into HTML."""
    return html.escape("" if text is None else str(text), quote=True)


def escape_markdown(text) -> str:
    """Backslash-escape Markdown (and maths, HTML) so typed text shows literally."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def plain_text(text: str) -> str:
    """Markdown to plain text (for widget labels): markup dropped, maths kept as typed."""
    parts = []
    for block in _parser().parse(text or ""):
        for tok in block.children or []:
            if tok.type in ("text", "code_inline", "math_inline"):
                parts.append(tok.content)
            elif tok.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        if block.type.endswith("_close") and block.block:
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()
