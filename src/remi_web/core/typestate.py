"""The base of the typestate builders (`AgentBuilder`, `DeepAgentBuilder`): immutable copies,
and a model slot that `build()` requires."""

from __future__ import annotations

from typing import Any


class NoModel:
    """A builder's model slot before `.model(...)` is called."""


class CopyingBuilder:
    """A builder whose every setter returns a changed copy; subclasses list their fields in
    `__slots__`, one of them `_model`."""

    __slots__ = ()
    _model: object

    def _with(self, **changes: Any) -> Any:
        copy = object.__new__(type(self))
        fields: tuple[str, ...] = type(self).__slots__
        for name in fields:
            setattr(copy, name, changes.get(name, getattr(self, name)))
        return copy

    @property
    def has_model(self) -> bool:
        """Whether `.model(...)` was called (a page's agent file may leave it to the page)."""
        return not isinstance(self._model, NoModel)
