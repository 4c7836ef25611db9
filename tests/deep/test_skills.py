"""Skills on a `VirtualFS`: the store, the SKILL.md format, the prompt section and the tools."""

from __future__ import annotations

import pytest
from helpers import collect, of_type

from remi_web import AgentBuilder, Custom, Done, ScriptedModel, ToolCall, ToolResult
from remi_web.deep.skills import Skill, SkillStore, parse_skill, skill_tools, skills_prompt
from remi_web.tools import VirtualFS

pytestmark = pytest.mark.pyodide

BAD_NAMES = ["../x", "A B", "", "a" * 65, "x/y", "-x", "x-", "a--b", "Caps", "dot.md", "x\x00"]


@pytest.fixture
def fs() -> VirtualFS:
    """An empty in-memory tree."""
    return VirtualFS()


@pytest.fixture
def store(fs: VirtualFS) -> SkillStore:
    """Skills under /skills of `fs`."""
    return SkillStore(fs)


def text_of(fs: VirtualFS, path: str) -> str:
    """The file at `path`, as text."""
    return fs.read_bytes(path).decode()


def test_save_get_list_delete_round_trip(fs: VirtualFS, store: SkillStore) -> None:
    assert store.list() == []
    assert store.save("weekly-report", "Write the weekly report.", "1. Gather.\n2. Write.\n") == (
        "/skills/weekly-report/SKILL.md"
    )
    store.save("a1", "First by name.", "Do it.")
    assert store.get("weekly-report") == Skill(
        "weekly-report", "Write the weekly report.", "1. Gather.\n2. Write."
    )
    assert [s.name for s in store.list()] == ["a1", "weekly-report"]
    store.save("a1", "Replaced.", "Again.")
    assert store.get("a1") == Skill("a1", "Replaced.", "Again.")
    assert store.delete("a1") is True
    assert store.delete("a1") is False
    assert store.get("a1") is None
    assert [e.name for e in fs.list_dir("/skills")] == ["weekly-report"]
    assert [s.name for s in store.list()] == ["weekly-report"]


def test_the_file_is_agent_skills_frontmatter_then_the_body(
    fs: VirtualFS, store: SkillStore
) -> None:
    store.save("deploy", "Deploy the site.", "\n\n# Deploy\n\nRun it.\n\n")
    assert text_of(fs, "/skills/deploy/SKILL.md") == (
        "---\nname: deploy\ndescription: Deploy the site.\n---\n\n# Deploy\n\nRun it.\n"
    )


@pytest.mark.parametrize(
    "description",
    [
        'Use when: the user says "ship it" # not a comment',
        "back\\slash and 'single' quotes",
        "yes",
        "42",
        "- starts like a list",
        "ends with a colon:",
        "héllo \u2603 \U0001f600",
        "[flow] {style} & *alias !tag %dir @at `tick` |pipe >fold ?q ,c",
    ],
)
def test_descriptions_round_trip_on_one_line(
    fs: VirtualFS, store: SkillStore, description: str
) -> None:
    store.save("tricky", description, "body")
    text = text_of(fs, "/skills/tricky/SKILL.md")
    assert len(text.split("---\n")[1].splitlines()) == 2  # name and description, one line each
    assert store.get("tricky") == Skill("tricky", description, "body")


def test_description_whitespace_is_collapsed(store: SkillStore) -> None:
    store.save("lines", "  two\nlines\tand\r\n  tabs  ", "body")
    skill = store.get("lines")
    assert skill is not None and skill.description == "two lines and tabs"


def test_a_body_with_rules_keeps_them(fs: VirtualFS, store: SkillStore) -> None:
    body = "Intro\n\n---\n\nname: not frontmatter\n---\nEnd"
    store.save("rules", "Has rules.", body)
    assert store.get("rules") == Skill("rules", "Has rules.", body)
    store.save("rule-first", "Starts with a rule.", "---\nJust a paragraph.\n---\nMore")
    skill = store.get("rule-first")
    assert skill is not None and skill.body == "---\nJust a paragraph.\n---\nMore"


