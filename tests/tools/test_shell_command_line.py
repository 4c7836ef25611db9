"""Reading command lines: words and quotes as a POSIX shell splits them, operators, and what
a shell would expand or run."""

from __future__ import annotations

import shlex

import pytest

from remi_web.tools import CommandRefused
from remi_web.tools.command_line import Token, inside_target, parse_argv, shell_commands, tokenize


@pytest.mark.parametrize(
    ("text", "argv"),
    [
        ("git status --short", ["git", "status", "--short"]),
        ("echo 'a  b' \"c d\" e\\ f", ["echo", "a  b", "c d", "e f"]),
        ("echo '' \"\"", ["echo", "", ""]),
        ("grep -n 'a|b' file", ["grep", "-n", "a|b", "file"]),
        ("echo \"it's\" 'say \"hi\"'", ["echo", "it's", 'say "hi"']),
        ("echo \"a\\\"b\\\\c\\$d\"", ["echo", 'a"b\\c$d']),
        ("echo \"a\\nb\"", ["echo", "a\\nb"]),  # \n is not an escape inside double quotes
        ("echo a$", ["echo", "a$"]),  # a lone $ is literal
        ("echo \"price: 5$\"", ["echo", "price: 5$"]),
        ("echo one \\\n two", ["echo", "one", "two"]),  # a line continuation
        ("echo a # a comment", ["echo", "a"]),
        ("echo a#b", ["echo", "a#b"]),
        ("git show HEAD@{1}", ["git", "show", "HEAD@{1}"]),
        ("awk '{print $1}' f", ["awk", "{print $1}", "f"]),
        ("echo '*' \"?\" '[x]' '~'", ["echo", "*", "?", "[x]", "~"]),
    ],
)
def test_words_and_quotes_split_as_a_shell_would(text: str, argv: list[str]) -> None:
    assert parse_argv(text) == argv


@pytest.mark.parametrize(
    "text",
    ["git status", "echo 'a b' \"c d\"", "printf '%s\\n' x", "a\\ b 'c'\"d\""],
)
def test_plain_lines_agree_with_shlex(text: str) -> None:
    assert parse_argv(text) == shlex.split(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ls | wc", "'|'"), ("ls > f", "'>'"), ("ls >> f", "'>>'"), ("ls 2>/dev/null", "'>'"),
        ("cat < f", "'<'"), ("a; b", "';'"), ("a && b", "'&&'"), ("a || b", "'||'"), ("a &", "'&'"),
        ("(a)", "'('"), ("a\nb", "a line break"), ("ls &> f", "'&>'"),
        ("echo $HOME", "expanded"), ("echo ${HOME}", "expanded"), ("echo $1", "expanded"),
        ("echo \"$HOME\"", "expanded"), ("echo $(id)", "expanded"), ("echo `id`", "expanded"),
        ("echo \"$(id)\"", "expanded"), ("cat <(id)", "expanded"), ("echo *.py", "expanded"),
        ("echo a?", "expanded"), ("echo [ab]", "expanded"), ("cat ~/.netrc", "expanded"),
        ("echo {a,b}", "expanded"), ("echo {1..3}", "expanded"), ("echo $'\\x41'", "expanded"),
        ("X=1 env", "sets a variable"), ("   ", "empty"),
        ("echo 'open", "unclosed single quote"), ("echo \"open", "unclosed double quote"),
        ("echo `open", "unclosed backquote"), ("echo $(open", "unclosed '$('"),
    ],
)
def test_what_needs_a_shell_is_refused_without_one(text: str, message: str) -> None:
    with pytest.raises(CommandRefused, match=message.replace("(", r"\(").replace("$", r"\$")):
        parse_argv(text)


def test_operators_and_file_descriptor_numbers() -> None:
    tokens = tokenize("cmd 2>&1 >>log <in|next&&x||y;z&")
    assert [(t.text, t.operator) for t in tokens] == [
        ("cmd", False), (">&", True), ("1", False), (">>", True), ("log", False), ("<", True),
        ("in", False), ("|", True), ("next", False), ("&&", True), ("x", False), ("||", True),
        ("y", False), (";", True), ("z", False), ("&", True),
    ]
    assert tokenize("echo 2 > f")[1] == Token("2")  # "2 >" is a word, then a redirection


def test_substitutions_are_single_words_that_run_commands() -> None:
    for text, word in [
        ("echo $(rm -rf x; ls) y", "$(rm -rf x; ls)"),
        ("echo $((1 + (2 * 3)))", "$((1 + (2 * 3)))"),
        ("echo `rm -rf x`", "`rm -rf x`"),
        ("echo pre$(a ')' b)post", "pre$(a ')' b)post"),
        ("cat <(ls -l)", "<(ls -l)"),
    ]:
        token = tokenize(text)[1]
        assert (token.text, token.substitutes) == (word, True), text
    braces = tokenize("echo ${A:-a b}c")[1]
    assert (braces.text, braces.expands, braces.substitutes) == ("${A:-a b}c", True, False)


def test_shell_commands_name_the_program_of_each_simple_command() -> None:
    text = "FOO=1 ls -l | grep x && ! true || { cat f; } ; if a; then b 2>/dev/null; fi; time c & (d)"
    commands = shell_commands(text)
    assert [c.program.text if c.program else None for c in commands] == [
        "ls", "grep", "true", "cat", "a", "b", "c", "d",
    ]
    assert [t.text for t in commands[5].targets] == ["/dev/null"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("echo $(rm x)", "command substitution"),
        ("echo \"`rm x`\"", "command substitution"),
        ("for f in a; do rm $f; done", "'for' blocks"),
        ("case x in a) rm;; esac", "'case' blocks"),
        ("function f { rm x; }", "'function' blocks"),
        ("cat <<EOF\nrm x\nEOF", "Here-documents"),
        ("$PROGRAM arg", "would be expanded"),
        ("*.sh", "would be expanded"),
    ],
)
def test_shell_lines_that_cannot_be_followed_are_refused(text: str, message: str) -> None:
    with pytest.raises(CommandRefused, match=message):
        shell_commands(text)


@pytest.mark.parametrize(
    ("target", "inside"),
    [
        ("out.txt", True), ("logs/out.txt", True), ("/dev/null", True), ("1", True), ("&2", True),
        ("/etc/passwd", False), ("../x", False), ("a/../../x", False), ("..\\x", False),
    ],
)
def test_redirection_targets_inside_the_working_directory(target: str, inside: bool) -> None:
    assert inside_target(Token(target)) is inside
    assert inside_target(Token("$HOME/x", expands=True)) is False
