"""Keyboard only, in Chromium: the four journeys of a shopper or agent with no mouse. Every step is a
keyboard.press, and after each one the test says where focus is and that it can be seen."""

from __future__ import annotations

import pytest

from tests.a11y import focus, press, press_until, type_keys, walk
from tests.helpers import CLIPBOARD, LiveServer, Tab, answers_shown, open_served

pytestmark = pytest.mark.browser

TODAY = "2026-11-26T10:00:00+08:00"
WIDE = {"width": 1366, "height": 900}  # a laptop screen


@pytest.fixture
def kb_page(tab):
    """A wide page that may use the clipboard, recording console errors (this module's page, cleared)."""
    tab.set_viewport_size(WIDE)
    tab.context.grant_permissions(CLIPBOARD)
    return tab


@pytest.fixture
def clock_page(chromium):
    """kb_page in a context of its own: a test that fixes the clock cannot give it back."""
    tab = Tab(chromium, permissions=CLIPBOARD)
    tab.page.set_viewport_size(WIDE)
    yield tab.page
    tab.close()


def active(page, selector: str) -> bool:
    return page.evaluate("(sel) => document.activeElement.matches(sel)", selector)


@pytest.mark.parametrize("width", [1366, 390])
def test_search_from_the_header_move_through_suggestions_and_open_an_answer(
    tab, live_server: LiveServer, width: int
):
    page = tab
    page.set_viewport_size({"width": width, "height": 900})
    open_served(page, f"{live_server.url}/")
    box = page.locator("input.md-search__input")

    where = press_until(page, "Tab", "input.md-search__input")  # past the skip link and the header
    assert where["role"] == "combobox" and box.get_attribute("aria-expanded") == "false"
    type_keys(page, "tuihuo yunfei")  # 退货运费 in pinyin: letters a keyboard has
    options = page.locator(".kb-search-result [role=option]")
    answers_shown(page)
    page.locator(".kb-search-all[href$='?q=tuihuo%20yunfei']").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == page.locator(
        ".kb-search-result [role=listbox]"
    ).get_attribute("id")
    assert "找到" in page.locator(".kb-search-result [role=status]").inner_text()

    # The arrow keys move the highlighted option; the focus stays in the box.
    where = press(page, "ArrowDown")
    first, second = options.nth(0), options.nth(1)
    assert where["role"] == "combobox" and where["activedescendant"] == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    assert (
        first.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    )  # seen, not only announced
    # Announced by what it shows: category, question, snippet.
    assert page.get_by_role("option", name="退货运费谁出").first.get_attribute(
        "id"
    ) == first.get_attribute("id")
    where = press(page, "ArrowDown")
    assert where["activedescendant"] == second.get_attribute("id")
    assert first.get_attribute("aria-selected") == "false"
    where = press(page, "ArrowUp")
    assert where["activedescendant"] == first.get_attribute("id")

    page.keyboard.press("Enter")  # opens the highlighted answer
    page.wait_for_url("**/return/#return-shipping-fee")
    page.locator("#return-shipping-fee").wait_for()
    # The answer is in view, just under the header, also on a phone (where the open search had
    # locked the page's scroll while the answer arrived).
    page.wait_for_function(
        """() => {
          const top = document.getElementById("return-shipping-fee").getBoundingClientRect().top;
          const header = document.querySelector(".md-header").getBoundingClientRect().bottom;
          return top >= header - 1 && top < innerHeight / 2;
        }""",
        timeout=5000,
    )
    press(page, "Tab")  # the keyboard carries on from the answer, not from the top of the page
    assert active(
        page,
        "#return-shipping-fee a.headerlink, #return-shipping-fee ~ * a, #return-shipping-fee ~ * button",
    )


