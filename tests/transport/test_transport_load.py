"""Load: 200 concurrent remote runs against one server on the mock model, all on loopback.

Every run must complete and every event must be accounted for (the events each client
received are exactly the server's log of that run). The rate is reported, never asserted;
`python -m benchmarks.transport_load` measures it with the server in its own process.
"""

from __future__ import annotations

from functools import partial

from transport_helpers import running

from benchmarks.transport_load import agent_on, drive
from remi_web.testing.mock_server import create_app as mock_llm_app
from remi_web.server import ServerConfig, create_app

RUNS = 200


async def test_200_concurrent_runs_all_complete_with_every_event_accounted_for(db: str) -> None:
    async with running(mock_llm_app()) as model_root:
        app = create_app(partial(agent_on, model_root + "/v1"), ServerConfig(db=db, insecure_no_auth=True))
        async with running(app) as root:
            report = await drive(root, RUNS)  # bounded inside: it stops by itself
    print(
        f"\n{report.completed}/{RUNS} runs in {report.seconds:.2f} s "
        f"({report.runs_per_second:.0f} runs/s, server, model and clients in one process); "
        f"{report.events} events"
    )
    assert report.failures == []
    assert report.completed == RUNS
    assert report.unaccounted == []
    assert report.events >= RUNS * 10  # each run streamed a tool round and an answer
