"""The pinned wheels from a package index (PyPI's simple API, JSON or HTML): the file whose sha256 is
the pinned one, so no platform tags need matching."""

from __future__ import annotations

import json
import os
import urllib.parse
from html.parser import HTMLParser

from packaging.utils import InvalidWheelFilename, canonicalize_name

from .errors import AssemblyError
from .fetch import Item, http_get
from .pins import Pin, wheel_key

INDEX_ENV = "REMI_WEB_INDEX_URL"
DEFAULT_INDEX = "https://pypi.org/simple"
ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"


def wheel_item(pin: Pin, index: str | None = None) -> Item:
    """The pinned wheel of `pin`, located on the index only when it must be downloaded."""

    def matches(file_name: str) -> bool:
        try:
            return file_name.endswith(".whl") and wheel_key(file_name) == (pin.name, pin.version)
        except InvalidWheelFilename:
            return False

    return Item(
        label=pin.label,
        algorithm="sha256",
        digest=pin.sha256,
        matches=matches,
        locate=lambda: locate(pin, index or os.environ.get(INDEX_ENV) or DEFAULT_INDEX),
    )


def locate(pin: Pin, index: str) -> tuple[str, str]:
    """The URL and file name of the file with the pinned sha256 on the index's page for `pin`."""
    page = f"{index.rstrip('/')}/{canonicalize_name(pin.name)}/"
    with http_get(page, accept=ACCEPT) as response:
        kind = response.headers.get("Content-Type", "")
        body = response.read().decode("utf-8")
    links = _json_links(body) if "json" in kind else _html_links(body)
    for url, sha256 in links:
        if sha256 == pin.sha256:
            absolute = urllib.parse.urljoin(page, url)
            return absolute, urllib.parse.unquote(urllib.parse.urlsplit(absolute).path.rsplit("/", 1)[-1])
    raise AssemblyError(f"{page} has no file with the pinned sha256 of {pin.label}")


def _json_links(body: str) -> list[tuple[str, str]]:
    """(url, sha256) of each file of a PEP 691 page."""
    files = json.loads(body).get("files", [])
    return [(f["url"], f.get("hashes", {}).get("sha256", "")) for f in files]


def _html_links(body: str) -> list[tuple[str, str]]:
    """(url, sha256) of each anchor of a PEP 503 page (the hash in the `#sha256=` fragment)."""
    links: list[tuple[str, str]] = []

    class Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href:
                url, _, fragment = href.partition("#")
                links.append((url, fragment.removeprefix("sha256=")))

    Anchors().feed(body)
    return links
