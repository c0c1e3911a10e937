"""Read the figures a page shows: every element with `data-field` names its JSON path."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

_VOID = {"input", "meta", "link", "br", "img", "hr"}


class _Figures(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[tuple[str, str, str | None]] = []  # (path, text, data-value)
        self.inputs: dict[str, str] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.inline_styles = 0
        self.urls: list[str] = []
        self._open: list[tuple[str, str, str | None, list[str]]] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") != "radio":
            self.inputs[a["name"] or ""] = a.get("value") or ""
        if tag == "script":
            self.scripts.append(a)
        if tag == "style" or "style" in a:
            self.inline_styles += 1
        for name in ("src", "href", "action"):
            if a.get(name):
                self.urls.append(a[name] or "")
        if tag in _VOID:
            return
        self._depth += 1
        if "data-field" in a:
            self._open.append((a["data-field"] or "", tag, a.get("data-value"), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        self._depth -= 1
        if self._open and self._open[-1][1] == tag:
            path, _, value, parts = self._open.pop()
            self.figures.append((path, "".join(parts).strip(), value))

    def handle_data(self, data: str) -> None:
        for entry in self._open:
            entry[3].append(data)


def parse(html: str) -> _Figures:
    parser = _Figures()
    parser.feed(html)
    parser.close()
    return parser


def figures(html: str) -> dict[str, tuple[str, str | None]]:
    """path -> (text shown, data-value) for every figure of the page; a path appears once."""
    found = parse(html).figures
    shown = {path: (text, value) for path, text, value in found}
    assert len(shown) == len(found), "a figure path appears twice on the page"
    return shown


def resolve(document: Any, path: str) -> Any:
    for part in path.split("."):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def shows(shown: tuple[str, str | None], value: Any) -> bool:
    """Whether a figure shows the JSON value: strings and numbers as the API prints them, null
    as a dash; booleans (and a null one) in words, with the JSON literal in data-value."""
    text, literal = shown
    if literal is not None:
        return literal == json.dumps(value)
    return text == ("—" if value is None else str(value))