def test_model_supplied_frontmatter_is_replaced(fs: VirtualFS, store: SkillStore) -> None:
    body = (
        "\n---\r\nname: wrong-name\r\ndescription: \"Model's: own\"\r\n"
        "license: MIT\r\n---\r\n\r\n# Steps\n"
    )
    store.save("mine", "The real one.", body)
    text = text_of(fs, "/skills/mine/SKILL.md")
    assert text == "---\nname: mine\ndescription: The real one.\n---\n\n# Steps\n"
    assert text.count("---") == 2 and "wrong-name" not in text


@pytest.mark.parametrize("name", BAD_NAMES)
def test_invalid_names_are_refused_and_nothing_is_written(
    fs: VirtualFS, store: SkillStore, name: str
) -> None:
    with pytest.raises(ValueError, match="not a valid skill name"):
        store.save(name, "Bad.", "body")
    with pytest.raises(ValueError, match="lowercase letters"):
        store.get(name)
    with pytest.raises(ValueError):
        store.delete(name)
    assert fs.used_entries == 0


def test_the_longest_name_is_accepted(store: SkillStore) -> None:
    name = "a" * 64
    store.save(name, "Long.", "body")
    assert [s.name for s in store.list()] == [name]


# Explicit ids: pytest 8 (the Pyodide lane's host) and 9 name a long string parameter differently.
@pytest.mark.parametrize("description", ["", "  \n\t ", "x" * 1025], ids=["empty", "blank", "too-long"])
def test_empty_or_too_long_descriptions_are_refused(
    fs: VirtualFS, store: SkillStore, description: str
) -> None:
    with pytest.raises(ValueError, match="description"):
        store.save("ok", description, "body")
    assert fs.used_entries == 0


def test_list_skips_broken_folders_and_stray_entries(fs: VirtualFS, store: SkillStore) -> None:
    store.save("good", "Works.", "body")
    broken = {
        "no-file": None,
        "no-frontmatter": b"# Just markdown\n",
        "unclosed": b"---\nname: unclosed\ndescription: x\n",
        "other-name": b"---\nname: good\ndescription: x\n---\n",
        "no-description": b"---\nname: no-description\n---\nbody",
        "bad-quote": b'---\nname: bad-quote\ndescription: "open\n---\n',
        "not-utf8": b"---\nname: not-utf8\ndescription: \xff\n---\n",
        "flow-value": b"---\nname: flow-value\ndescription: [a, b]\n---\n",
        "dup-key": b"---\nname: dup-key\nname: dup-key\ndescription: x\n---\n",
    }
    for name, data in broken.items():
        if data is None:
            fs.make_dir(f"/skills/{name}")
        else:
            fs.write_bytes(f"/skills/{name}/SKILL.md", data)
    fs.make_dir("/skills/Bad Name")
    fs.write_bytes("/skills/Bad Name/SKILL.md", b"---\nname: Bad Name\ndescription: x\n---\n")
    fs.write_bytes("/skills/loose.md", b"---\nname: loose\ndescription: x\n---\n")
    fs.make_dir("/skills/dir-as-file/SKILL.md")
    assert [s.name for s in store.list()] == ["good"]
    assert store.get("not-utf8") is None and store.get("dir-as-file") is None


def test_hand_written_frontmatter_with_other_keys_is_read() -> None:
    text = (
        "\ufeff---\r\n"
        "# a comment\r\n"
        "name: 'pdf-processing'\r\n"
        "description: >-\r\n"
        "  Extract text and tables from PDFs.\r\n"
        "  Use when handling PDFs.\r\n"
        "license: Apache-2.0\r\n"
        "metadata:\r\n"
        "  author: example-org\r\n"
        '  version: "1.0"\r\n'
        "allowed-tools:\r\n"
        "- Bash\r\n"
        "---\r\n"
        "\r\n"
        "# PDF\r\n"
    )
    assert parse_skill(text, "pdf-processing") == Skill(
        "pdf-processing", "Extract text and tables from PDFs. Use when handling PDFs.", "# PDF"
    )
    assert parse_skill(text, "other") is None


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("description: plain # comment", "plain"),
        ("description: 'it''s # here'", "it's # here"),
        ('description: "tab\\there \\u00e9\\x41"', "tab here \u00e9A"),
        ("description:\n  on the next line", "on the next line"),
        ("description: |\n  literal\n  block", "literal block"),
    ],
)
def test_frontmatter_values(line: str, value: str) -> None:
    skill = parse_skill(f"---\nname: x\n{line}\n---\nbody", "x")
    assert skill is not None and skill.description == value


