"""Data as text in Markdown: :func:`md_text` makes a string from the data (a region's name, a
source's title, a value as written, a check's message) display as itself in a Markdown cell or
its HTML export, never as HTML, Markdown formatting or mathematics.

Only what would be read as markup is touched, so ordinary text (every name, title and value of the
bundled data, in Chinese or English) passes through unchanged: ``<8`` stays ``<8`` (no tag can
start with a digit) and ``yangchun_14th_plan`` keeps its underscores (inside a word they format
nothing); ``<script>`` becomes ``&lt;script>``, ``**bold**`` ``\\*\\*bold\\*\\*`` and ``[a](b)``
``\\[a\\](b)``. Text that holds ``$`` or a backslash, which MathJax and KaTeX read as mathematics
even after Markdown (``$x^2$``, ``\\(x\\)``), is written with character references inside a span
that both versions of MathJax skip (``tex2jax_ignore``, ``mathjax_ignore``).
"""
from __future__ import annotations

import re

#: Characters that format wherever they stand (emphasis, code, links, images, tables).
_ALWAYS = re.compile(r"([*`\[\]|])")
#: ``~`` that could close a strikeout (not after a space: "about ~5" stays as it is).
_TILDE = re.compile(r"(?<!\s)~")
#: ``_`` formats unless it stands between two letters or digits (``a_b`` is plain text).
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
#: ``<`` that could open a tag, a comment or an autolink; ``&`` that could start a reference.
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
#: ``#`` that could start a heading or close one (after a space).
_HASH = re.compile(r"(?:(?<=\s)|^)#")
#: What makes a block when it starts a line: a quote, a list item, a rule, a setext underline.
_LINE_START = re.compile(r"^(?:(?P<mark>>|[-+=](?=[-+= ]|$))|\d{1,9}(?=[.)](?: |$)))")
#: ``://`` and ``www.`` (GitHub-flavoured Markdown turns a bare address into a link).
_URL = re.compile(r":(?=//)|(?<=\bwww)\.")
#: Classes that MathJax 2 (``tex2jax_ignore``) and 3 (``mathjax_ignore``) do not typeset.
IGNORE_MATH = "tex2jax_ignore mathjax_ignore"


def md_text(s: object, code: bool = False) -> str:
    """``s`` (made a string) escaped to display as plain text in Markdown, on one line; with
    ``code``, as a code span (shown as written, fenced by more backticks than it holds)."""
    if code:
        text = re.sub(r"\s+", " ", str(s))
        fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return f"{fence}{pad}{text}{pad}{fence}"
    text = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", str(s))  # one line: no block can start inside it
    text = _ENTITY.sub("&amp;", text)
    math = "$" in text or "\\" in text
    if math:  # as references: no backslash escape, no delimiter for Markdown's math extension
        text = text.replace("\\", "&#92;").replace("$", "&#36;")
    text = _TAG.sub("&lt;", text)
    text = _ALWAYS.sub(r"\\\g<0>", text)
    text = _TILDE.sub(r"\\~", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _HASH.sub(r"\\#", text)
    text = _URL.sub(r"\\\g<0>", text)
    m = _LINE_START.match(text)
    if m:  # "\\> quote", "\\- item", "1\\. item"
        text = "\\" + text if m.group("mark") else text[:m.end()] + "\\" + text[m.end():]
    return f'<span class="{IGNORE_MATH}">{text}</span>' if math else text


def no_math(html: str) -> str:
    """HTML made from data (e.g. a table, its text already escaped) in a ``div`` that MathJax
    skips when it holds ``$`` or a backslash; otherwise unchanged."""
    return f'<div class="{IGNORE_MATH}">{html}</div>' if "$" in html or "\\" in html else html
