"""The deep agent the web app runs in deep mode (`/?mode=deep`): edit this file and reload.

`agent` is a `DeepAgentBuilder`: it plans with `write_todos` (the page's plan panel), hands
jobs to sub-agents with `task` (their work shows under the task's card) and works on the files
of `workspace`, a `VirtualFS` in the page whose files the page lists after every run. As in
web/agent.py, the page supplies the model from its settings (the built-in mock model plays a
plan, three sub-agents and a summary by default) and an IndexedDB store. Run it natively too:
`python web/deep_agent.py "research solar power"` (uses OPENAI_BASE_URL / OPENAI_API_KEY).
"""

from remi_web.deep import DeepAgentBuilder
from remi_web.tools import VirtualFS

workspace = VirtualFS()

agent = DeepAgentBuilder().workspace(workspace)


if __name__ == "__main__":
    import asyncio
    import os
    import sys

    from remi_web import OpenAIModel, TextDelta

    async def main(question: str) -> None:
        model = OpenAIModel(os.environ.get("OPENAI_MODEL", "mock"))
        async for event in agent.model(model).build().chat(question):
            if isinstance(event, TextDelta):
                print(event.text, end="", flush=True)
        print()
        for entry in workspace.walk("/"):
            if entry.kind == "file":
                print(f"{entry.path} ({entry.size} bytes)")

    asyncio.run(main(" ".join(sys.argv[1:]) or "research solar power"))
