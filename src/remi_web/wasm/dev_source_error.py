"""`DevSourceError`: the agent's source did not load under `remi dev` (a syntax error found
by the host's compile check, or an error the dev runtime hit importing it)."""

from __future__ import annotations

from ..guest.dev_problem import SourceProblem
from .errors import GuestLoadError


class DevSourceError(GuestLoadError):
    """The agent's source did not load; `problem` says where (the real file, line and code)
    and `str()` prints it as Python would. The source that served before keeps serving."""

    code = "dev_source"

    def __init__(self, problem: SourceProblem) -> None:
        super().__init__(problem.format())
        self.problem = problem
