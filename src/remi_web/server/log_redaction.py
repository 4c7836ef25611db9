"""Secrets out of the server's log: a logging filter that passes every record (message,
arguments, traceback) through the served agent's `Redactor` before any handler sees it."""

from __future__ import annotations

import logging

from ..core.secrets import Redactor

LOGGERS = (
    "remi_web", "remi_web.server", "remi_web.remote", "remi_web.runs", "remi_web.model",
    "remi_web.tracing", "remi_web.wasm", "remi_web.wasm.guest", "remi_web.guest",
    "uvicorn.error", "asyncio",
)
"""The loggers whose records a server redacts (a logger's filters see only the records made
on it, not those of its children, so each is named)."""


class RedactingFilter(logging.Filter):
    """Rewrites a record without secrets (its traceback is formatted, then redacted, and
    that text is what handlers print)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: the record goes on, redacted."""
        record.msg = self.redactor.text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters print `exc_text` when it is set: the redacted traceback.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redactor.text(text)
        elif record.exc_text:
            record.exc_text = self.redactor.text(record.exc_text)
        return True


def install(redactor: Redactor) -> RedactingFilter:
    """Put a `RedactingFilter` on the server's loggers; remove it with `uninstall`."""
    installed = RedactingFilter(redactor)
    for name in LOGGERS:
        logging.getLogger(name).addFilter(installed)
    return installed


def uninstall(installed: RedactingFilter) -> None:
    """Take the filter off again."""
    for name in LOGGERS:
        logging.getLogger(name).removeFilter(installed)
