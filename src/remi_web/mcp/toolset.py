"""`McpToolset`: the tools of MCP servers for an agent, kept up to date with their listings,
for as long as it is open (`async with`)."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from ..core.errors import ConfigurationError
from ..core.json_schema import check_tool_schema, load_jsonschema
from .client import McpClient
from .policy import ApprovalPolicy, ToolFilter, check_policies, is_allowed
from .tool import McpTool


class McpToolset:
    """The tools of one or more MCP servers; give it to an agent with
    `AgentBuilder().toolsets(toolset)`.

    Open it (`async with toolset:` or `await toolset.connect()`) before the agent runs and
    close it after: the connections (and a stdio server's process) live that long. When a
    server says its tools changed, the agent's next model call is offered the new listing.

    Args:
        clients: the connections, one per server.
        prefix: put before each tool's name, with an underscore (`fs` makes `read` `fs_read`).
        allowed: which tools to offer, by the server's names (default: all).
        requires_approval: which calls wait for a human: `True`, a collection of the
            server's tool names, or a function of `(name, arguments)`.
    """

    def __init__(
        self,
        clients: Sequence[McpClient],
        *,
        prefix: str | None = None,
        allowed: ToolFilter = None,
        requires_approval: ApprovalPolicy = False,
    ) -> None:
        check_policies(allowed, requires_approval)
        self._clients = tuple(clients)
        self._prefix = prefix
        self._allowed = allowed
        self._policy = requires_approval
        self._listed: list[tuple[McpTool, ...]] = [() for _ in self._clients]
        self._seen: list[int] = [0 for _ in self._clients]
        self._tools: tuple[McpTool, ...] = ()
        self._open = False

    @property
    def clients(self) -> tuple[McpClient, ...]:
        """The connections, one per server."""
        return self._clients

    @property
    def tools(self) -> tuple[McpTool, ...]:
        """The tools as last listed."""
        return self._tools

    @property
    def changes(self) -> int:
        """How many times its servers said their tools changed."""
        return sum(client.changes for client in self._clients)

    async def connect(self) -> None:
        """Connect to every server and list their tools (`McpError`, `ToolSchemaError`, or
        `ConfigurationError` for two tools of the same name); on failure nothing stays open."""
        if self._open:
            return
        opened: list[McpClient] = []
        try:
            for client in self._clients:
                await client.open()
                opened.append(client)
            self._open = True
            for index in range(len(self._clients)):
                await self._list(index)
            self._tools = self._joined()
        except BaseException:
            self._open = False
            for client in reversed(opened):
                await client.aclose()
            raise

    async def current_tools(self) -> tuple[McpTool, ...]:
        """The tools now: a server that said its tools changed is listed again first
        (the `Toolset` the agent's registry asks before each model call)."""
        if not self._open:
            raise ConfigurationError(
                "The MCP toolset is not connected: use it inside `async with mcp_tools(...) as "
                "tools:` (or call `await tools.connect()` first, and `await tools.aclose()` after)."
            )
        changed = False
        for index, client in enumerate(self._clients):
            if client.changes != self._seen[index]:
                changed = await self._list(index) or changed
        if changed:
            self._tools = self._joined()
        return self._tools

    async def aclose(self) -> None:
        """Close every connection (stdio servers' processes end); safe to call twice."""
        self._open = False
        failure: BaseException | None = None
        for client in reversed(self._clients):
            try:
                await client.aclose()
            except Exception as error:  # close the others all the same
                failure = failure or error
        if failure is not None:
            raise failure

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _list(self, index: int) -> bool:
        """List server `index` again; whether its tools differ from before."""
        client = self._clients[index]
        seen = client.changes  # read first: a change announced during the listing counts again
        infos = [info for info in await client.list_tools() if is_allowed(self._allowed, info.name)]
        if infos:
            await load_jsonschema()
        before = {tool.info.name: tool for tool in self._listed[index]}
        tools: list[McpTool] = []
        for info in infos:
            old = before.get(info.name)
            if old is not None and old.info == info:
                tools.append(old)  # unchanged: the same object, so the registry keeps it
                continue
            name = f"{self._prefix}_{info.name}" if self._prefix else info.name
            check_tool_schema(name, info.input_schema)
            tools.append(McpTool(info, client, name=name, requires_approval=self._policy))
        self._seen[index] = seen
        listed = tuple(tools)
        if len(listed) == len(self._listed[index]) and all(
            new is old for new, old in zip(listed, self._listed[index], strict=True)
        ):
            return False
        self._listed[index] = listed
        return True

    def _joined(self) -> tuple[McpTool, ...]:
        """Every server's tools in order; `ConfigurationError` when two share a name."""
        owners: dict[str, McpTool] = {}
        for tools in self._listed:
            for tool in tools:
                other = owners.get(tool.name)
                if other is not None:
                    raise ConfigurationError(
                        f"MCP servers {other.server} and {tool.server} both have a tool named "
                        f"{tool.name!r}: give each its own toolset with a prefix "
                        "(`mcp_tools(..., prefix=...)`), or leave one out with `allowed=`."
                    )
                owners[tool.name] = tool
        return tuple(owners.values())

    def __repr__(self) -> str:
        servers = ", ".join(client.label for client in self._clients)
        return f"McpToolset([{servers}], tools={[tool.name for tool in self._tools]!r})"
