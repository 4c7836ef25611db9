"""`remi.toml`: the deep agent's settings in a file, with defaults and environment fallbacks.

Lookup: an explicit path, else `$REMI_CONFIG`, else `./remi.toml` when it exists, else the
defaults. The file has two sections, `[model]` and `[agent]`; it never holds an API key, only
the name of the environment variable that does (`api_key_env`). Relative paths (`workspace`,
`skills_dir`) are kept as written: they are relative to where the agent runs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..core.errors import ConfigurationError

CONFIG_FILE = "remi.toml"
"""The file looked for in the current directory."""

CONFIG_ENV = "REMI_CONFIG"
"""The environment variable naming the config file."""

MODEL_ENV = "REMI_MODEL"
"""The environment variable giving the model when the file does not."""

BASE_URL_ENV = "OPENAI_BASE_URL"
"""The environment variable giving the endpoint when the file does not."""

SECTIONS: Mapping[str, tuple[str, ...]] = {
    "model": ("model", "base_url", "api_key_env"),
    "agent": (
        "system", "max_turns", "workspace", "skills_dir", "spill_threshold",
        "compress_at_tokens", "keep_recent", "sub_agent_max_turns",
    ),
}
"""The file's sections and the keys each one accepts."""

_POSITIVE = frozenset(
    {"max_turns", "spill_threshold", "compress_at_tokens", "keep_recent", "sub_agent_max_turns"}
)
_NON_EMPTY = frozenset({"model", "workspace", "skills_dir"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class DeepConfig:
    """The settings of a deep agent; every field has a default.

    Args:
        model: the model name, for an OpenAI-compatible chat completions endpoint.
        base_url: the endpoint (http or https); None for the provider's default.
        api_key_env: the environment variable holding the API key.
        system: extra instructions added to the agent's own.
        max_turns: model calls allowed per run.
        workspace: the directory the agent reads and writes (tool results spill there).
        skills_dir: where skills are found; None for `<workspace>/skills`.
        spill_threshold: characters of a tool result above which it is written to the
            workspace and the model gets its path instead.
        compress_at_tokens: estimated tokens of the history that trigger compression.
        keep_recent: messages kept verbatim when the history is compressed.
        sub_agent_max_turns: model calls allowed per sub-agent task.
    """

    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    system: str | None = None
    max_turns: int = 50
    workspace: str = ".remi/workspace"
    skills_dir: str | None = None
    spill_threshold: int = 8000
    compress_at_tokens: int = 60000
    keep_recent: int = 10
    sub_agent_max_turns: int = 15

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            problem = _problem(field.name, getattr(self, field.name))
            if problem is not None:
                raise ConfigurationError(f"DeepConfig.{field.name}: {problem}")

    @property
    def skills_path(self) -> str:
        """`skills_dir`, or `<workspace>/skills` when it is not set."""
        if self.skills_dir is not None:
            return self.skills_dir
        return os.path.join(self.workspace, "skills")

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The API key from the variable `api_key_env` names, or None when unset or empty."""
        env = os.environ if environ is None else environ
        return env.get(self.api_key_env) or None

    def require_api_key(self, environ: Mapping[str, str] | None = None) -> str:
        """The API key; a `ConfigurationError` saying which variable to set when it is missing."""
        key = self.api_key(environ)
        if key is None:
            raise ConfigurationError(
                f"no API key: set the environment variable {self.api_key_env} "
                f"(named by api_key_env in [model] of {CONFIG_FILE})"
            )
        return key


def load_config(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> DeepConfig:
    """The settings from `path`, else `$REMI_CONFIG`, else `./remi.toml`, else the defaults.

    `$REMI_MODEL` and `$OPENAI_BASE_URL` give `model` and `base_url` when the file does not.
    Raises `ConfigurationError` naming the file and the key for anything invalid, and for a
    missing file that was named explicitly (a missing `./remi.toml` just means the defaults).

    Args:
        path: the file to read.
        environ: the environment to read (default `os.environ`).
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    source = _find(path, env)
    if source is not None:
        values.update(_read(source))
    for name, variable in (("model", MODEL_ENV), ("base_url", BASE_URL_ENV)):
        if name not in values and env.get(variable):
            problem = _problem(name, env[variable])
            if problem is not None:
                raise ConfigurationError(f"${variable}: {problem}")
            values[name] = env[variable]
    return DeepConfig(**values)  # type: ignore[arg-type]  # each value was checked by _problem


def _find(path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    """The file to read, or None for the defaults."""
    if path is not None:
        source = Path(path)
        if not source.exists():
            raise ConfigurationError(f"config file {source} does not exist")
        return source
    if env.get(CONFIG_ENV):
        source = Path(env[CONFIG_ENV])
        if not source.exists():
            raise ConfigurationError(
                f"${CONFIG_ENV} names the config file {source}, which does not exist"
            )
        return source
    source = Path(CONFIG_FILE)
    return source if source.exists() else None


def _read(source: Path) -> dict[str, object]:
    """The fields a file sets, each checked."""
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(f"cannot read the config file {source}: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigurationError(f"{source}: not UTF-8 text ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{source}: invalid TOML: {error}") from error
    values: dict[str, object] = {}
    known_sections = ", ".join(f"[{name}]" for name in SECTIONS)
    for section, table in data.items():
        if section == "api_key":
            raise ConfigurationError(_no_api_key(source, "api_key"))
        if section not in SECTIONS:
            home = [name for name, keys in SECTIONS.items() if section in keys]
            hint = f" ('{section}' belongs in [{home[0]}])" if home else ""
            raise ConfigurationError(
                f"{source}: unknown section or top-level key '{section}'{hint}; "
                f"known sections: {known_sections}"
            )
        if not isinstance(table, dict):
            raise ConfigurationError(
                f"{source}: '{section}' must be the section [{section}] (a table), "
                f"got {_shown(table)}"
            )
        known = SECTIONS[section]
        for key, value in table.items():
            where = f"[{section}] {key}"
            if key == "api_key":
                raise ConfigurationError(_no_api_key(source, where))
            if key not in known:
                raise ConfigurationError(
                    f"{source}: unknown key '{key}' in [{section}]; "
                    f"known keys: {', '.join(known)}"
                )
            problem = _problem(key, value)
            if problem is not None:
                raise ConfigurationError(f"{source}: {where}: {problem}")
            values[key] = value
    return values


def _no_api_key(source: Path, where: str) -> str:
    return (
        f"{source}: {where}: the config file never holds an API key; put the key in an "
        "environment variable and name that variable with api_key_env in [model] "
        "(default OPENAI_API_KEY)"
    )


def _problem(name: str, value: object) -> str | None:
    """What is wrong with `value` for the field `name`, or None when it is valid."""
    if name in _POSITIVE:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected a positive integer, got {_shown(value)}"
        return None if value > 0 else f"expected a positive integer, got {value}"
    if value is None and name in {"base_url", "system", "skills_dir"}:
        return None
    if name == "api_key_env":
        # The value is never echoed: a mistake here is often the key itself.
        if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
            return (
                "expected the name of an environment variable (letters, digits and _, "
                "e.g. OPENAI_API_KEY), not the key itself"
            )
        return None
    if not isinstance(value, str):
        return f"expected a string, got {_shown(value)}"
    if name == "base_url":
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            return f"expected an http:// or https:// URL, got {value!r}"
    if name in _NON_EMPTY and not value.strip():
        return "expected a non-empty string"
    return None


def _shown(value: object) -> str:
    """A value as TOML users know it: `'50' (a string)`, `true (a boolean)`, `a table`."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    kinds = {str: "a string", int: "an integer", float: "a float"}
    kind = kinds.get(type(value), f"a {type(value).__name__}")
    return f"{value!r} ({kind})"


EXAMPLE_TOML = '''\
# remi.toml: the settings of a remi-web deep agent (written by `remi init`).
# Every key is optional: a commented-out key shows its default or an example.
# Read it with remi_web.deep.load_config(): an explicit path, else $REMI_CONFIG,
# else ./remi.toml, else the defaults.

[model]
# The model name, for any OpenAI-compatible chat completions endpoint.
# When absent: $REMI_MODEL, else "gpt-4o-mini".
# model = "gpt-4o-mini"

# The endpoint, http:// or https://. When absent: $OPENAI_BASE_URL, else OpenAI's.
# base_url = "http://localhost:11434/v1"

# The environment variable holding the API key. Never write the key in this file.
# api_key_env = "OPENAI_API_KEY"

[agent]
# Extra instructions, added to the agent's own.
# system = "Answer in English. Keep notes in notes.md."

# Model calls allowed per run.
# max_turns = 50

# The directory the agent reads and writes, relative to where it runs.
# workspace = ".remi/workspace"

# Where skills are found. When absent: <workspace>/skills.
# skills_dir = ".remi/workspace/skills"

# A tool result longer than this many characters is written to the workspace,
# and the model gets its path instead.
# spill_threshold = 8000

# Compress the history when its estimated size reaches this many tokens...
# compress_at_tokens = 60000
# ...keeping this many recent messages verbatim.
# keep_recent = 10

# Model calls allowed per sub-agent task.
# sub_agent_max_turns = 15
'''
"""What `remi init` writes: every key, commented out, with its default or an example."""


def write_example(path: str | os.PathLike[str] = CONFIG_FILE, *, overwrite: bool = False) -> Path:
    """Write `EXAMPLE_TOML` and return the file written.

    Args:
        path: the file, or an existing directory to write `remi.toml` into.
        overwrite: replace an existing file; without it a `FileExistsError` is raised.
    """
    target = Path(path)
    if target.is_dir():
        target = target / CONFIG_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("w" if overwrite else "x", encoding="utf-8") as file:
            file.write(EXAMPLE_TOML)
    except FileExistsError:
        raise FileExistsError(
            f"{target} already exists; use --force (overwrite=True) to replace it"
        ) from None
    return target
