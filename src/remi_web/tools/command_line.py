"""Reading a command line the way a POSIX shell splits it: words, quotes and operators.

Two uses. Without a shell, `parse_argv` turns the text into the argument vector that is
run as is, and refuses anything only a shell would understand (pipes, redirections,
`$VAR`, wildcards). With a shell, `shell_programs` finds the program each simple command
of the text starts, so an allow or deny list can be checked; it is a best effort over a
subset of the shell language and refuses what it cannot follow (command substitution,
here-documents, `for`/`case` blocks). It is not a shell parser: see docs/tools.md for
what a program list does and does not stop. Pure Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import CommandRefused

_OPERATORS = (
    "&>>", "<<<", "<<-", "&&", "||", ";;", "|&", "&>", ">>", "<<", "<>", ">&", "<&", ">|",
    "|", "&", ";", "<", ">", "(", ")", "\n",
)
_REDIRECTIONS = frozenset({"&>>", "<<<", "<<-", "&>", ">>", "<<", "<>", ">&", "<&", ">|", "<", ">"})
_SKIPPED_WORDS = frozenset(
    {"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time"}
)
_UNFOLLOWED_WORDS = frozenset(
    {"for", "case", "select", "function", "coproc", "[[", "((", "esac", "in"}
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_GLOB_CHARS = frozenset("*?[")
_AFTER_DOLLAR = frozenset("_{(@*#?$!-'\"")
_BRACES = re.compile(r"\{[^{}]*(,|\.\.)[^{}]*\}")
_SAFE_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})


@dataclass(slots=True)
class Token:
    """A word (quotes removed) or an operator of a command line.

    Args:
        text: the word's value, or the operator.
        operator: whether this is an operator (`|`, `>`, `;`...).
        substitutes: the word runs a command (`$(...)`, backquotes, `<(...)`).
        expands: the word holds an unquoted `$`, wildcard or leading `~` a shell would expand.
    """

    text: str
    operator: bool = False
    substitutes: bool = False
    expands: bool = False


@dataclass(slots=True)
class SimpleCommand:
    """One simple command of a shell line: its program, words and redirection targets."""

    program: Token | None = None
    words: list[Token] = field(default_factory=list)
    targets: list[Token] = field(default_factory=list)


def tokenize(text: str) -> list[Token]:
    """Split `text` into words and operators, removing quotes as a POSIX shell does.

    Raises:
        CommandRefused: for an unclosed quote.
    """
    tokens: list[Token] = []
    word: list[str] = []
    bare: list[str] = []  # the word's unquoted characters, to spot brace expansion
    started = substitutes = expands = False
    i, n = 0, len(text)

    def flush() -> None:
        nonlocal started, substitutes, expands
        if started:
            braces = _BRACES.search("".join(bare)) is not None
            tokens.append(Token("".join(word), False, substitutes, expands or braces))
        word.clear()
        bare.clear()
        started = substitutes = expands = False

    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                i += 2  # a line continuation
                continue
            word.append(text[i + 1] if i + 1 < n else "\\")
            started, i = True, i + 2
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise CommandRefused("The command has an unclosed single quote (').")
            word.append(text[i + 1 : end])
            started, i = True, end + 1
        elif c == '"':
            i, inner, runs, dollar = _double_quoted(text, i + 1)
            word.append(inner)
            started, substitutes, expands = True, substitutes or runs, expands or dollar
        elif c in " \t":
            flush()
            i += 1
        elif c == "#" and not started:
            while i < n and text[i] != "\n":
                i += 1
        elif (c in "<>$" and text.startswith("(", i + 1)) or c == "`" or text.startswith("${", i):
            end = _substitution_end(text, i)
            word.append(text[i:end])
            bare.append(text[i:end])
            started, i = True, end
            if c == "$" and text[i - 1] == "}":
                expands = True  # ${...}
            else:
                substitutes = True  # $(...), $((...)), `...`, <(...), >(...)
        elif (op := _operator(text, i)) is not None:
            if op in _REDIRECTIONS and started and not expands and "".join(word).isdigit():
                word.clear()  # a file descriptor number ("2>"): part of the redirection
                started = False
            flush()
            tokens.append(Token(op, operator=True))
            i += len(op)
        else:
            if _expansion(text, i) or c in _GLOB_CHARS or (c == "~" and not started):
                expands = True
            word.append(c)
            bare.append(c)
            started, i = True, i + 1
    flush()
    return tokens


def parse_argv(text: str) -> list[str]:
    """The argument vector of `text`, run without a shell.

    Raises:
        CommandRefused: when the text is empty or needs a shell: operators (`|`, `>`,
            `;`, `&&`...), `$` expansions, command substitution or unquoted wildcards.
    """
    tokens = tokenize(text)
    if not tokens:
        raise CommandRefused("The command is empty.")
    if _ASSIGNMENT.match(tokens[0].text):
        raise CommandRefused(
            f"{tokens[0].text!r} sets a variable, which needs a shell; this tool runs one "
            "program without a shell. Start the command with the program's name."
        )
    for token in tokens:
        if token.operator:
            shown = "a line break" if token.text == "\n" else repr(token.text)
            raise CommandRefused(
                f"The command uses {shown}, which needs a shell, and this tool runs one program "
                "without a shell: no pipes, redirections, ';', '&&' or background jobs. Run one "
                "program per call, and use the program's own options instead (e.g. an output "
                "file option)."
            )
        if token.substitutes or token.expands:
            raise CommandRefused(
                f"The word {token.text!r} would be expanded by a shell ($VAR, $(...), `...`, "
                "*, ?, [...] or ~), but this tool runs the program without a shell, so nothing "
                "is expanded. Quote the word to pass it literally, or write the value out."
            )
    return [token.text for token in tokens]


def shell_commands(text: str) -> list[SimpleCommand]:
    """The simple commands of the shell line `text`, with the program each one runs.

    Raises:
        CommandRefused: for what this reader cannot follow: command substitution,
            here-documents, `for`/`case`/`select`/function blocks, or a program name
            that a shell would expand.
    """
    commands: list[SimpleCommand] = [SimpleCommand()]
    tokens = tokenize(text)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        current = commands[-1]
        if token.substitutes:
            raise CommandRefused(
                f"The command substitution in {token.text!r} cannot be checked against the "
                "program list; run the inner command on its own first."
            )
        if token.operator and token.text in ("<<", "<<-"):
            raise CommandRefused("Here-documents (<<) cannot be checked against the program list.")
        if token.operator and token.text in _REDIRECTIONS:
            if i + 1 < len(tokens) and not tokens[i + 1].operator:
                current.targets.append(tokens[i + 1])
                i += 1
        elif token.operator:
            commands.append(SimpleCommand())
        elif current.program is None and _ASSIGNMENT.match(token.text):
            pass  # VAR=value before the program
        elif current.program is None and token.text in _SKIPPED_WORDS:
            pass
        elif current.program is None and token.text in _UNFOLLOWED_WORDS:
            raise CommandRefused(
                f"'{token.text}' blocks cannot be checked against the program list; "
                "use simple commands joined with ';', '&&', '||' or '|'."
            )
        elif current.program is None:
            if token.expands:
                raise CommandRefused(
                    f"The program name {token.text!r} would be expanded by the shell; "
                    "write the program's name out."
                )
            current.program = token
        else:
            current.words.append(token)
        i += 1
    return [command for command in commands if command.program is not None or command.targets]


def inside_target(target: Token) -> bool:
    """Whether a redirection target stays lexically inside the working directory."""
    if target.expands or target.substitutes:
        return False
    if target.text in _SAFE_TARGETS or target.text.startswith("&") or target.text.isdigit():
        return True  # /dev/null, or a descriptor (2>&1)
    if target.text.startswith("/"):
        return False
    return ".." not in target.text.replace("\\", "/").split("/")


def _operator(text: str, i: int) -> str | None:
    for op in _OPERATORS:
        if text.startswith(op, i):
            return op
    return None


def _substitution_end(text: str, i: int) -> int:
    """Where the `$(...)`, `${...}`, backquoted or `<(...)` part starting at `text[i]` ends
    (just after its closing character); quotes inside are skipped over.

    Raises:
        CommandRefused: when it is not closed.
    """
    if text[i] == "`":
        j = i + 1
        while j < len(text) and text[j] != "`":
            j += 2 if text[j] == "\\" else 1
        if j >= len(text):
            raise CommandRefused("The command has an unclosed backquote (`).")
        return j + 1
    opening = text[i + 1]
    closing = ")" if opening == "(" else "}"
    depth, j = 0, i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "'":
            j = text.find("'", j + 1)
            if j < 0:
                break
        elif c == '"':
            j = _double_quoted(text, j + 1)[0] - 1
        elif c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise CommandRefused(f"The command has an unclosed '{text[i:i + 2]}'.")


def _expansion(text: str, i: int) -> bool:
    """Whether a shell would expand the `$` at `text[i]` (`$x`, `${x}`, `$(..)`, `$1`, `$'..'`)."""
    if text[i] != "$" or i + 1 >= len(text):
        return False
    return text[i + 1] in _AFTER_DOLLAR or text[i + 1].isalnum()


def _double_quoted(text: str, i: int) -> tuple[int, str, bool, bool]:
    """Read a double-quoted string starting after its quote: where it ends, its value,
    whether it substitutes a command, and whether it expands a `$` parameter."""
    out: list[str] = []
    runs = dollar = False
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return i + 1, "".join(out), runs, dollar
        if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        if c == "`" or text.startswith("$(", i):
            runs = True
        if _expansion(text, i) and text[i + 1] not in "'\"":
            dollar = True
        out.append(c)
        i += 1
    raise CommandRefused('The command has an unclosed double quote (").')
