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


@lru_cache(maxsize=1)
def _html_finder():
    """The course's parser, but with raw HTML recognised (never rendered: only to find it)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.use(dollarmath_plugin, allow_digits=False, allow_space=False, double_inline=True)
    md.validateLink = lambda url: True  # see every link, to report javascript: ones
    return md


def markup_problems(text: str) -> tuple[list[str], list[str]]:
    """(raw HTML fragments, link and image targets) of Markdown text, as a CommonMark parser sees them.

    A fragment is what CommonMark calls raw HTML (a tag like ``<b>`` or ``<a href=...>``, a comment,
    a ``<script>`` block): code spans, code blocks and ``$…$`` maths are not searched, and a ``<``
    that does not start a tag (``a < b``, ``<3``, ``<https://...>``, an autolink) is text.  The
    course renders with raw HTML off (:func:`render_markdown` escapes all of it); the question
    banks refuse what this finds, because an author who wrote it expected it to be HTML.
    """
    fragments, targets = [], []

    def walk(tokens):
        for tok in tokens:
            if tok.type in ("html_block", "html_inline"):
                fragments.append(tok.content.strip())
            elif tok.type in ("link_open", "image"):
                target = tok.attrGet("href") if tok.type == "link_open" else tok.attrGet("src")
                if target:
                    targets.append(str(target))
            if tok.children:
                walk(tok.children)

    walk(_html_finder().parse(text or ""))
    return fragments, targets


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


def _inline_children(text: str) -> list:
    tokens = _parser().parseInline(text or "")
    return list(tokens[0].children or []) if tokens else []


def label_text(text: str) -> str:
    """An answer option's text as the quiz shows it, live and static alike: plain text.

    Options (choices, matching and ordering items, label names) are widget labels, which show
    plain text only, so they are read as *one line of inline* Markdown: emphasis and code marks
    are dropped, block syntax is kept as typed (``1. Iliacus first`` stays ``1. Iliacus first``,
    ``- item`` stays ``- item``), backslash escapes and entities are resolved, line breaks become
    spaces and runs of white space one space.  Maths, links and images cannot be shown in a label:
    :func:`label_problem` refuses them (``python -m iliopsoas validate``); if one slips through,
    its source text is kept (``$…$``), never dropped.
    """
    parts = []
    for tok in _inline_children(text):
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "math_inline":
            parts.append(f"${tok.content}$")
        elif tok.type == "math_inline_double":
            parts.append(f"$${tok.content}$$")
        elif tok.type == "image":
            parts.append(tok.content)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def label_problem(text: str) -> str | None:
    """Why ``text`` cannot be an answer option (a widget label), or None if it can.

    A label shows plain text, so maths (``$…$``, which cannot be typeset there), links and images
    are refused, as are a blank line (two paragraphs) and text that would show as nothing.
    """
    if not isinstance(text, str):
        return None
    if re.search(r"\n[ \t]*\n", text.strip()):
        return ("an answer option is one paragraph, shown on one line: remove the blank line "
                "(put longer text in the prompt or the feedback)")
    children = _inline_children(text)
    kinds = {tok.type for tok in children}
    if kinds & {"math_inline", "math_inline_double"}:
        return ("maths ($…$) cannot be typeset in an answer option (a widget label shows plain text): "
                "write it in words or with Unicode symbols (α, β, ≤, ², ×), or move it to the prompt")
    if "link_open" in kinds or "image" in kinds:
        return ("a link or an image cannot be shown in an answer option (a widget label shows plain "
                "text): put it in the prompt, the feedback or the explanation")
    if not label_text(text):
        return "this answer option would show as an empty label"
    return None


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|])")
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+*>=](?=\s|$)|\d{1,9}(?=[.)](?:\s|$)))")


def literal_markdown(text: str) -> str:
    """Markdown that shows ``text`` literally (one paragraph, nothing read as markup).

    Lighter than :func:`escape_markdown`: only what Markdown would act on is escaped
    (``*_`[]<>$~|\\``, and a list, heading or quote marker at the start), so ordinary
    punctuation stays readable in a Markdown file such as the answer key.
    """
    text = _INLINE_SPECIAL.sub(r"\\\1", "" if text is None else str(text).strip())
    match = _BLOCK_START.match(text)
    if match:
        marker = match.group(2)
        if marker[0].isdigit():  # "1. x" -> "1\. x"
            end = match.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = text[:match.start(2)] + "\\" + text[match.start(2):]
    return text
