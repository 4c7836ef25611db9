"""`ChatApp`: the Textual chat behind `remi tui`: a message list (Markdown, tool cards,
thinking, sub-agents), an approval dialog that resumes the run, a status bar, the threads of
the store, slash commands and input history. Ctrl+C cancels the run; twice, it quits."""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Markdown

from ..core.agent import Agent
from ..core.events import AgentEvent, InterruptInfo
from ..core.ids import ThreadId
from ..core.messages import Message
from ..core.requests import ChatRequest, RunOverrides, Start
from ..core.store import Store
from .approval import ApprovalAnswer, ApprovalScreen
from .commands import SlashCommand, help_markdown, parse_command
from .exchange import Exchange
from .export import export_path, thread_markdown
from .history import InputHistory
from .messages import Notice, UserMessage
from .plan_panel import PlanPanel
from .prompt import PromptInput
from .replay import replay
from .status_bar import StatusBar
from .styles import CSS
from .threads import ThreadList, is_conversation, new_thread_name
from .transcript import RunView

QUIT_WINDOW = 3.0
"""Seconds within which a second Ctrl+C quits."""


class ChatApp(App[None]):
    """The terminal chat with one agent.

    Args:
        agent: the agent to talk to.
        about: one line saying what it is (shown at the start and in the header).
        model: the model's name (the status bar).
        store: where its threads are kept (None: no thread list beyond this session).
        thread: the thread to open (default: a new one).
    """

    TITLE = "remi"
    CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "interrupt", "Cancel / quit", priority=True),
        Binding("ctrl+t", "threads", "Threads"),
        Binding("ctrl+n", "new_thread", "New thread"),
    ]

    def __init__(
        self,
        agent: Agent[ChatRequest, AgentEvent],
        *,
        about: str = "",
        model: str = "",
        store: Store | None = None,
        thread: str | None = None,
    ) -> None:
        super().__init__()
        self.agent = agent
        self.about = about
        self.model_name = model
        self.store = store
        self.thread = thread or new_thread_name()
        self.overrides = RunOverrides()
        self.history = InputHistory()
        self.ended: list[AgentEvent] = []
        self.view: RunView | None = None
        self._seen_threads: list[str] = [self.thread]
        self._exchange: Exchange | None = None
        self._last_ctrl_c = -QUIT_WINDOW

    def compose(self) -> ComposeResult:
        """Header, threads, messages, plan, prompt, status."""
        yield Header()
        with Horizontal(id="body"):
            yield ThreadList()
            yield VerticalScroll(id="messages")
            yield PlanPanel()
        yield PromptInput(self.history)
        yield StatusBar(self.model_name, self.thread)

    async def on_mount(self) -> None:
        """Say what the agent is, draw the thread's history, focus the prompt."""
        self.sub_title = self.about
        self.query_one(ThreadList).display = False
        self.messages.anchor()
        if self.about:
            await self.say(self.about)
        await self.say("Type a message and press Enter; /help lists the commands.")
        await self._draw_history()
        self.query_one(PromptInput).focus()

    @property
    def messages(self) -> VerticalScroll:
        """The message list."""
        return self.query_one("#messages", VerticalScroll)

    @property
    def status(self) -> StatusBar:
        """The status bar."""
        return self.query_one(StatusBar)

    @property
    def running(self) -> bool:
        """Whether a run is going (streaming, or waiting for an approval)."""
        return self._exchange is not None

    async def say(self, text: str, kind: str = "info") -> Notice:
        """Add a line of the app's own to the message list."""
        notice = Notice(text, kind)
        await self.messages.mount(notice)
        return notice

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """A message or a slash command."""
        text = event.value
        event.input.value = ""
        if not text.strip():
            return
        self.history.add(text)
        command = parse_command(text)
        if command is not None:
            await self.run_command(command)
        else:
            await self.send(text[1:] if text.startswith("//") else text)

    async def send(self, text: str) -> None:
        """Start a run with the user's message on the current thread."""
        if self.running:
            await self.say("A run is going: wait for it, or press Ctrl+C to cancel it.",
                           "warning")
            return
        request = ChatRequest(
            Start([Message.user(text)]), thread_id=ThreadId(self.thread), overrides=self.overrides
        )
        view = self.view = RunView()
        exchange = self._exchange = Exchange(
            self.agent, view, self.status, self.query_one(PlanPanel), self._ask, self.ended
        )
        self.status.begin()
        try:
            await self.messages.mount_all([UserMessage(text), view])
        except BaseException:
            self._exchange = None
            raise
        self.run_worker(self._drive(exchange, request), group="run", exit_on_error=False)

    async def run_command(self, command: SlashCommand) -> None:
        """Do a slash command."""
        name, argument = command.name, command.argument
        if name == "help":
            await self.messages.mount(Markdown(help_markdown(), classes="help"))
        elif name == "quit":
            self.exit()
        elif name == "model":
            await self._model(argument)
        elif name == "export":
            await self._export(argument)
        elif name not in ("new", "threads", "clear"):
            await self.say(f"Unknown command /{name}; /help lists them.", "warning")
        elif self.running:
            await self.say(f"/{name} waits for the run to end (Ctrl+C cancels it).", "warning")
        elif name == "new":
            await self.open_thread(argument or new_thread_name(await self.thread_names()))
        elif name == "clear":
            await self.messages.remove_children()
            self.view = None
        elif argument.startswith("delete "):
            await self.delete_thread(argument.removeprefix("delete ").strip())
        elif argument:
            await self.open_thread(argument)
        else:
            await self.action_threads()

    async def open_thread(self, thread: str) -> None:
        """Make `thread` current and draw its history."""
        self.thread = thread
        if thread not in self._seen_threads:
            self._seen_threads.append(thread)
        self.status.set(thread=thread, turn=0)
        self.query_one(PlanPanel).display = False
        await self.messages.remove_children()
        self.view = None
        await self._draw_history()
        await self._refresh_threads()

    async def delete_thread(self, thread: str) -> None:
        """Delete `thread` from the store (a new thread is opened if it was the current one)."""
        if self.store is not None:
            await self.store.delete_thread(ThreadId(thread))
        if thread in self._seen_threads:
            self._seen_threads.remove(thread)
        if thread == self.thread:
            await self.open_thread(new_thread_name(await self.thread_names()))
        await self.say(f"Deleted thread {thread}.")
        await self._refresh_threads()

    async def thread_names(self) -> list[str]:
        """The conversations: the store's, then this session's not yet stored."""
        stored = [str(t) for t in await self.store.list_threads()] if self.store else []
        names = [t for t in stored if is_conversation(t)]
        return names + [t for t in self._seen_threads if t not in names]

    async def action_threads(self) -> None:
        """Show (or hide) the threads panel."""
        panel = self.query_one(ThreadList)
        panel.display = not panel.display
        if panel.display:
            await self._refresh_threads()
            panel.query_one("#thread-items").focus()
        else:
            self.query_one(PromptInput).focus()

    async def action_new_thread(self) -> None:
        """Start a new thread."""
        await self.run_command(SlashCommand("new"))

    async def on_thread_list_open(self, message: ThreadList.Open) -> None:
        """A thread was chosen in the panel."""
        await self.run_command(SlashCommand("threads", message.thread))
        self.query_one(PromptInput).focus()

    async def on_thread_list_delete(self, message: ThreadList.Delete) -> None:
        """A thread was deleted in the panel."""
        await self.run_command(SlashCommand("threads", f"delete {message.thread}"))

    async def on_thread_list_new(self, message: ThreadList.New) -> None:
        """A new thread was asked for in the panel."""
        await self.run_command(SlashCommand("new"))
        self.query_one(PromptInput).focus()

    def action_interrupt(self) -> None:
        """Ctrl+C: cancel the run (or the approval); a second one quits."""
        now = time.monotonic()
        if isinstance(self.screen, ApprovalScreen):
            self.screen.dismiss(None)
        elif self._exchange is not None and self._exchange.cancel():
            self.notify("Cancelling the run. Press Ctrl+C again to quit.", timeout=QUIT_WINDOW)
        elif now - self._last_ctrl_c < QUIT_WINDOW:
            self.exit()
        else:
            self.notify("Press Ctrl+C again to quit.", timeout=QUIT_WINDOW)
        self._last_ctrl_c = now

    async def _ask(self, info: InterruptInfo) -> ApprovalAnswer | None:
        answer: ApprovalAnswer | None = await self.push_screen_wait(ApprovalScreen(info))
        return answer

    async def _drive(self, exchange: Exchange, request: ChatRequest) -> None:
        try:
            await exchange.run(request)
        finally:
            self._exchange = None

    async def _draw_history(self) -> None:
        history = await self.store.load_messages(ThreadId(self.thread)) if self.store else []
        await replay(self.messages, history)
        said = f"{len(history)} messages" if history else "new"
        await self.say(f"Thread {self.thread} ({said}).")

    async def _export(self, argument: str) -> None:
        if self.store is not None:
            history = await self.store.load_messages(ThreadId(self.thread))
        else:
            history = self._shown_messages()
        path = export_path(self.thread, argument)
        try:
            path.write_text(thread_markdown(self.thread, history), encoding="utf-8")
        except OSError as error:
            await self.say(f"Could not export to {path}: {error.strerror or error}.", "error")
        else:
            await self.say(f"Exported thread {self.thread} to {path}.")

    def _shown_messages(self) -> list[Message]:
        shown: list[Message] = []
        for widget in self.messages.children:
            if isinstance(widget, UserMessage):
                shown.append(Message.user(widget.text))
            elif isinstance(widget, RunView) and widget.text:
                shown.append(Message.assistant(widget.text))
        return shown

    async def _model(self, argument: str) -> None:
        if argument:
            self.overrides = RunOverrides(model=argument)
            self.status.set(model=argument)
            await self.say(f"Model {argument} from the next run on.")
        else:
            await self.say(f"Model: {self.overrides.model or self.model_name}.")

    async def _refresh_threads(self) -> None:
        panel = self.query_one(ThreadList)
        if panel.display:
            await panel.show_threads(await self.thread_names(), self.thread)

