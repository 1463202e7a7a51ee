"""Hostile input for the tests: the XSS corpus, and a parser that finds active content in HTML."""

import re
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "xss_payloads.txt"


def payloads() -> list[str]:
    """The corpus, one payload a line ("\\n" in a line is a line break; "# " starts a comment)."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line and not line.startswith("# ")]


# Attributes whose value a browser follows or runs as a URL.
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "lowsrc",
    "dynsrc",
    "ping",
    "cite",
    "srcset",
}
ACTIVE_SCHEMES = ("javascript:", "data:", "vbscript:")
# Elements that embed or redirect to other content; none of them is in the app's own templates.
ACTIVE_ELEMENTS = {"iframe", "frame", "object", "embed", "applet", "base", "form", "isindex"}
CSS_ACTIVE = re.compile(r"url\s*\(|expression\s*\(|behavior\s*:|@import|javascript:", re.I)
OWN_STATIC = "/static/"


def _url(value: str) -> str:
    """The URL as a browser reads it: control characters and whitespace dropped, lower case."""
    return re.sub(r"[\x00-\x20]", "", value).lower()


class ActiveContent(HTMLParser):
    """Collects everything in a page that could run or load content: script elements (other than
    the app's own external files), event handler attributes, javascript:/data:/vbscript: URLs,
    embedding elements, a refreshing meta element, style attributes or elements with url() or
    expression(). Character references are decoded before the checks, as a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None
        self._form_ok = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            if not values.get("src", "").startswith(OWN_STATIC):
                self.found.append(f"<script {values}>")
            self._in = "script"
        elif tag == "style":
            self._in = "style"
        elif tag in ACTIVE_ELEMENTS and not (tag == "form" and _own_form(values)):
            self.found.append(f"<{tag} {values}>")
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append(f"<meta refresh {values}>")
        elif tag == "link" and not values.get("href", "").startswith(OWN_STATIC):
            self.found.append(f"<link {values}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name in URL_ATTRIBUTES and _url(value).startswith(ACTIVE_SCHEMES):
                if not (tag == "img" and _own_image(value)):
                    self.found.append(f"<{tag} {name}={value!r}>")
            elif name == "style" and CSS_ACTIVE.search(value):
                self.found.append(f"<{tag} style={value!r}>")
            elif name == "srcdoc":
                self.found.append(f"<{tag} srcdoc={value!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._in = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.found.append(f"inline script: {data.strip()[:80]!r}")
        elif self._in == "style" and data.strip():
            self.found.append(f"style element: {data.strip()[:80]!r}")


def _own_form(values: dict[str, str]) -> bool:
    """The app's own forms post to its own paths (or to the page itself)."""
    action = values.get("action", "")
    return action == "" or (action.startswith("/") and not action.startswith("//"))


def _own_image(value: str) -> bool:
    """Images the app itself inlines (the CSP allows data: images): SVG or PNG, never HTML."""
    return _url(value).startswith(("data:image/png", "data:image/gif", "data:image/jpeg"))


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found
