"""Skills: reusable instructions the agent saves and loads, as Agent Skills folders.

A skill is the folder `<root>/<name>/SKILL.md` on any `FileSystem` (a `VirtualFS` in the
page, a jailed `HostFS` natively): YAML frontmatter between `---` lines holding `name` and
`description`, then the Markdown body. The system prompt lists every skill's name and
description (`skills_prompt`); the model loads a skill's body with `get_skill` when a task
calls for it, and writes new ones with `save_skill`. Each save and delete is shown live as a
`custom` event named "skill". Pure Python with no YAML dependency: runs in Pyodide.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from typing import Final

from ..core.errors import ToolInputError
from ..core.events import Custom
from ..core.function_tool import tool
from ..core.tool import Tool, ToolCtx
from ..tools.errors import FileError, PathError
from ..tools.filesystem import FileSystem
from ..tools.paths import normalize_path

SKILL_EVENT: Final = "skill"
"""The `Custom.name` of skill changes; `data` is `{"action": "saved"|"deleted", "name", "path"}`."""

SKILL_FILE: Final = "SKILL.md"
"""The file that holds a skill, inside its folder."""

MAX_NAME_CHARS: Final = 64
"""The longest skill name (the Agent Skills limit)."""

MAX_DESCRIPTION_CHARS: Final = 1024
"""The longest description `save` accepts (the Agent Skills limit)."""

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]+(.*))?")
_FENCE: Final = "---"
_NOT_PLAIN: Final = frozenset("-?:,[]{}#&*!|>'\"%@`")
_YAML_WORDS: Final = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})
_ESCAPES: Final = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_DIGITS: Final = {"x": 2, "u": 4, "U": 8}


@dataclass(frozen=True, slots=True)
class Skill:
    """One skill.

    Args:
        name: its name, which is also its folder's name.
        description: what it does and when to use it, on one line.
        body: its Markdown instructions (without the frontmatter).
    """

    name: str
    description: str
    body: str


def check_name(name: str) -> str:
    """`name` if it is a valid skill name, else a `ValueError` saying what is allowed."""
    if not isinstance(name, str) or len(name) > MAX_NAME_CHARS or not _NAME.fullmatch(name):
        shown = repr(name) if len(repr(name)) <= 80 else repr(name)[:70] + "...'"
        raise ValueError(
            f"{shown} is not a valid skill name: use 1 to {MAX_NAME_CHARS} lowercase letters "
            "(a-z), digits and hyphens, neither starting nor ending with a hyphen and with no "
            "'--', e.g. 'weekly-report'."
        )
    return name


class SkillStore:
    """Skills kept as `<root>/<name>/SKILL.md` on a `FileSystem`.

    Args:
        fs: where the skills live (a `VirtualFS`, a `HostFS`...).
        root: the folder holding one folder per skill.
    """

    def __init__(self, fs: FileSystem, root: str = "/skills") -> None:
        self.fs = fs
        self.root = normalize_path(root)

    def folder(self, name: str) -> str:
        """The folder of skill `name` (raises `ValueError` for an invalid name)."""
        return f"{self.root.rstrip('/')}/{check_name(name)}"

    def path(self, name: str) -> str:
        """The `SKILL.md` path of skill `name` (raises `ValueError` for an invalid name)."""
        return f"{self.folder(name)}/{SKILL_FILE}"

    def save(self, name: str, description: str, body: str) -> str:
        """Write skill `name` (replacing it if it exists); the path of its `SKILL.md`.

        Frontmatter at the start of `body` is dropped: this one is written instead.
        Whitespace in `description` is collapsed to single spaces.
        Raises `ValueError` for an invalid name or an empty or too long description.
        """
        path = self.path(name)
        line = " ".join(description.split())
        if not line:
            raise ValueError(
                "The description is empty: say what the skill does and when to use it."
            )
        if len(line) > MAX_DESCRIPTION_CHARS:
            raise ValueError(
                f"The description is {len(line)} characters long; the limit is "
                f"{MAX_DESCRIPTION_CHARS}. Keep it to what the skill does and when to use it."
            )
        text = skill_file(Skill(name, line, _body(_strip_frontmatter(body))))
        self.fs.write_bytes(path, text.encode())
        return path

    def get(self, name: str) -> Skill | None:
        """Skill `name`, or None if it is missing or its `SKILL.md` cannot be read."""
        try:
            data = self.fs.read_bytes(self.path(name))
            return parse_skill(data.decode("utf-8"), name)
        except (FileError, PathError, UnicodeDecodeError):
            return None

    def list(self) -> builtins.list[Skill]:
        """Every readable skill, sorted by name; broken folders are skipped."""
        try:
            entries = self.fs.list_dir(self.root)
        except (FileError, PathError):
            return []
        found = (
            self.get(entry.name)
            for entry in entries
            if entry.kind == "directory" and _NAME.fullmatch(entry.name)
        )
        return sorted((skill for skill in found if skill is not None), key=lambda s: s.name)

    def delete(self, name: str) -> bool:
        """Remove skill `name`'s whole folder; False if there was none."""
        folder = self.folder(name)
        try:
            if self.fs.stat(folder).kind != "directory":
                return False
        except (FileError, PathError):
            return False
        self.fs.remove(folder, recursive=True)
        return True


