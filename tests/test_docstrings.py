"""The docstring parser reads summaries and argument docs in Google, NumPy and Sphinx styles."""

from __future__ import annotations

import pytest

from remi_web.core.docstrings import parse_docstring

pytestmark = pytest.mark.pyodide


def test_google_style() -> None:
    doc = """Search the web
    for pages.

    Longer explanation that is not the summary.

    Args:
        query (str): what to look for.
        limit: how many results to
            return at most.
        *tags: extra tags.

    Returns:
        limit: not an argument, must be ignored.
    """
    parsed = parse_docstring(doc)
    assert parsed.summary == "Search the web for pages."
    assert parsed.params == {
        "query": "what to look for.",
        "limit": "how many results to return at most.",
        "tags": "extra tags.",
    }


def test_google_description_on_next_line() -> None:
    parsed = parse_docstring(
        """Do it.

        Arguments:
            path:
                where to write.
        """
    )
    assert parsed.params == {"path": "where to write."}


def test_numpy_style() -> None:
    doc = """Add two numbers.

    Parameters
    ----------
    a : int
        The first
        number.
    b, c : float, optional
        The others.

    Returns
    -------
    int
        The sum.
    """
    parsed = parse_docstring(doc)
    assert parsed.summary == "Add two numbers."
    assert parsed.params == {
        "a": "The first number.",
        "b": "The others.",
        "c": "The others.",
    }


def test_sphinx_style() -> None:
    doc = """Move a file.

    :param src: the file to move,
        relative to the root.
    :param list[str] flags: see note: flags are optional.
    :type src: str
    :param dst: where to.
    :returns: nothing.
    """
    parsed = parse_docstring(doc)
    assert parsed.summary == "Move a file."
    assert parsed.params == {
        "src": "the file to move, relative to the root.",
        "flags": "see note: flags are optional.",
        "dst": "where to.",
    }


def test_summary_stops_at_a_section_without_blank_line() -> None:
    assert parse_docstring("Run it.\n:param x: the x").summary == "Run it."
    assert parse_docstring("Run it.\nArgs:\n    x: the x").params == {"x": "the x"}
    assert parse_docstring("Run it.\nArgs:\n    x: the x").summary == "Run it."


def test_empty_and_plain_docstrings() -> None:
    assert parse_docstring(None).summary == ""
    assert parse_docstring("").params == {}
    plain = parse_docstring("Just a line.")
    assert (plain.summary, plain.params) == ("Just a line.", {})
    assert parse_docstring("Args:\n    x: the x").summary == ""


def test_the_whole_description_is_kept_paragraph_by_paragraph() -> None:
    parsed = parse_docstring(
        """Write the plan.

        Use it for any task of three steps
        or more.

        Always send the full list.

        Args:
            todos: every step.
        """
    )
    assert parsed.summary == "Write the plan."
    assert parsed.description == (
        "Write the plan.\n\nUse it for any task of three steps or more.\n\nAlways send the full list."
    )
    assert parsed.params == {"todos": "every step."}


def test_a_tool_is_described_by_its_whole_docstring() -> None:
    from remi_web import tool

    @tool
    def lookup(q: str) -> str:
        """Look something up.

        Prefer it to guessing.

        Args:
            q: the question.
        """
        return q

    definition = lookup.definition()
    assert definition.description == "Look something up.\n\nPrefer it to guessing."
    assert definition.parameters["properties"]["q"]["description"] == "the question."  # type: ignore[index]
