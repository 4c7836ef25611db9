"""Page authors' packages and HTTP: an agent file's declared packages are installed in the worker
(from web/dist/ offline, else from PyPI), its tools reach the page's server with `requests` and
`urllib`, and a package that cannot be had is named in the page.

PyPI is never reached: `pypi_in_the_test` stands in for it (one package, served by the test) and
refuses everything else, as when the page is offline.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator

import pytest
from browser_app import WebServer, ask, events, screenshot, serving_agent_file
from playwright.sync_api import Page, Route

FETCHING_AGENT = '''# /// script
# dependencies = ["requests>=2.30"]
# ///
import urllib.request

import requests
from js import location

from remi_web import AgentBuilder, tool


@tool
def fetch_config(path: str) -> str:
    """Fetch a JSON file from the page's server with requests.

    Args:
        path: its path on the server, like /config.json.
    """
    response = requests.get(location.origin + path, timeout=10)
    response.raise_for_status()
    return f"{response.status_code} {response.json()['agent']}"


@tool
def first_line(path: str) -> str:
    """The first line of a text file on the page's server, read with urllib.

    Args:
        path: its path on the server, like /agent.py.
    """
    with urllib.request.urlopen(location.origin + path) as response:
        return response.read().decode().splitlines()[0]


agent = AgentBuilder().tools(fetch_config, first_line).system("You fetch.")
'''

MISSING_PACKAGE_AGENT = '''# /// script
# dependencies = ["remi-web-no-such-package"]
# ///
from remi_web import AgentBuilder

agent = AgentBuilder()
'''


FROM_PYPI_AGENT = '''# /// script
# dependencies = ["remi-web-pypi-probe"]
# ///
import remi_web_pypi_probe

from remi_web import AgentBuilder, tool


@tool
def greeting() -> str:
    """The probe package's greeting."""
    return remi_web_pypi_probe.GREETING


agent = AgentBuilder().tools(greeting)
'''

PYPI = re.compile(r"^https://(pypi\.org|files\.pythonhosted\.org)/")
PROBE_INDEX = "https://pypi.org/simple/remi-web-pypi-probe/"
PROBE_WHEEL = "https://files.pythonhosted.org/packages/remi_web_pypi_probe-1.0-py3-none-any.whl"


def probe_wheel() -> bytes:
    """A pure-Python wheel of `remi-web-pypi-probe` 1.0, whose module says where it came from."""
    info = "remi_web_pypi_probe-1.0.dist-info"
    files = {
        "remi_web_pypi_probe/__init__.py": "GREETING = 'installed from PyPI'\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: remi-web-pypi-probe\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def pypi_in_the_test(page: Page) -> list[str]:
    """Answer the page's PyPI requests: the probe package's index page (PEP 691 JSON) and wheel,
    and a network error for anything else. Returns the URLs asked for, in order."""
    wheel = probe_wheel()
    index = {
        "meta": {"api-version": "1.1"},
        "name": "remi-web-pypi-probe",
        "versions": ["1.0"],
        "files": [
            {
                "filename": PROBE_WHEEL.rsplit("/", 1)[-1],
                "url": PROBE_WHEEL,
                "hashes": {"sha256": hashlib.sha256(wheel).hexdigest()},
            }
        ],
    }
    answers = {
        PROBE_INDEX: (json.dumps(index).encode(), "application/vnd.pypi.simple.v1+json"),
        PROBE_WHEEL: (wheel, "application/octet-stream"),
    }
    asked: list[str] = []

    def answer(route: Route) -> None:
        asked.append(route.request.url)
        if route.request.url not in answers:
            route.abort("internetdisconnected")
            return
        body, content_type = answers[route.request.url]
        route.fulfill(body=body, headers={"access-control-allow-origin": "*", "content-type": content_type})

    page.route(PYPI, answer)
    return asked


@pytest.fixture(scope="module")
def fetching_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    yield from serving_agent_file(tmp_path_factory.mktemp("fetching"), FETCHING_AGENT, "--tps", "0")


@pytest.fixture(scope="module")
def missing_package_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    yield from serving_agent_file(tmp_path_factory.mktemp("missing"), MISSING_PACKAGE_AGENT)


@pytest.fixture(scope="module")
def from_pypi_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    yield from serving_agent_file(tmp_path_factory.mktemp("pypi"), FROM_PYPI_AGENT, "--tps", "0")


def tool_result(page: Page, name: str) -> str:
    """The content of the last `tool_result` of tool `name`."""
    results = [e for e in events(page) if e["type"] == "tool_result" and e["name"] == name]
    content: str = results[-1]["content"]
    return content


def test_a_declared_package_is_installed_from_the_dist(page: Page, fetching_web: WebServer) -> None:
    pypi = pypi_in_the_test(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(fetching_web.url)
    ready = page.evaluate("window.remi.ready")
    assert "error" not in ready, ready
    assert page.evaluate("window.remi.packages") == ["requests>=2.30"]
    wheels = {url.rsplit("/", 1)[-1].split("-")[0] for url in requested if url.endswith(".whl")}
    assert {"requests", "urllib3", "idna", "charset_normalizer", "certifi", "micropip"} <= wheels
    assert all(url.startswith(fetching_web.url) for url in requested), requested
    assert pypi == []


def test_a_tool_uses_requests_against_the_pages_server(page: Page, fetching_web: WebServer) -> None:
    page.goto(fetching_web.url)
    assert "error" not in page.evaluate("window.remi.ready")
    end = ask(page, 'call fetch_config with {"path": "/config.json"}')
    assert end is not None and end["type"] == "done", end
    assert tool_result(page, "fetch_config") == "200 agent_file.py"
    assert page.locator(".tool-card .result").inner_text() == "→ 200 agent_file.py"
    screenshot(page, "page-packages-requests")


def test_a_tool_uses_urllib_against_the_pages_server(page: Page, fetching_web: WebServer) -> None:
    page.goto(fetching_web.url)
    assert "error" not in page.evaluate("window.remi.ready")
    end = ask(page, 'call first_line with {"path": "/agent.py"}')
    assert end is not None and end["type"] == "done", end
    assert tool_result(page, "first_line") == "# /// script"


def test_a_package_not_in_the_dist_comes_from_pypi(page: Page, from_pypi_web: WebServer) -> None:
    pypi = pypi_in_the_test(page)
    page.goto(from_pypi_web.url)
    ready = page.evaluate("window.remi.ready")
    assert "error" not in ready, ready
    assert page.evaluate("window.remi.packages") == ["remi-web-pypi-probe"]
    assert pypi == [PROBE_INDEX, PROBE_WHEEL]
    end = ask(page, "call greeting with {}")
    assert end is not None and end["type"] == "done", end
    assert tool_result(page, "greeting") == "installed from PyPI"


def test_a_package_that_cannot_be_had_is_named_in_the_page(
    page: Page, missing_package_web: WebServer
) -> None:
    pypi = pypi_in_the_test(page)
    page.goto(missing_package_web.url)
    ready = page.evaluate("window.remi.ready")
    assert "agent.py declares packages that could not be installed" in ready["error"], ready
    assert "remi-web-no-such-package" in ready["error"]
    assert pypi == ["https://pypi.org/simple/remi-web-no-such-package/"]  # tried, found offline
    banner = page.locator("#banner")
    assert banner.is_visible()
    assert "remi-web-no-such-package" in banner.inner_text()
    assert page.locator("#status").inner_text() == "Python failed to start"
    screenshot(page, "page-packages-missing")