def test_agent_page_expand_an_answer_copy_it_and_copy_its_link(kb_page, live_server: LiveServer):
    page = kb_page
    open_served(page, f"{live_server.url}/search/?q=退货要自己包装吗")
    first = page.locator(".kb-agent__result").first
    first.wait_for()
    assert first.get_attribute("data-id") == "return-packaging"

    press_until(page, "Tab", "input[name=q]")
    assert focus(page)["name"] == "退货要自己包装吗"
    walk(
        page,
        [
            ("Tab", "select[name=category]"),
            ("Tab", ".kb-agent__form button[type=submit]"),
            ("Tab", ".kb-agent__result:first-child summary"),
        ],
    )
    details = first.locator("details")
    assert details.evaluate("d => d.open"), "the best answer is open"
    press(page, "Enter")
    assert not details.evaluate("d => d.open")
    press(page, "Enter")
    assert details.evaluate("d => d.open")
    press(page, "Tab")
    assert active(page, ".kb-agent__result:first-child .kb-agent__answer > a")
    press(page, "Tab")
    assert focus(page)["name"] == "复制答案"

    page.keyboard.press("Enter")
    announcer = page.locator("#kb-agent .kb-agent__announce[role=status]")
    page.wait_for_function(
        "() => document.querySelector('#kb-agent .kb-agent__announce')?.textContent.startsWith('已复制')"
    )
    assert "答案和链接" in announcer.inner_text()
    assert active(page, ".kb-agent__result:first-child .kb-agent__copy")
    clip = page.evaluate("navigator.clipboard.readText()")
    assert clip.rstrip().endswith(f"{live_server.url}/return/#return-packaging")

    press(page, "Tab")
    assert focus(page)["name"] == "复制链接"
    page.keyboard.press(" ")
    page.wait_for_function(
        "() => document.querySelector('#kb-agent .kb-agent__announce')?.textContent.endsWith('的链接')"
    )
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == f"{live_server.url}/return/#return-packaging"
    )
    assert page.console_errors == []


def test_fill_and_submit_the_calculator_reach_the_result_and_copy_its_link(
    clock_page, live_server: LiveServer
):
    page = clock_page
    page.clock.set_fixed_time(TODAY)
    open_served(page, f"{live_server.url}/tools/calculator/")
    page.wait_for_selector("form#kb-calc[data-ready]")

    assert press(page, "Tab")["name"] == "跳到正文"
    # The skip link takes the focus to the calculator's heading; in radio groups Tab enters a
    # group and the arrow keys choose.
    walk(
        page,
        [
            ("Enter", "h1#calculator"),
            ("Tab", "article a.headerlink"),
            ("Tab", "input[name=state][value=not_shipped]:checked"),
            ("ArrowRight", "input[name=state][value=shipped]:checked"),
            ("Tab", "input[name=action][value=cancel]:checked"),
            ("ArrowRight", "input[name=action][value=return]:checked"),
            ("Tab", "input[name=reason][value=quality]"),
            ("ArrowRight", "input[name=reason][value=other]:checked"),
            ("Tab", "#kb-calc-paid"),
        ],
    )
    assert page.url.endswith("#calculator")
    type_keys(page, "299")
    walk(page, [("Tab", "#kb-calc-fee")])
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
    open_served(page, f"{live_server.url}/return/#return-apply")
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


def test_focus_never_lands_on_something_hidden_across_a_whole_page(tab, live_server: LiveServer):
    # On a phone the navigation drawer and the search overlay are closed: Tab must skip them, and
    # the menu button opens the drawer (no focus trap: Escape closes it and focus returns).
    page = tab
    page.set_viewport_size({"width": 390, "height": 844})
    open_served(page, f"{live_server.url}/cancel/")
    page.locator(".kb-feedback").first.wait_for()
    seen = []
    for _ in range(60):
        where = press(page, "Tab")
        seen.append(where["name"])
        if active(page, "footer a"):
            break
    assert active(page, "footer a"), f"Tab reached the footer: {seen}"
    assert "大家最常问" not in seen, "the closed drawer's links are skipped"

    open_served(page, f"{live_server.url}/cancel/")
    press_until(page, "Tab", "button.kb-menu-button")
    assert focus(page)["name"] == "导航菜单"
    menu = page.locator("button.kb-menu-button")
    assert menu.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.locator("#__drawer").is_checked() and menu.get_attribute("aria-expanded") == "true"
    press_until(page, "Tab", ".md-sidebar--primary a")  # into the drawer's navigation
    page.keyboard.press("Escape")
    assert not page.locator("#__drawer").is_checked()
    assert active(page, "button.kb-menu-button") and focus(page)["visible"]


def test_the_palette_switch_works_from_the_keyboard(kb_page, live_server: LiveServer):
    page = kb_page
    open_served(page, f"{live_server.url}/")
    where = press_until(page, "Tab", "input.md-option")
    assert where["name"] == "浅色"
    press(page, "ArrowRight")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert active(page, "input.md-option:checked") and focus(page)["name"] == "深色"
    press(page, "ArrowLeft")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
