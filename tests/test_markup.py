"""meetings/markup.py: Markdown rendered to sanitized HTML, and reduced to plain text."""

import pytest
from markupsafe import Markup

from meetings.markup import plain_text, render_markdown


def test_markdown_renders_the_usual_things():
    html = render_markdown("Hello **world**, *see* [the site](https://example.org).\n\n"
                           "- one\n- two")
    assert isinstance(html, Markup)
    assert "<strong>world</strong>" in html and "<em>see</em>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize("text", [
    '<script>alert("x")</script>',
    "Hi <script>alert(1)</script> there",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
])
def test_raw_html_is_never_passed_through(text):
    html = render_markdown(text)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "<style" not in html and "<a " not in html
    assert "&lt;" in html


@pytest.mark.parametrize("text", [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
])
def test_dangerous_links_are_stripped(text):
    html = render_markdown(text).lower()
    assert 'href="javascript' not in html and 'href="vbscript' not in html
    assert 'href="data:' not in html and "<img" not in html


def test_safe_schemes_are_kept():
    html = render_markdown("[mail](mailto:info@example.org) [web](http://example.org/a?b=1&c=2)")
    assert 'href="mailto:info@example.org"' in html
    assert 'href="http://example.org/a?b=1&amp;c=2"' in html


def test_headings_are_demoted_out_of_the_page_outline():
    # h1/h2 would break the page's heading order: only h3 and below survive.
    html = render_markdown("# Big\n\n### Small")
    assert "<h1>" not in html and "<h3>Small</h3>" in html


def test_empty_text():
    assert render_markdown("") == ""


@pytest.mark.parametrize(("text", "plain"), [
    ("Hello **world** & <b>friends</b>", "Hello world & <b>friends</b>"),
    ("Plain words, commas; semicolons\\ and more", "Plain words, commas; semicolons\\ and more"),
    ("[link](https://example.org)", "link"),
    ("", ""),
    (None, ""),
    ("  padded  ", "padded"),
])
def test_plain_text(text, plain):
    assert plain_text(text) == plain
