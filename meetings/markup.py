"""Markdown to safe HTML: organizers write Markdown, the public sees sanitized HTML."""

import html

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
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def plain_text(text: str) -> str:
    """Markdown reduced to plain text (for feeds and meta descriptions)."""
    return html.unescape(nh3.clean(_markdown.render(text or ""), tags=set())).strip()