def skill_file(skill: Skill) -> str:
    """The text of `SKILL.md` for `skill`."""
    head = f"{_FENCE}\nname: {_yaml_string(skill.name)}\n"
    head += f"description: {_yaml_string(skill.description)}\n{_FENCE}\n"
    return f"{head}\n{skill.body}\n" if skill.body else head


def parse_skill(text: str, name: str) -> Skill | None:
    """The skill in `text` (a `SKILL.md`) of folder `name`; None without valid frontmatter
    naming `name` and giving a description."""
    split = _split(text.removeprefix("\ufeff").replace("\r\n", "\n"))
    if split is None:
        return None
    fields = _fields(split[0])
    if fields is None or fields.get("name") != name:
        return None
    description = " ".join(fields.get("description", "").split())
    return Skill(name, description, _body(split[1])) if description else None


def skills_prompt(store: SkillStore) -> str:
    """The system prompt's section listing every skill; "" when there are none."""
    skills = store.list()
    if not skills:
        return ""
    lines = [f"- **{skill.name}**: {skill.description}" for skill in skills]
    return (
        "## Skills\n\n"
        "Skills are saved instructions for particular tasks. Before a task that matches "
        "one, load it with `get_skill` and follow it.\n\n" + "\n".join(lines)
    )


def skill_tools(store: SkillStore) -> list[Tool]:
    """The `save_skill`, `get_skill`, `list_skills` and `delete_skill` tools over `store`."""

    @tool(idempotent=True)
    def save_skill(name: str, description: str, content: str, ctx: ToolCtx) -> str:
        """Save instructions worth reusing as a skill, so that later tasks and conversations
        can load them with get_skill; saving under an existing name replaces that skill.
        Write the content as clear Markdown steps that someone without this conversation
        could follow; do not start it with a `---` header, one is written for you.

        Args:
            name: 1-64 lowercase letters, digits and hyphens, e.g. "weekly-report".
            description: one line saying what the skill does and when to use it.
            content: the instructions, in Markdown.
        """
        try:
            path = store.save(name, description, content)
        except ValueError as exc:
            raise ToolInputError(str(exc)) from None
        ctx.emit(Custom(SKILL_EVENT, {"action": "saved", "name": name, "path": path}))
        return f"Skill '{name}' saved to {path}"

    @tool(idempotent=True)
    def get_skill(name: str) -> str:
        """Load a skill's full instructions by name. Do it before a task one of your skills
        covers, then follow them; files they mention are in the skill's folder.

        Args:
            name: the skill's name, as listed.
        """
        skill = _found(store, name)
        if skill is None:
            names = ", ".join(s.name for s in store.list()) or "none"
            return f"Skill '{name}' not found. Saved skills: {names}."
        return f"Skill '{name}' ({store.path(name)}): {skill.description}\n\n{skill.body}"

    @tool(idempotent=True)
    def list_skills() -> str:
        """List the saved skills, each with what it does and when to use it."""
        skills = store.list()
        if not skills:
            return "No skills saved yet."
        return "\n".join(f"- {skill.name}: {skill.description}" for skill in skills)

    @tool(idempotent=True)
    def delete_skill(name: str, ctx: ToolCtx) -> str:
        """Delete a skill, with its whole folder, by name.

        Args:
            name: the skill's name, as listed.
        """
        try:
            path, deleted = store.path(name), store.delete(name)
        except ValueError as exc:
            raise ToolInputError(str(exc)) from None
        if not deleted:
            return f"Skill '{name}' not found."
        ctx.emit(Custom(SKILL_EVENT, {"action": "deleted", "name": name, "path": path}))
        return f"Skill '{name}' deleted."

    return [save_skill, get_skill, list_skills, delete_skill]


