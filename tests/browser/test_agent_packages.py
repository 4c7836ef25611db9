"""The packages an agent file declares (a PEP 723 `# /// script` block), read without running it,
and what the worker says when one cannot be installed."""

from __future__ import annotations

import importlib
import sys

import pytest

from remi_web import ConfigurationError
from remi_web.browser import declared_packages, install_declared_packages

DECLARING = '''# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "requests>=2.30",
#   "humanize",
# ]
# ///
from remi_web import AgentBuilder

agent = AgentBuilder()
'''


@pytest.mark.pyodide
def test_an_agent_file_declares_its_packages_in_a_script_block() -> None:
    assert declared_packages(DECLARING) == ["requests>=2.30", "humanize"]


@pytest.mark.pyodide
@pytest.mark.parametrize(
    "source",
    [
        "from remi_web import AgentBuilder\nagent = AgentBuilder()\n",
        "# /// script\n# requires-python = '>=3.11'\n# ///\n",
        "# /// pyproject\n# dependencies = ['x']\n# ///\n",
        "packages = ['requests']\n",
    ],
)
def test_a_file_without_dependencies_declares_none(source: str) -> None:
    assert declared_packages(source) == []


@pytest.mark.pyodide
def test_the_file_is_not_run_to_read_them() -> None:
    source = "# /// script\n# dependencies = ['requests']\n# ///\nraise SystemExit('ran')\n"
    assert declared_packages(source) == ["requests"]


@pytest.mark.pyodide
@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("# /// script\n# dependencies = [\n# ///\n", "mine.py: its `# /// script` block is not TOML"),
        ("# /// script\n# dependencies = 'requests'\n# ///\n", "must be a list of requirement strings"),
        ("# /// script\n# dependencies = [1]\n# ///\n", "found [1]"),
        (
            "# /// script\n# dependencies = []\n# ///\n\n# /// script\n# dependencies = []\n# ///\n",
            "mine.py has 2 `# /// script` blocks",
        ),
    ],
)
def test_a_malformed_block_is_a_configuration_error(source: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        declared_packages(source, "mine.py")
    assert says in str(raised.value)


@pytest.mark.pyodide
async def test_the_declared_packages_are_installed_together() -> None:
    installed: list[list[str]] = []

    async def install(requirements: list[str]) -> None:
        installed.append(requirements)

    assert await install_declared_packages(DECLARING, install=install) == ["requests>=2.30", "humanize"]
    assert installed == [["requests>=2.30", "humanize"]]


@pytest.mark.pyodide
async def test_nothing_is_installed_when_nothing_is_declared() -> None:
    async def install(requirements: list[str]) -> None:
        raise AssertionError("nothing to install")

    assert await install_declared_packages("agent = None\n", install=install) == []


@pytest.mark.pyodide
async def test_a_package_that_cannot_be_had_is_named_in_one_line() -> None:
    async def install(requirements: list[str]) -> None:
        raise ValueError(
            "Can't find a pure Python 3 wheel for: 'no-such-package'\n"
            "See: https://pyodide.org/en/stable/usage/faq.html"
        )

    source = "# /// script\n# dependencies = ['no-such-package']\n# ///\n"
    with pytest.raises(ConfigurationError) as raised:
        await install_declared_packages(source, "mine.py", install=install)
    message = str(raised.value)
    assert message.startswith(
        "mine.py declares packages that could not be installed: "
        "Can't find a pure Python 3 wheel for: 'no-such-package' (offline only the wheels"
    )
    assert "\n" not in message


@pytest.mark.pyodide
@pytest.mark.skipif(sys.platform != "emscripten", reason="micropip installs only under Pyodide")
async def test_micropip_installs_a_declared_package_from_the_lock() -> None:
    source = "# /// script\n# dependencies = ['idna>=3']\n# ///\n"
    assert await install_declared_packages(source) == ["idna>=3"]
    assert importlib.import_module("idna").encode("bücher.example") == b"xn--bcher-kva.example"
