"""`remi.toml`: lookup order, every key, environment fallbacks, validation and `remi init`."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from remi_web.core.errors import ConfigurationError
from remi_web.deep.config import EXAMPLE_TOML, DeepConfig, load_config, write_example

NO_ENV: dict[str, str] = {}


def write(tmp_path: Path, text: str, name: str = "remi.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, *parts: str) -> str:
    """The message of loading `path`, checked to name the file and each of `parts`."""
    with pytest.raises(ConfigurationError) as caught:
        load_config(path, NO_ENV)
    message = str(caught.value)
    assert str(path) in message
    for part in parts:
        assert part in message
    return message


FULL = """
[model]
model = "llama3.2"
base_url = "http://localhost:11434/v1"
api_key_env = "OLLAMA_KEY"

[agent]
system = "Be brief."
max_turns = 7
workspace = "ws"
skills_dir = "my-skills"
spill_threshold = 100
compress_at_tokens = 2000
keep_recent = 3
sub_agent_max_turns = 4
"""


def test_every_key_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), NO_ENV)
    assert config == DeepConfig(
        model="llama3.2", base_url="http://localhost:11434/v1", api_key_env="OLLAMA_KEY",
        system="Be brief.", max_turns=7, workspace="ws", skills_dir="my-skills",
        spill_threshold=100, compress_at_tokens=2000, keep_recent=3, sub_agent_max_turns=4,
    )
    assert config.skills_path == "my-skills"


def test_defaults() -> None:
    config = DeepConfig()
    assert (config.model, config.base_url, config.api_key_env) == (
        "gpt-4o-mini", None, "OPENAI_API_KEY"
    )
    assert (config.system, config.max_turns, config.workspace, config.skills_dir) == (
        None, 50, ".remi/workspace", None
    )
    assert (config.spill_threshold, config.compress_at_tokens, config.keep_recent) == (
        8000, 60000, 10
    )
    assert config.sub_agent_max_turns == 15
    assert Path(config.skills_path) == Path(".remi/workspace/skills")


def test_a_partial_file_keeps_the_other_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[agent]\nmax_turns = 3\n"), NO_ENV)
    assert config == DeepConfig(max_turns=3)
    assert load_config(write(tmp_path, ""), NO_ENV) == DeepConfig()


def test_an_explicit_path_wins_over_remi_config_and_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit = write(tmp_path, '[model]\nmodel = "explicit"\n', "explicit.toml")
    named = write(tmp_path, '[model]\nmodel = "named"\n', "named.toml")
    write(tmp_path, '[model]\nmodel = "local"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(explicit, {"REMI_CONFIG": str(named)}).model == "explicit"
    assert load_config(str(explicit), {"REMI_CONFIG": str(named)}).model == "explicit"


def test_remi_config_wins_over_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = write(tmp_path, '[model]\nmodel = "named"\n', "named.toml")
    write(tmp_path, '[model]\nmodel = "local"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(None, {"REMI_CONFIG": str(named)}).model == "named"


def test_remi_config_is_read_from_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = write(tmp_path, '[model]\nmodel = "named"\n', "named.toml")
    monkeypatch.setenv("REMI_CONFIG", str(named))
    monkeypatch.delenv("REMI_MODEL", raising=False)
    assert load_config().model == "named"


def test_remi_toml_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, '[model]\nmodel = "local"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(None, NO_ENV).model == "local"
    assert load_config(None, {"REMI_CONFIG": ""}).model == "local"


def test_defaults_when_no_file_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(None, NO_ENV) == DeepConfig()


def test_a_missing_explicit_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigurationError, match="does not exist") as caught:
        load_config(missing, NO_ENV)
    assert str(missing) in str(caught.value)


def test_a_missing_remi_config_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, '[model]\nmodel = "local"\n')
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigurationError, match=r"\$REMI_CONFIG .* does not exist") as caught:
        load_config(None, {"REMI_CONFIG": str(missing)})
    assert str(missing) in str(caught.value)


def test_environment_fallbacks_when_the_file_does_not_set_them(tmp_path: Path) -> None:
    env = {"REMI_MODEL": "from-env", "OPENAI_BASE_URL": "https://example.test/v1"}
    config = load_config(write(tmp_path, "[agent]\nmax_turns = 2\n"), env)
    assert (config.model, config.base_url, config.max_turns) == (
        "from-env", "https://example.test/v1", 2
    )


def test_environment_fallbacks_without_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"REMI_MODEL": "from-env", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    assert load_config(None, env) == DeepConfig(
        model="from-env", base_url="http://127.0.0.1:9/v1"
    )


def test_the_file_wins_over_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[model]\nmodel = "file"\nbase_url = "https://file.test/v1"\n')
    env = {"REMI_MODEL": "env", "OPENAI_BASE_URL": "https://env.test/v1"}
    config = load_config(path, env)
    assert (config.model, config.base_url) == ("file", "https://file.test/v1")


def test_empty_environment_values_are_ignored(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), {"REMI_MODEL": "", "OPENAI_BASE_URL": ""})
    assert config == DeepConfig()


def test_a_bad_base_url_in_the_environment_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"\$OPENAI_BASE_URL: .*http") as caught:
        load_config(write(tmp_path, ""), {"OPENAI_BASE_URL": "localhost:11434"})
    assert "localhost:11434" in str(caught.value)


def test_an_api_key_in_the_file_is_refused(tmp_path: Path) -> None:
    message = refused(
        write(tmp_path, '[model]\napi_key = "sk-secret"\n'), "[model] api_key",
        "environment variable", "api_key_env",
    )
    assert "sk-secret" not in message


def test_an_api_key_anywhere_in_the_file_is_refused(tmp_path: Path) -> None:
    refused(write(tmp_path, 'api_key = "sk-secret"\n'), "api_key", "environment variable")
    refused(write(tmp_path, '[agent]\napi_key = "sk-secret"\n'), "[agent] api_key",
            "environment variable")


def test_the_key_itself_in_api_key_env_is_refused_without_echoing_it(tmp_path: Path) -> None:
    message = refused(
        write(tmp_path, '[model]\napi_key_env = "sk-proj-abc123"\n'),
        "[model] api_key_env", "environment variable",
    )
    assert "sk-proj-abc123" not in message


def test_the_api_key_is_read_from_the_named_variable() -> None:
    config = DeepConfig(api_key_env="MY_KEY")
    assert config.api_key({"MY_KEY": "k1"}) == "k1"
    assert config.require_api_key({"MY_KEY": "k1"}) == "k1"
    assert config.api_key({"MY_KEY": ""}) is None
    with pytest.raises(ConfigurationError, match="MY_KEY"):
        config.require_api_key({"OPENAI_API_KEY": "other"})


def test_an_unknown_section_lists_the_known_ones(tmp_path: Path) -> None:
    refused(write(tmp_path, "[tools]\nshell = true\n"), "tools", "[model]", "[agent]")


def test_an_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    refused(write(tmp_path, "[agent]\nmax_turn = 3\n"), "'max_turn'", "[agent]", "max_turns",
            "keep_recent")
    refused(write(tmp_path, '[model]\ntemperature = 0.2\n'), "'temperature'", "[model]",
            "base_url")


def test_a_key_outside_its_section_says_where_it_belongs(tmp_path: Path) -> None:
    refused(write(tmp_path, "max_turns = 3\n"), "'max_turns'", "[agent]")


def test_a_section_that_is_not_a_table(tmp_path: Path) -> None:
    refused(write(tmp_path, 'model = "gpt-4o"\n'), "'model'", "[model]", "a table")


@pytest.mark.parametrize(
    ("toml", "where", "expected"),
    [
        ('[agent]\nmax_turns = "50"\n', "[agent] max_turns", "positive integer"),
        ("[agent]\nmax_turns = 0\n", "[agent] max_turns", "positive integer"),
        ("[agent]\nmax_turns = 2.5\n", "[agent] max_turns", "positive integer"),
        ("[agent]\nmax_turns = true\n", "[agent] max_turns", "positive integer"),
        ("[agent]\nspill_threshold = -1\n", "[agent] spill_threshold", "positive integer"),
        ("[agent]\ncompress_at_tokens = 0\n", "[agent] compress_at_tokens", "positive integer"),
        ("[agent]\nkeep_recent = -3\n", "[agent] keep_recent", "positive integer"),
        ("[agent]\nsub_agent_max_turns = 0\n", "[agent] sub_agent_max_turns", "positive integer"),
        ("[agent]\nsystem = 3\n", "[agent] system", "a string"),
        ("[agent]\nworkspace = []\n", "[agent] workspace", "a string"),
        ('[agent]\nworkspace = " "\n', "[agent] workspace", "non-empty"),
        ('[agent]\nskills_dir = ""\n', "[agent] skills_dir", "non-empty"),
        ("[model]\nmodel = 4\n", "[model] model", "a string"),
        ('[model]\nmodel = ""\n', "[model] model", "non-empty"),
        ('[model]\nbase_url = "ftp://host/v1"\n', "[model] base_url", "http"),
        ('[model]\nbase_url = "localhost:8080"\n', "[model] base_url", "http"),
        ('[model]\nbase_url = "https://"\n', "[model] base_url", "http"),
        ("[model]\napi_key_env = 1\n", "[model] api_key_env", "environment variable"),
        ('[model]\napi_key_env = "MY KEY"\n', "[model] api_key_env", "environment variable"),
    ],
)
def test_invalid_values_name_the_file_the_key_and_what_is_expected(
    tmp_path: Path, toml: str, where: str, expected: str
) -> None:
    refused(write(tmp_path, toml), where, expected)


def test_wrong_types_say_what_was_given(tmp_path: Path) -> None:
    message = refused(write(tmp_path, '[agent]\nmax_turns = "50"\n'), "[agent] max_turns")
    assert "'50' (a string)" in message


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    refused(write(tmp_path, "[agent\nmax_turns = 3\n"), "invalid TOML")


def test_an_unreadable_path_names_the_file(tmp_path: Path) -> None:
    refused(tmp_path, "cannot read")


def test_deep_config_checks_values_built_in_code() -> None:
    with pytest.raises(ConfigurationError, match=r"DeepConfig\.keep_recent: .*positive"):
        DeepConfig(keep_recent=0)
    with pytest.raises(ConfigurationError, match=r"DeepConfig\.base_url: .*http"):
        DeepConfig(base_url="example.com")


def uncommented(text: str) -> str:
    """The example with each commented-out `# key = value` line made active."""
    return re.sub(r"(?m)^# (\w+ = .+)$", r"\1", text)


def test_the_example_loads_back_to_the_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, EXAMPLE_TOML), NO_ENV) == DeepConfig()


def test_the_example_with_every_key_uncommented_loads_to_what_it_says(tmp_path: Path) -> None:
    active = uncommented(EXAMPLE_TOML)
    config = load_config(write(tmp_path, active), {"REMI_MODEL": "ignored"})
    assert config == DeepConfig(
        base_url="http://localhost:11434/v1",
        system="Answer in English. Keep notes in notes.md.",
        skills_dir=".remi/workspace/skills",
    )


def test_the_example_shows_every_field_once() -> None:
    active = uncommented(EXAMPLE_TOML)
    keys = re.findall(r"(?m)^(\w+) = ", active)
    assert sorted(keys) == sorted(field.name for field in dataclasses.fields(DeepConfig))


def test_write_example_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "remi.toml"
    assert write_example(target) == target
    assert target.read_text(encoding="utf-8") == EXAMPLE_TOML
    target.write_text("[agent]\nmax_turns = 3\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="--force"):
        write_example(target)
    assert target.read_text(encoding="utf-8") == "[agent]\nmax_turns = 3\n"
    assert write_example(target, overwrite=True) == target
    assert target.read_text(encoding="utf-8") == EXAMPLE_TOML


def test_write_example_into_a_directory(tmp_path: Path) -> None:
    assert write_example(tmp_path) == tmp_path / "remi.toml"
    assert write_example(tmp_path / "new" / "dir" / "x.toml").read_text(encoding="utf-8") == (
        EXAMPLE_TOML
    )


def remi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )


def test_remi_init_writes_the_file_and_refuses_to_overwrite_without_force(
    tmp_path: Path,
) -> None:
    target = tmp_path / "conf" / "remi.toml"
    first = remi("init", str(target), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert target.read_text(encoding="utf-8") == EXAMPLE_TOML
    assert str(target) in first.stdout
    assert "DeepAgentBuilder.from_config(load_config())" in first.stdout

    target.write_text("[agent]\nmax_turns = 3\n", encoding="utf-8")
    again = remi("init", str(target), cwd=tmp_path)
    assert again.returncode == 2
    assert again.stdout == ""
    assert len(again.stderr.strip().splitlines()) == 1
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert target.read_text(encoding="utf-8") == "[agent]\nmax_turns = 3\n"

    forced = remi("init", str(target), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8") == EXAMPLE_TOML


def test_remi_init_defaults_to_remi_toml_in_the_current_directory(tmp_path: Path) -> None:
    done = remi("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "remi.toml").read_text(encoding="utf-8") == EXAMPLE_TOML
    assert remi("init", cwd=tmp_path).returncode == 2


def test_a_builder_from_a_config_works_in_its_directory(tmp_path: Path) -> None:
    import asyncio

    from remi_web.deep import DeepAgentBuilder
    from remi_web.testing.scripted_model import ScriptedModel, ToolCall

    config = DeepConfig(workspace=str(tmp_path / "ws"), skills_dir=str(tmp_path / "skills"),
                        max_turns=3)
    model = ScriptedModel([[ToolCall("fs_write", {"path": "/a.md", "content": "x"}),
                            ToolCall("save_skill", {"name": "tidy", "description": "Tidies.",
                                                    "content": "1. tidy"})], ["ok"]])
    agent = DeepAgentBuilder.from_config(config, model).build()

    async def run() -> None:
        async for _ in agent.chat("go"):
            pass

    asyncio.run(run())
    assert (tmp_path / "ws" / "a.md").read_text() == "x"
    assert (tmp_path / "skills" / "tidy" / "SKILL.md").read_text().startswith("---\nname: tidy")
    assert agent.max_turns == 3