def _found(store: SkillStore, name: str) -> Skill | None:
    try:
        return store.get(name)
    except ValueError as exc:
        raise ToolInputError(str(exc)) from None


def _body(text: str) -> str:
    """`text` without its leading blank lines and trailing whitespace."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", text).rstrip()


def _split(text: str) -> tuple[list[str], str] | None:
    """The frontmatter lines and the rest of `text`, when it starts with a `---` fence."""
    lines = text.split("\n")
    if lines[0].rstrip() != _FENCE:
        return None
    for end in range(1, len(lines)):
        if lines[end].rstrip() == _FENCE:
            return lines[1:end], "\n".join(lines[end + 1 :])
    return None


def _strip_frontmatter(body: str) -> str:
    """`body` without the frontmatter the model may have put at its start: a `---` block
    that reads as YAML giving a name or a description (a Markdown rule is left alone)."""
    text = body.removeprefix("\ufeff").replace("\r\n", "\n")
    split = _split(text.lstrip())
    fields = _fields(split[0]) if split is not None else None
    return split[1] if split is not None and fields else text


def _fields(lines: list[str]) -> dict[str, str] | None:
    """`name` and `description` from frontmatter lines (other keys are skipped); None when
    the lines are not a simple YAML mapping or one of the two values cannot be read."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY.fullmatch(line.rstrip())
        if match is None:
            return None
        start = i  # a value goes on over the indented, blank and "- item" lines after its key
        while i < len(lines) and (not lines[i].strip() or lines[i][0] in " \t-"):
            i += 1
        key = match.group(1)
        if key not in ("name", "description"):
            continue
        value = _scalar((match.group(2) or "").strip(), lines[start:i])
        if value is None or key in fields:
            return None
        fields[key] = value
    return fields


def _scalar(first: str, more: list[str]) -> str | None:
    """A YAML scalar written as `first` after its key and `more` lines; its words are kept,
    not its line breaks (a name is one word, a description one line)."""
    rest = [line.strip() for line in more if line.strip()]
    if first[:1] in ("|", ">"):
        header = re.sub(r"[ \t]+#.*", "", first)
        ok = re.fullmatch(r"[|>](?:[+-]?[1-9]?|[1-9][+-])", header) and all(
            line[0] in " \t" for line in more if line.strip()
        )
        return " ".join(rest) if ok else None
    if first[:1] in ('"', "'"):
        return _quoted(" ".join([first, *rest]))
    lines = [first, *rest] if first else rest
    if not lines:
        return ""
    if lines[0][0] in _NOT_PLAIN or any(line[0] == "-" or _KEY.fullmatch(line) for line in rest):
        return None
    words = [re.sub(r"(?:^|[ \t]+)#.*", "", line) for line in lines]
    return " ".join(word for word in words if word)


def _quoted(text: str) -> str | None:
    """The value of the single- or double-quoted YAML string starting `text`; None if it is
    not closed or is followed by anything but a comment."""
    quote, i = text[0], 1
    out: list[str] = []
    while i < len(text):
        char = text[i]
        if char == quote and quote == "'" and text[i + 1 : i + 2] == "'":
            out.append("'")
            i += 2
        elif char == quote:
            tail = text[i + 1 :].strip()
            return "".join(out) if not tail or tail.startswith("#") else None
        elif char == "\\" and quote == '"':
            escaped = _escape(text, i + 1)
            if escaped is None:
                return None
            out.append(escaped[0])
            i = escaped[1]
        else:
            out.append(char)
            i += 1
    return None


def _escape(text: str, i: int) -> tuple[str, int] | None:
    """The character of the escape at `text[i:]` (after a backslash) and where it ends."""
    code = text[i : i + 1]
    if code in _ESCAPES:
        return _ESCAPES[code], i + 1
    digits = _HEX_DIGITS.get(code, 0)
    hex_text = text[i + 1 : i + 1 + digits]
    if digits and len(hex_text) == digits and re.fullmatch(r"[0-9A-Fa-f]+", hex_text):
        point = int(hex_text, 16)
        return (chr(point), i + 1 + digits) if point <= 0x10FFFF else None
    return None


def _yaml_string(value: str) -> str:
    """`value` as a one-line YAML string: plain when a YAML reader would read it back as the
    same string, else double-quoted with escapes."""
    plain = (
        value[:1].isalpha()
        and value[0] not in _NOT_PLAIN
        and value.isprintable()
        and value == value.strip()
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and value.lower() not in _YAML_WORDS
    )
    if plain:
        return value
    out: list[str] = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'
