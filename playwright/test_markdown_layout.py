"""The answer as Markdown (drawn once per frame while it streams, highlighted, copyable, inert), the
layout on a phone (a drawer, nothing off-screen), dark mode, the growing input, and accessibility
(axe-core finds nothing serious on the main views)."""

from __future__ import annotations

import re
from typing import Any

from browser_app import ROOT, WebServer, ask, boot, ended_runs, screenshot, wait_for_end
from playwright.sync_api import BrowserContext, Page, expect

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PLAN = """Here is a plan:

# Trip plan

Some **bold words** and a [link](https://example.com/docs).

- first item
- second item

| City | Weather |
| --- | --- |
| Paris | sunny |

```python
def greet(name):
    return f"hello {name}"
```"""
CODE = 'def greet(name):\n    return f"hello {name}"'
# Long enough to stream for a few seconds at 200 tokens/s; a line of code wider than a phone.
LONG = PLAN + "\n\n" + "Words that keep the answer streaming for a while. " * 60 + """

```bash
echo a-very-long-command-line --with-flags --that-never-wrap --on-a-phone --screen-at-all
```"""
# Stops the page's frames: the test runs them when it wants (`window.runFrames()`).
HOLD_FRAMES = """() => {
  window.frames_ = [];
  window.requestAnimationFrame = (callback) => window.frames_.push(callback);
  window.cancelAnimationFrame = () => {};
  window.runFrames = () => window.frames_.splice(0).forEach((callback) => callback(performance.now()));
}"""
LUMINANCE = """(selector) => {
  const [r, g, b] = getComputedStyle(document.querySelector(selector)).backgroundColor
    .match(/\\d+/g).slice(0, 3).map((c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def answer(page: Page) -> Any:
    """The last answer's text (its rendered Markdown)."""
    return page.locator("#messages > .msg.assistant > .text").last


