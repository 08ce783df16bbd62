"""Keyboard only, in Chromium: the four journeys of a shopper or agent with no mouse. Every step is a
keyboard.press, and after each one the test says where focus is and that it can be seen."""

from __future__ import annotations

import pytest

from tests.a11y import focus, press, press_until, type_keys
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TODAY = "2026-11-26T10:00:00+08:00"


@pytest.fixture
def kb_page(chromium):
    """A wide page that may use the clipboard, recording console errors."""
    context = chromium.new_context(
        viewport={"width": 1366, "height": 900},
        locale="zh-CN",
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def active(page, selector: str) -> bool:
    return page.evaluate("(sel) => document.activeElement.matches(sel)", selector)


def test_fill_and_submit_the_calculator_reach_the_result_and_copy_its_link(
    kb_page, live_server: LiveServer
):
    page = kb_page
    page.clock.set_fixed_time(TODAY)
    page.goto(f"{live_server.url}/tools/calculator/", wait_until="networkidle")
    page.wait_for_selector("form#kb-calc[data-ready]")

    assert press(page, "Tab")["name"] == "跳到正文"
    press(page, "Enter")  # the skip link takes the focus to the calculator's heading
    assert active(page, "h1#calculator") and page.url.endswith("#calculator")
    press(page, "Tab")
    assert active(page, "article a.headerlink")

    # Radio groups: Tab enters a group, the arrow keys choose.
    press(page, "Tab")
    assert active(page, "input[name=state][value=not_shipped]:checked")
    press(page, "ArrowRight")
    assert active(page, "input[name=state][value=shipped]:checked")
    press(page, "Tab")
    assert active(page, "input[name=action][value=cancel]:checked")
    press(page, "ArrowRight")
    assert active(page, "input[name=action][value=return]:checked")
    press(page, "Tab")
    assert active(page, "input[name=reason][value=quality]")
    press(page, "ArrowRight")
    assert active(page, "input[name=reason][value=other]:checked")

    press(page, "Tab")
    assert active(page, "#kb-calc-paid")
    type_keys(page, "299")
    press(page, "Tab")
    assert active(page, "#kb-calc-fee")
    type_keys(page, "50")
    press_until(page, "Tab", "#kb-calc button[type=submit]")  # through the date fields
    assert focus(page)["name"] == "计算"

    page.keyboard.press("Enter")
    page.locator("#kb-calc-result").wait_for()
    assert active(page, "#kb-calc button[type=submit]"), "submitting keeps focus on the button"
    status = page.locator("#kb-calc-status")
    assert status.get_attribute("role") == "status" and "¥249.00" in status.inner_text()

    # Tab goes on into the result: every stop inside it is visible, up to its copy button.
    press(page, "Tab")
    assert active(page, "#kb-calc-result *")
    press_until(page, "Tab", "#kb-calc-copy")
    assert focus(page)["name"] == "复制链接"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#kb-calc-copy-status').textContent.includes('已复制')"
    )
    assert active(page, "#kb-calc-copy")
    link = page.locator("#kb-calc-link").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert "paid=299" in link and "fee=50" in link and "reason=other" in link
    assert page.console_errors == []


def test_vote_not_helpful_with_a_reason(kb_page, live_server: LiveServer):
    page = kb_page
    page.goto(f"{live_server.url}/return/#return-apply", wait_until="networkidle")
    box = '.kb-feedback[data-id="return-apply"]'
    page.locator(box).wait_for()

    press(page, "Tab")  # from the answer a deep link opened on
    assert active(page, "#return-apply a.headerlink, #return-apply ~ * a")
    press_until(page, "Tab", f"{box} .kb-feedback__yes")
    assert focus(page)["name"] == "有帮助"
    press(page, "Tab")
    assert active(page, f"{box} .kb-feedback__no")

    page.keyboard.press("Enter")
    assert active(page, f"{box} input[name=reason][value=信息不全]"), "the reasons take the focus"
    assert focus(page)["visible"]
    press(page, "ArrowDown")
    assert active(page, f"{box} input[name=reason][value=看不懂]:checked")
    press(page, "Tab")
    assert active(page, f"{box} button[type=submit]")

    page.keyboard.press("Enter")
    thanks = page.locator(f"{box} .kb-feedback__status")
    thanks.wait_for()
    assert "谢谢反馈" in thanks.inner_text()
    assert active(page, f"{box} .kb-feedback__status"), "focus stays where the buttons were"
    press(page, "Tab")
    assert active(page, f"{box} a") and focus(page)["name"] == "怎样联系客服？"
    assert page.console_errors == []


def test_focus_never_lands_on_something_hidden_across_a_whole_page(
    chromium, live_server: LiveServer
):
    # On a phone the navigation drawer and the search overlay are closed: Tab must skip them, and
    # the menu button opens the drawer (no focus trap: Escape closes it and focus returns).
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/cancel/", wait_until="networkidle")
    page.locator(".kb-feedback").first.wait_for()
    seen = []
    for _ in range(60):
        where = press(page, "Tab")
        seen.append(where["name"])
        if active(page, "footer a"):
            break
    assert active(page, "footer a"), f"Tab reached the footer: {seen}"
    assert "大家最常问" not in seen, "the closed drawer's links are skipped"

    page.goto(f"{live_server.url}/cancel/", wait_until="networkidle")
    press_until(page, "Tab", "label[for=__drawer][role=button]")
    assert focus(page)["name"] == "导航菜单"
    menu = page.locator("label[for=__drawer][role=button]")
    assert menu.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.locator("#__drawer").is_checked() and menu.get_attribute("aria-expanded") == "true"
    press_until(page, "Tab", ".md-sidebar--primary a")  # into the drawer's navigation
    page.keyboard.press("Escape")
    assert not page.locator("#__drawer").is_checked()
    assert active(page, "label[for=__drawer][role=button]") and focus(page)["visible"]
    context.close()


def test_the_palette_switch_works_from_the_keyboard(kb_page, live_server: LiveServer):
    page = kb_page
    page.goto(f"{live_server.url}/", wait_until="networkidle")
    where = press_until(page, "Tab", "input.md-option")
    assert where["name"] == "浅色"
    press(page, "ArrowRight")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert active(page, "input.md-option:checked") and focus(page)["name"] == "深色"
    press(page, "ArrowLeft")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
