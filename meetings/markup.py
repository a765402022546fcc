"""Markdown to safe HTML: organizers write Markdown, the public sees sanitized HTML."""

import functools
import html
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr",
}


def render_markdown(text: str) -> Markup:
    """Render Markdown and keep only harmless tags; links get rel=noopener and only safe schemes."""
    return _rendered(str(text or ""))


# Pages render the same texts (privacy notice, descriptions) request after request.
@functools.lru_cache(maxsize=2048)
def _rendered(text: str) -> Markup:
    html = _markdown.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


# Anything Markdown could read as markup. Text without any is already plain: feeds render
# thousands of abstracts, most without markup, so they skip the parser.
_MARKDOWN_HINTS = re.compile(
    r"[\\`*_\[\]<>&|~\x00\r]|^[ \t]|[ \t]$|^[-+>#=]|^\d{1,9}[.)]|\n\n", re.MULTILINE
)


# Feeds rebuild after every edit; unchanged abstracts (most of them) then skip the parser.
@functools.lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """Markdown reduced to plain text (for feeds and meta descriptions)."""
    text = text or ""
    if not _MARKDOWN_HINTS.search(text):
        return text.strip()
    return html.unescape(nh3.clean(_markdown.render(text), tags=set())).strip()