def serious_violations(page: Page) -> list[str]:
    """What axe-core finds on the page that is serious or critical, one line each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate("axe.run(document).then((r) => r.violations)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_an_answer_streams_as_markdown_drawn_once_per_frame(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    page.evaluate(HOLD_FRAMES)
    before = ended_runs(page)
    ask(page, LONG, wait=False)
    page.wait_for_function("window.remi.events.filter((e) => e.type === 'text_delta').length >= 10")
    # Many tokens arrived, yet nothing was drawn: one frame is waiting for all of them.
    assert page.evaluate("window.frames_.length") == 1
    assert answer(page).evaluate("(text) => text.childElementCount") == 0
    page.evaluate("window.runFrames()")
    expect(answer(page).locator("h1")).to_have_text("Trip plan")  # drawn mid-stream
    assert page.evaluate("window.remi.events.some((e) => e.type === 'done')") is False
    end = wait_for_end(page, before)  # the end draws the rest at once, frame or no frame
    assert end["type"] == "done"
    expect(answer(page).locator("pre code.language-bash")).to_contain_text("--screen-at-all")


def test_markdown_elements_highlighting_and_copy_buttons(
    context: BrowserContext, page: Page, web: WebServer
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web.url.rstrip("/"))
    boot(page, web.url)
    assert ask(page, PLAN)["type"] == "done"  # type: ignore[index]

    text = answer(page)
    expect(text.locator("h1")).to_have_text("Trip plan")
    expect(text.locator("strong")).to_have_text("bold words")
    expect(text.locator("ul > li")).to_have_text(["first item", "second item"])
    expect(text.locator("table td")).to_have_text(["Paris", "sunny"])
    link = text.locator("a", has_text="link")
    expect(link).to_have_attribute("href", "https://example.com/docs")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    code = text.locator(".code-block pre code.hljs.language-python")
    expect(code).to_have_text(CODE)
    assert code.locator(".hljs-keyword").all_inner_texts() == ["def", "return"]
    expect(code.locator(".hljs-title")).to_have_text("greet")
    expect(text.locator(".code-bar .lang")).to_have_text("python")
    screenshot(page, "desktop")

    text.locator(".code-bar .copy").click()
    expect(text.locator(".code-bar .copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == CODE
    page.locator("#messages > .msg.assistant > .msg-actions .copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == "You said: " + PLAN  # the Markdown


def test_model_output_runs_no_script(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    popups: list[str] = []
    page.context.on("page", lambda opened: popups.append(opened.url))
    payloads = [
        '<img src=x onerror="window.__xss=1">',
        "[x](javascript:window.__xss=1)",
        '<a href="javascript:window.__xss=1">y</a> <script>window.__xss=1</script>',
        '<svg onload="window.__xss=1"></svg> <iframe src="javascript:window.__xss=1"></iframe>',
        '<details open ontoggle="window.__xss=1">z</details>',
    ]
    for payload in payloads:
        assert ask(page, payload)["type"] == "done"  # type: ignore[index]
    page.wait_for_timeout(300)  # an onerror or onload would have run by now

    messages = page.locator("#messages")
    assert messages.locator("img, script, svg, iframe").count() == 0
    assert messages.locator("[onerror], [onload], [ontoggle]").count() == 0
    for name in ("x", "y"):
        link = messages.locator(".text a", has_text=name)
        expect(link).to_have_count(1)
        assert not re.match(r"\s*javascript:", link.get_attribute("href") or "", re.IGNORECASE)
        link.click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert [url for url in popups if url.startswith("javascript")] == []


def test_the_input_grows_and_keeps_the_focus(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    field = page.locator("#input")

    def height() -> float:
        value: float = field.evaluate("(input) => input.getBoundingClientRect().height")
        return value

    page.fill("#input", "one line")
    one = height()
    page.fill("#input", "\n".join(["a line"] * 5))
    five = height()
    assert five > one + 40
    page.fill("#input", "\n".join(["a line"] * 60))
    many = height()
    assert five < many <= 240 + 1  # up to a limit, then it scrolls
    assert field.evaluate("(input) => input.scrollHeight > input.clientHeight")
    page.fill("#input", "hello")
    before = ended_runs(page)
    page.click("#send")
    expect(field).to_be_focused()  # ready for the next message
    assert abs(height() - one) < 1  # one line again
    assert wait_for_end(page, before)["type"] == "done"
    page.keyboard.type("typed right away")
    expect(field).to_have_value("typed right away")


def test_a_phone_gets_a_drawer_and_nothing_off_screen(page: Page, web: WebServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    boot(page, web.url)
    assert ask(page, LONG)["type"] == "done"  # type: ignore[index]
    sidebar, menu = page.locator("#sidebar"), page.locator("#menu")
    for width, height in ((390, 844), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        expect(sidebar).to_be_hidden()
        assert page.evaluate(NO_OVERFLOW), page.evaluate("document.documentElement.scrollWidth")
        box = answer(page).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.set_viewport_size({"width": 390, "height": 844})
    answer(page).locator("h1").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the drawer's slide after the resize
    screenshot(page, "mobile")

    menu.click()
    expect(sidebar).to_be_in_viewport()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#new-chat")).to_be_focused()
    page.wait_for_timeout(300)
    screenshot(page, "mobile-drawer")
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    menu.click()
    expect(sidebar).to_be_visible()
    page.mouse.click(370, 400)  # the dimmed page beside the drawer
    expect(sidebar).to_be_hidden()
    menu.click()
    page.locator("#threads li .open").first.click()  # a conversation: back to the chat
    expect(sidebar).to_be_hidden()
    assert page.evaluate(NO_OVERFLOW)

    page.set_viewport_size({"width": 1280, "height": 760})  # a wide screen: no menu, the sidebar
    expect(menu).to_be_hidden()
    expect(sidebar).to_be_visible()


def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(page: Page, web: WebServer) -> None:
    page.emulate_media(color_scheme="dark")
    boot(page, web.url)
    toggle = page.locator("#theme-toggle")
    assert page.evaluate(LUMINANCE, "body") < 0.05
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert ask(page, PLAN)["type"] == "done"  # type: ignore[index]
    assert page.evaluate(LUMINANCE, ".msg.assistant") < 0.05
    assert page.evaluate(LUMINANCE, ".code-block") < 0.05
    screenshot(page, "dark")

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(LUMINANCE, "body") > 0.8
    assert page.evaluate("localStorage.getItem('remi-web-theme')") == "light"
    boot(page, web.url)  # reloaded: still light, though the system says dark
    assert page.evaluate(LUMINANCE, "body") > 0.8
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    assert page.evaluate(LUMINANCE, "body") < 0.05
    assert page.evaluate("localStorage.getItem('remi-web-theme')") == "dark"


def test_axe_finds_nothing_serious_on_the_main_views(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    assert ask(page, PLAN)["type"] == "done"  # type: ignore[index]
    assert serious_violations(page) == [], "chat"
    page.click("#theme-toggle")  # dark
    assert serious_violations(page) == [], "chat, dark"
    page.click("#open-settings")
    expect(page.locator("#settings")).to_be_visible()
    assert serious_violations(page) == [], "settings"
    page.keyboard.press("Escape")

    boot(page, web.url + "?mode=deep")  # still dark: the toggle is remembered
    assert ask(page, "research solar power")["type"] == "done"  # type: ignore[index]
    expect(page.locator("#plan-panel")).to_be_visible()
    assert serious_violations(page) == [], "deep mode, dark"
    page.click("#theme-toggle")
    assert serious_violations(page) == [], "deep mode"
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#menu")
    expect(page.locator("#sidebar")).to_be_in_viewport()
    assert serious_violations(page) == [], "phone, drawer open"
