"""Deep mode (`/?mode=deep`): the page runs web/deep_agent.py; its plan, its sub-agents' work and
its workspace's files show as the run streams. Without `?mode` the page is the chat it was."""

from __future__ import annotations

from browser_app import WebServer, ask, boot, screenshot
from playwright.sync_api import Page, expect

NOTES = ["/notes/background.md", "/notes/options.md", "/notes/risks.md"]
WATCH_PLAN = """() => {
  window.planCounts = [];
  const count = document.querySelector('#plan-panel .count');
  new MutationObserver(() => window.planCounts.push(count.textContent))
    .observe(count, { childList: true, characterData: true, subtree: true });
}"""


def test_deep_mode_shows_the_plan_the_sub_agents_and_the_files(page: Page, web: WebServer) -> None:
    boot(page, web.url + "?mode=deep")
    assert page.evaluate("window.remi.agentFile") == "deep_agent.py"
    expect(page.locator("#mode-deep")).to_have_attribute("aria-current", "page")
    expect(page.locator("#files-panel")).to_contain_text("No files yet.")
    expect(page.locator("#plan-panel")).to_be_hidden()  # until the agent plans
    page.evaluate(WATCH_PLAN)

    end = ask(page, "research solar power")

    assert end is not None and end["type"] == "done"
    plan = page.locator("#plan-panel")
    expect(plan.locator(".count")).to_have_text("4/4 done")
    assert page.evaluate("window.planCounts") == ["0/4 done", "3/4 done", "4/4 done"]  # live
    steps = plan.locator(".step")
    assert steps.count() == 4
    assert steps.evaluate_all("rows => rows.map(r => r.dataset.status)") == ["completed"] * 4
    assert plan.locator(".word").all_inner_texts() == ["done"] * 4  # not by colour alone
    assert "Research the background of research solar power" in steps.first.inner_text()

    tasks = page.locator("#messages > .msg > .task-card")
    assert tasks.count() == 3
    for index, aspect in enumerate(["background", "options", "risks"]):
        task = tasks.nth(index)
        assert task.locator(".agent").inner_text() == "general-purpose"
        assert f"/notes/{aspect}.md" in task.locator(".job").inner_text()
        section = task.locator("details.sub-agent")
        assert section.evaluate("details => details.open") is False  # collapsed once finished
        assert "finished" in section.locator("summary").inner_text()
        assert section.locator(".tool-card .name").text_content() == "fs_write"
        assert "Finished:" in section.locator(".msg .text").text_content()  # its streamed text
        assert task.locator(":scope > .result").inner_text().startswith("Report: Finished:")

    paths = page.locator("#files .path")
    expect(paths).to_have_text([*NOTES, "/summary.md"])
    expect(page.locator("#files-panel .count")).to_have_text("4 files")
    answer = page.locator("#messages > .msg.assistant > .text").last
    assert "/summary.md" in answer.inner_text()

    first = tasks.first.locator("details.sub-agent > summary")
    first.focus()
    page.keyboard.press("Enter")  # keyboard reachable: open the first sub-agent's work
    assert tasks.first.locator("details.sub-agent").evaluate("details => details.open") is True
    tasks.first.scroll_into_view_if_needed()
    screenshot(page, "deep_agent_plan")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(plan).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing off-screen
    box = page.locator("#panels").bounding_box()
    assert box is not None and box["width"] <= 390
    screenshot(page, "deep_agent_mobile")


def test_chat_mode_still_runs_the_chat_agent_file(page: Page, web: WebServer) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    boot(page, web.url)
    assert page.evaluate("window.remi.agentFile") == "agent.py"
    assert web.url + "agent.py" in requested and web.url + "deep_agent.py" not in requested
    expect(page.locator("#mode-chat")).to_have_attribute("aria-current", "page")

    end = ask(page, "what is 2+3*4?")

    assert end is not None and end["type"] == "done"
    assert page.locator(".tool-card .result").inner_text() == "→ 14"
    expect(page.locator("#panels")).to_be_hidden()  # no plan, no workspace

    page.click("#mode-deep")  # the header's switch
    page.wait_for_url("**/?mode=deep")
    assert "error" not in page.evaluate("window.remi.ready")
    assert page.evaluate("window.remi.agentFile") == "deep_agent.py"
    expect(page.locator("#threads li")).to_have_count(0)  # each mode keeps its conversations
