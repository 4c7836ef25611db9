"""LangGraph as a contender: `create_react_agent(...).astream(stream_mode="messages")` over
a native-async fake chat model (LangChain's stock fake hops to a thread per chunk, see
peers.md), `ainvoke()` for tool runs, `ChatOpenAI` over HTTP."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version as dist_version
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent

from ..measure import Run

warnings.filterwarnings("ignore", message="create_react_agent has been moved")


def version() -> str:
    """The installed langgraph (and langchain-core)."""
    return f"{dist_version('langgraph')} (langchain-core {dist_version('langchain-core')})"


class FakeChatModel(BaseChatModel):
    """Streams prebuilt chunks natively async; as a whole reply, calls `add` until the
    conversation holds `rounds` tool messages."""

    deltas: int = 0
    rounds: int = 0
    chunks: list[ChatGenerationChunk] = []

    def model_post_init(self, context: Any) -> None:
        self.chunks = [
            ChatGenerationChunk(message=AIMessageChunk(content=f"t{i} "))
            for i in range(self.deltas)
        ]

    @property
    def _llm_type(self) -> str:
        return "bench-fake"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> FakeChatModel:
        return self

    def _reply(self, messages: list[BaseMessage]) -> ChatResult:
        results = sum(1 for m in messages if isinstance(m, ToolMessage))
        if results < self.rounds:
            call = {"name": "add", "args": {"a": 1, "b": 2}, "id": f"call_{results}",
                    "type": "tool_call"}
            message = AIMessage(content="", tool_calls=[call])
        else:
            message = AIMessage(content="done")
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._reply(messages)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._reply(messages)

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield from self.chunks

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self.chunks:  # the caller reports each token to the callbacks
            yield chunk


@tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: the first number.
        b: the second number.
    """
    return a + b


def _text(item: object) -> int:
    message = item[0] if isinstance(item, tuple) else None
    return int(isinstance(message, AIMessageChunk) and bool(message.content))


def stream_run(deltas: int) -> Run:
    """`astream(stream_mode="messages")` of a react agent over the fake model."""
    graph = create_react_agent(FakeChatModel(deltas=deltas), tools=[])

    async def run() -> int:
        count = 0
        async for item in graph.astream({"messages": [("user", "go")]}, stream_mode="messages"):
            count += _text(item)
        return count

    return run


def tool_run(rounds: int) -> Run:
    """`ainvoke()` of a react agent with the `add` tool."""
    graph = create_react_agent(FakeChatModel(rounds=rounds), tools=[add])
    config: Any = {"recursion_limit": 2 * rounds + 10}

    async def run() -> str:
        state = await graph.ainvoke({"messages": [("user", "add 1 and 2")]}, config)
        return str(state["messages"][-1].content)

    return run


@asynccontextmanager
async def http_session(base_url: str, prompt: str) -> AsyncIterator[Run]:
    """`astream(stream_mode="messages")` of a react agent over `ChatOpenAI`."""
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model="mock", base_url=base_url, api_key="bench", streaming=True)
    graph = create_react_agent(model, tools=[])

    async def run() -> int:
        count = 0
        async for item in graph.astream({"messages": [("user", prompt)]}, stream_mode="messages"):
            count += _text(item)
        return count

    yield run
