"""`remi tui`: its options, the message without Textual, the mock's pace."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from remi_web.cli.main import main
from remi_web.cli.tui import NEEDS_TEXTUAL


def test_without_textual_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "textual" else found(name, *a)
    )
    assert main(["tui", "--db", str(tmp_path / "chat.db")]) == 2
    assert "pip install 'remi-web[tui]'" in capsys.readouterr().err
    assert "remi-web[tui]" in NEEDS_TEXTUAL
    assert not (tmp_path / "chat.db").exists()  # nothing opened


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["tui", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for option in ("MODULE:ATTRIBUTE", "--url", "--token", "--db", "--thread", "--model"):
        assert option in out


def test_a_bad_agent_reference_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["tui", "no_such_module_here:agent", "--db", str(tmp_path / "chat.db")]) == 2
    assert capsys.readouterr().err.startswith("remi tui: ")
