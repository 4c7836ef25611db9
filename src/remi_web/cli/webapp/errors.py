"""What stops `remi web` before it serves: the app's files or its dist are missing."""

from __future__ import annotations


class WebSetupError(RuntimeError):
    """The web app cannot be served (its files are missing); the message says what to do."""


class AssemblyError(WebSetupError):
    """The Pyodide dist cannot be assembled: a download failed, a file does not match its pinned
    hash, or a pin is inconsistent. The message names the file and what to do."""
