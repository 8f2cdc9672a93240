"""The plain-text alternative of a rendered HTML body, and the cleaning of that HTML.

The text keeps paragraphs, line breaks, list items and the address of each link, so a reader
whose mail program shows only text loses nothing but the looks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

BLOCKS = {"p", "div", "table", "tr", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}
SKIPPED = {"script", "style", "head", "title"}
ATTRIBUTES = {tag: {*found, "style"} for tag, found in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES.update({tag: {"style"} for tag in nh3.ALLOWED_TAGS if tag not in ATTRIBUTES})


def clean(html: str) -> str:
    """Only harmless markup: no scripts, event handlers or javascript: links (nh3), inline styles kept."""
    return nh3.clean(html, tags=set(nh3.ALLOWED_TAGS), attributes=ATTRIBUTES, link_rel="noopener noreferrer")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[str | None] = []
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
            self.link_text.append("")

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, text = self.links.pop(), self.link_text.pop()
            if href and href.strip() != text.strip() and not href.startswith("mailto:"):
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if self.skipping:
            return
        data = re.sub(r"\s+", " ", data)
        if self.link_text:
            self.link_text[-1] += data
        self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
