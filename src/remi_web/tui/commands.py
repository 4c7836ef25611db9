"""Slash commands: what the prompt understands besides messages, and their help."""

from __future__ import annotations

from dataclasses import dataclass

COMMANDS: dict[str, str] = {
    "help": "this list",
    "new": "`/new [NAME]`: start a new thread",
    "threads": "`/threads` shows the threads (Enter opens, Delete deletes, n new); "
    "`/threads NAME` opens one; `/threads delete NAME` deletes one",
    "model": "`/model` shows the model; `/model NAME` uses NAME from the next run on",
    "clear": "clear the screen (the thread is kept)",
    "export": "`/export [FILE]`: write the thread as Markdown (default `<thread>.md`)",
    "quit": "leave (also Ctrl+C twice)",
}
"""Every slash command and what it does (Markdown)."""

KEYS = (
    "Enter sends · ↑/↓ walk the input history · Ctrl+C cancels the run, twice quits · "
    "Ctrl+T threads · in an approval: y approves, n denies, e edits the arguments"
)
"""The keys, in one line."""


@dataclass(frozen=True, slots=True)
class SlashCommand:
    """A parsed slash command: its name (without the slash) and the rest of the line."""

    name: str
    argument: str = ""


def parse_command(text: str) -> SlashCommand | None:
    """The slash command `text` is, or None for a message (`//x` sends `/x`)."""
    line = text.strip()
    if not line.startswith("/") or line.startswith("//"):
        return None
    name, _, argument = line[1:].partition(" ")
    return SlashCommand(name.lower(), argument.strip())


def help_markdown() -> str:
    """The commands and keys as Markdown."""
    rows = "\n".join(f"| `/{name}` | {what} |" for name, what in COMMANDS.items())
    return f"| command | what it does |\n|---|---|\n{rows}\n\n{KEYS}"
