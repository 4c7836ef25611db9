"""`McpTool`: one tool of an MCP server as a remi `Tool`: arguments checked against its JSON
Schema before the call, approval when the toolset's policy asks for it, progress as
`tool_progress` events, and an `isError` result as a tool error."""

from __future__ import annotations

from ..core.approval import approval_request, read_approval
from ..core.content import content_text
from ..core.json_schema import load_jsonschema, validate_arguments
from ..core.model_io import ToolDefinition
from ..core.schema_types import JsonValue
from ..core.tool import ToolCtx, ToolReturn
from .client import McpClient
from .errors import McpToolError
from .listing import McpToolInfo
from .policy import ApprovalPolicy, needs_approval
from .results import is_error, result_content


class McpTool:
    """A tool of an MCP server, run through its client.

    Args:
        info: the tool as the server lists it (its schema already checked).
        client: the connection to its server.
        name: the name the model calls it by (the server's, maybe prefixed).
        requires_approval: which calls wait for a human (see `ApprovalPolicy`).
    """

    __slots__ = ("_info", "_client", "_name", "_policy", "_definition")

    idempotent = False  # a server's hints are not trusted to re-run a call after a crash

    def __init__(
        self,
        info: McpToolInfo,
        client: McpClient,
        *,
        name: str | None = None,
        requires_approval: ApprovalPolicy = False,
    ) -> None:
        self._info = info
        self._client = client
        self._name = name or info.name
        self._policy = requires_approval
        self._definition = ToolDefinition(self._name, info.description, info.input_schema)

    @property
    def name(self) -> str:
        """The name the model calls it by."""
        return self._name

    @property
    def info(self) -> McpToolInfo:
        """The tool as its server lists it."""
        return self._info

    @property
    def server(self) -> str:
        """Its server, as messages name it."""
        return self._client.label

    def definition(self) -> ToolDefinition:
        """Name, description and the server's JSON Schema, as sent to the model."""
        return self._definition

    async def run(self, arguments: str, ctx: ToolCtx) -> ToolReturn:
        """Check `arguments` against the schema (`ToolInputError` for the model, and the server
        is not called), ask for approval if the policy says so, then call the server."""
        await load_jsonschema()
        schema = self._info.input_schema
        checked = validate_arguments(self._name, schema, arguments)
        if needs_approval(self._policy, self._info.name, checked):
            if not ctx.resumed:
                return approval_request(self._name, checked)
            decision = read_approval(self._name, ctx.resume_value)
            if isinstance(decision, str):
                return decision
            if decision is not None:
                checked = validate_arguments(self._name, schema, decision)

        def progress(done: float, total: float | None, message: str | None) -> None:
            report: dict[str, JsonValue] = {"progress": done}
            if total is not None:
                report["total"] = total
            if message is not None:
                report["message"] = message
            ctx.progress(report)

        result = await self._client.call_tool(self._info.name, checked, progress)
        content = result_content(result)
        if is_error(result):
            raise McpToolError(content_text(content) or f"The tool {self._name!r} failed.")
        return content

    def __repr__(self) -> str:
        return f"McpTool({self._name!r}, server={self.server!r})"