def test_skills_prompt_lists_every_skill_or_is_empty(store: SkillStore) -> None:
    assert skills_prompt(store) == ""
    store.save("zeta", "Last one.", "z")
    store.save("alpha", 'Quoted "first".', "a")
    prompt = skills_prompt(store)
    assert prompt.startswith("## Skills\n")
    assert "get_skill" in prompt
    lines = prompt.splitlines()
    assert lines[-2:] == ['- **alpha**: Quoted "first".', "- **zeta**: Last one."]


def test_a_store_can_live_at_the_root(fs: VirtualFS) -> None:
    store = SkillStore(fs, "/")
    assert store.save("top", "At the root.", "body") == "/top/SKILL.md"
    assert [s.name for s in store.list()] == ["top"]


async def test_save_skill_through_the_agent_loop_writes_and_emits(
    fs: VirtualFS, store: SkillStore
) -> None:
    model = ScriptedModel([
        [ToolCall("save_skill", {"name": "greet", "description": "Say hi: politely.",
                                 "content": "---\nname: greet\n---\nSay hello."})],
        ["Saved."],
    ])
    agent = AgentBuilder().model(model).tools(*skill_tools(store)).build()
    events = await collect(agent.chat("remember how to greet"))
    assert isinstance(events[-1], Done) and events[-1].text == "Saved."
    assert text_of(fs, "/skills/greet/SKILL.md") == (
        '---\nname: greet\ndescription: "Say hi: politely."\n---\n\nSay hello.\n'
    )
    [result] = of_type(events, ToolResult)
    assert result.content == "Skill 'greet' saved to /skills/greet/SKILL.md"
    customs = [e for e in of_type(events, Custom) if e.name == "skill"]
    assert [c.data for c in customs] == [
        {"action": "saved", "name": "greet", "path": "/skills/greet/SKILL.md"}
    ]
    assert [d.name for d in model.requests[0].tools] == [
        "save_skill", "get_skill", "list_skills", "delete_skill"
    ]


async def test_the_other_tools_and_bad_names_through_the_agent_loop(
    fs: VirtualFS, store: SkillStore
) -> None:
    store.save("greet", "Say hi.", "Say hello.")
    model = ScriptedModel([
        [ToolCall("list_skills"), ToolCall("get_skill", {"name": "greet"}),
         ToolCall("get_skill", {"name": "nope"}),
         ToolCall("save_skill", {"name": "../evil", "description": "x", "content": "x"})],
        [ToolCall("delete_skill", {"name": "greet"}), ToolCall("delete_skill", {"name": "greet"})],
        [ToolCall("list_skills")],
        ["done"],
    ])
    agent = AgentBuilder().model(model).tools(*skill_tools(store)).build()
    events = await collect(agent.chat("go"))
    results = {r.call_id: r for r in of_type(events, ToolResult)}
    ordered = [results[c.id] for m in model.requests[-1].messages for c in m.tool_calls]
    texts = [r.content for r in ordered]
    assert texts[0] == "- greet: Say hi."
    assert texts[1] == "Skill 'greet' (/skills/greet/SKILL.md): Say hi.\n\nSay hello."
    assert texts[2] == "Skill 'nope' not found. Saved skills: greet."
    assert ordered[3].is_error and "not a valid skill name" in str(texts[3])
    assert texts[4:] == [
        "Skill 'greet' deleted.", "Skill 'greet' not found.", "No skills saved yet."
    ]
    assert fs.list_dir("/skills") == []
    customs = [e.data for e in of_type(events, Custom) if e.name == "skill"]
    assert customs == [{"action": "deleted", "name": "greet", "path": "/skills/greet/SKILL.md"}]
