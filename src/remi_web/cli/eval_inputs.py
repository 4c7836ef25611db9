"""What `remi eval` reads from its command line besides the files: the agent (`module:agent`,
or the demo agent), the scorers (`--scorer`), the interrupt policy (`--approve`) and the
thresholds (`--fail-under`). Each raises `EvalInputError` with a one-line message."""

from __future__ import annotations

import importlib
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.errors import ConfigurationError
from ..core.interrupt_router import InterruptRouter
from ..core.schema_types import JsonValue
from ..evals.errors import EvalError, ScorerSpecError
from ..evals.runner import EvalAgent
from ..evals.scorer import Scorer
from ..evals.scorer_specs import SCORER_TYPES, scorer_from_spec
from ..stores.memory import MemoryStore

DEFAULT_SCORERS = ("contains",)
"""The scorers when no `--scorer` is given (a case that expects nothing gets no score)."""


class EvalInputError(EvalError):
    """A command-line input of `remi eval` is unusable (the message says which and why)."""

    code = "invalid_eval_input"


@dataclass(frozen=True, slots=True)
class Threshold:
    """`--fail-under SCORER=VALUE`: every variant's mean of `scorer` must reach `value`."""

    scorer: str
    value: float


def eval_agent(
    reference: str | None, model: str | None = None, environ: Mapping[str, str] = os.environ
) -> tuple[EvalAgent, str]:
    """The agent to evaluate and a line saying what it is.

    `module:agent` names an agent, a builder (one without a model gets the configured one:
    `OPENAI_BASE_URL`, a `remi.toml`, else the built-in mock) or a function `(store) ->
    agent`; each is bound to a fresh in-memory store, so an evaluation leaves no trace in a
    database. Without a reference: the demo agent of `remi chat` on the configured model.
    """
    from .agent_choice import configured_model

    if reference is None:
        from ..builder import AgentBuilder
        from .demo import calculator, save_note

        chosen, on = configured_model(model, environ)
        demo = AgentBuilder().model(chosen).tools(calculator, save_note)
        built = demo.system("You are a helpful assistant. Use the calculator for arithmetic.")
        return built.build(), f"the demo agent on {on}"
    from ..server.agent_source import bind_agent, load_agent

    try:
        source = load_agent(reference)
        about = f"agent {reference}"
        if getattr(source, "has_model", True) is False:  # a builder leaving the model to us
            chosen, on = configured_model(model, environ)
            source, about = source.model(chosen), f"{about} on {on}"  # type: ignore[union-attr]
        agent, _ = bind_agent(source, MemoryStore())
    except ConfigurationError as error:
        raise EvalInputError(f"--agent: {error}") from None
    except Exception as error:  # the module itself failed: say so in one line
        raise EvalInputError(
            f"--agent: loading {reference!r} failed: {type(error).__name__}: {error}"
        ) from None
    return agent, about


def parse_scorers(specs: Sequence[str]) -> list[Scorer]:
    """The scorers of `--scorer` options (`DEFAULT_SCORERS` when there are none): a built-in
    type (`contains`, `exact`, ...), a JSON spec (`{"type": "regex", "pattern": "\\\\d+"}`),
    or `module:attribute` naming a scorer object or a list of them."""
    scorers: list[Scorer] = []
    for spec in specs or DEFAULT_SCORERS:
        text = spec.strip()
        try:
            if text.startswith("{"):
                scorers.append(scorer_from_spec(_json_object(text)))
            elif text in SCORER_TYPES:
                scorers.append(scorer_from_spec({"type": text}))
            elif ":" in text:
                scorers.extend(_loaded_scorers(text))
            else:
                raise EvalInputError(
                    f"--scorer {spec!r}: give a built-in ({', '.join(SCORER_TYPES)}), a JSON "
                    'spec such as {"type": "contains"}, or MODULE:ATTRIBUTE'
                )
        except ScorerSpecError as error:
            raise EvalInputError(f"--scorer {spec!r}: {error}") from None
    return scorers


def parse_thresholds(options: Sequence[str]) -> list[Threshold]:
    """The `--fail-under SCORER=VALUE` options."""
    thresholds = []
    for option in options:
        name, equals, raw = option.partition("=")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not equals or not name.strip() or not math.isfinite(value):
            raise EvalInputError(
                f"--fail-under {option!r}: write SCORER=VALUE, e.g. contains=0.8"
            )
        thresholds.append(Threshold(name.strip(), value))
    return thresholds


def approval_policy(tools: Sequence[str]) -> InterruptRouter | None:
    """The router of `--approve TOOL` options (`*`: every tool), or None without any."""
    if not tools:
        return None
    if "*" in tools:
        return InterruptRouter().approve()
    return InterruptRouter().approve(tool=list(tools))


def _json_object(text: str) -> dict[str, JsonValue]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise EvalInputError(f"--scorer {text!r} is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise EvalInputError(f"--scorer {text!r}: a JSON spec is an object")
    return value


def _loaded_scorers(reference: str) -> list[Scorer]:
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise EvalInputError(f"--scorer {reference!r}: expected MODULE:ATTRIBUTE")
    if os.getcwd() not in sys.path:  # the current directory is importable, as with `python -m`
        sys.path.insert(0, os.getcwd())
    try:
        value: object = importlib.import_module(module_name)
        for name in attribute.split("."):
            value = getattr(value, name)
    except Exception as error:
        raise EvalInputError(
            f"--scorer: loading {reference!r} failed: {type(error).__name__}: {error}"
        ) from None
    found = list(value) if isinstance(value, list | tuple) else [value]
    for item in found:
        if not isinstance(getattr(item, "name", None), str) or not callable(
            getattr(item, "score", None)
        ):
            raise EvalInputError(
                f"--scorer {reference!r}: {type(item).__name__} is not a scorer (it needs a "
                "`name` and an async `score(case, run)`; see @scorer)"
            )
    return found  # type: ignore[return-value]  # checked just above
