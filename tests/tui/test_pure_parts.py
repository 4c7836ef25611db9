"""The parts of the TUI without a screen: slash commands, input history, Markdown export."""

from __future__ import annotations

from pathlib import Path

from remi_web.core.messages import Message, ToolCallRequest
from remi_web.tui.commands import COMMANDS, SlashCommand, help_markdown, parse_command
from remi_web.tui.export import export_path, thread_markdown
from remi_web.tui.history import InputHistory
from remi_web.tui.threads import is_conversation, new_thread_name


def test_slash_commands_are_parsed_and_listed() -> None:
    assert parse_command("/export notes.md") == SlashCommand("export", "notes.md")
    assert parse_command("  /QUIT ") == SlashCommand("quit")
    assert parse_command("hello /new") is None
    assert parse_command("//not a command") is None
    assert set(COMMANDS) == {"help", "new", "threads", "model", "clear", "export", "quit"}
    assert all(f"`/{name}`" in help_markdown() for name in COMMANDS)


def test_history_walks_back_and_forth_and_keeps_the_draft() -> None:
    history = InputHistory()
    for text in ("first", "second", "second", "third"):
        history.add(text)
    assert history.entries == ["first", "second", "third"]
    assert history.previous("draft") == "third"
    assert history.previous("third") == "second"
    assert history.previous("second") == "first"
    assert history.previous("first") is None
    assert history.next() == "second"
    assert history.next() == "third"
    assert history.next() == "draft"
    assert history.next() is None


def test_history_keeps_at_most_its_limit() -> None:
    history = InputHistory(limit=2)
    for text in ("a", "b", "c"):
        history.add(text)
    assert history.entries == ["b", "c"]


def test_a_thread_exports_as_markdown() -> None:
    messages = [
        Message.system("be brief"),
        Message.user("what is 2+3*4"),
        Message.assistant("", [ToolCallRequest("c1", "calculator", '{"expression":"2+3*4"}')]),
        Message.tool("c1", "14"),
        Message.assistant("2+3*4 = 14."),
    ]
    text = thread_markdown("main", messages)
    assert text.startswith("# main\n")
    assert "be brief" not in text
    assert "## You\n\nwhat is 2+3*4" in text
    assert '**Tool** `calculator` `{"expression": "2+3*4"}`' in text
    assert "```\n14\n```" in text
    assert text.rstrip().endswith("2+3*4 = 14.")


def test_export_paths_and_thread_names() -> None:
    assert export_path("my thread/1") == Path("my-thread-1.md")
    assert export_path("x", "out/t.md") == Path("out/t.md")
    assert new_thread_name().startswith("chat-")
    taken = {new_thread_name()}
    assert new_thread_name(taken) not in taken
    assert is_conversation("main")
    assert not is_conversation("5640b46d-a011-41b9-8396-b53fff4b9ded.call_abc")
