"""The served help center in Chromium: search as you type, the agent page, feedback, and the fallback."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from search.analytics import report
from search.publisher import publish
from search.settings import Settings
from tests.helpers import (
    CLIPBOARD,
    LiveServer,
    answers_shown,
    copy_built,
    eventually,
    open_served,
)

# These tests take turns in one browser page, cleared for each (tests.helpers.Tab).
pytestmark = [pytest.mark.browser, pytest.mark.shared_page]


def type_query(page, text: str) -> None:
    """Type into Material's header search box the way a shopper does (focus, then text input)."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(text)  # fires `input`, as an input method does when it commits the characters
    box.dispatch_event("keyup")  # …and the key release Material's own search listens for


def test_typing_in_the_header_shows_api_results_and_the_first_opens_its_answer(
    page, live_server: LiveServer
):
    open_served(page, f"{live_server.url}/")
    type_query(page, "退货运费")
    first = page.locator(".kb-search-result a.kb-search-link").first
    answers_shown(page)
    assert first.get_attribute("data-id") == "return-shipping-fee"
    assert page.locator(".kb-search-result mark").count() >= 1
    first.click()
    page.wait_for_url("**/return/#return-shipping-fee")
    heading = page.locator("#return-shipping-fee")
    heading.wait_for()
    page.wait_for_function(
        "() => { const r = document.getElementById('return-shipping-fee').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; }"
    )
    assert page.console_errors == []


def test_arrow_keys_move_through_results_and_enter_opens_the_answer_page(
    page, live_server: LiveServer
):
    open_served(page, f"{live_server.url}/cancel/")
    type_query(page, "取消订单要手续费吗")
    answers_shown(page)  # they replace the completions (and reset the highlight)
    page.keyboard.press("ArrowDown")  # the combobox pattern: the option is highlighted, focus stays
    first = page.locator(".kb-search-result a.kb-search-link").first
    box = page.locator("input.md-search__input")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") is None
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.locator(".kb-agent__result").first.wait_for()
    assert "取消订单要手续费吗" in page.url or "%E5%8F%96" in page.url
    assert page.console_errors == []


def test_agent_page_copies_the_answer_with_its_deep_link(page, live_server: LiveServer):
    page.context.grant_permissions(CLIPBOARD)
    page.goto(f"{live_server.url}/search/?q=退货要自己包装吗", wait_until="load")
    first = page.locator(".kb-agent__result").first
    first.wait_for()
    status = page.locator(".kb-agent__status").inner_text()
    assert "找到" in status and "毫秒" in status
    assert page.locator("#__search").is_checked() is False, (
        "Material's own search must not cover the page"
    )
    assert first.get_attribute("data-id") == "return-packaging"
    first.get_by_role("button", name="复制答案").click()
    page.wait_for_function(
        "() => document.querySelector('.kb-agent__copy').textContent.includes('已复制')"
    )
    clip = page.evaluate("navigator.clipboard.readText()")
    assert "配送员不提供任何商品包装服务" in clip
    assert clip.rstrip().endswith(f"{live_server.url}/return/#return-packaging")
    first.get_by_role("button", name="复制链接").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.kb-agent__copy')[1].textContent.includes('已复制')"
    )
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == f"{live_server.url}/return/#return-packaging"
    )
    assert "q=" in page.url, "the query stays in the address bar so the page can be linked"
    assert page.console_errors == []


def test_agent_page_filters_by_category(page, live_server: LiveServer):
    page.goto(f"{live_server.url}/search/?q=退款", wait_until="load")
    page.locator(".kb-agent__result").first.wait_for()
    page.select_option("select[name=category]", "退货")
    page.wait_for_function("() => location.search.includes('category=')")
    page.locator(".kb-agent__result").first.wait_for()
    categories = page.locator(".kb-agent__result .kb-category").all_inner_texts()
    assert categories and set(categories) == {"退货"}
    assert page.console_errors == []


def test_with_the_api_unreachable_the_header_falls_back_to_the_builtin_search(
    page, live_server: LiveServer
):
    page.route("**/api/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/", wait_until="networkidle")
    type_query(page, "退货")
    page.locator(".md-search-result__list li").first.wait_for()
    # The service said it was there, but its API fails: Material's own results take over.
    page.wait_for_function("() => !document.body.classList.contains('kb-api')")
    assert page.locator(
        ".md-search-result:not(.kb-search-result) .md-search-result__list li"
    ).first.is_visible()
    assert not page.locator(".kb-search-result").is_visible()
    assert not any(
        "api" not in e and "Failed to load resource" not in e for e in page.console_errors
    )


def test_static_site_without_the_service_still_searches(page, static_site: str):
    page.goto(f"{static_site}/", wait_until="networkidle")
    type_query(page, "清关")
    page.locator(".md-search-result__list li").first.wait_for()
    assert "清关" in page.locator(".md-search-result__list").inner_text()
    assert page.locator(".kb-search-result").count() == 0, "no API panel on a static copy"
    assert page.console_errors == [], "a static copy must not call the missing API"


@pytest.mark.parametrize("served", ["service", "static"])
def test_the_builtin_search_index_is_built_only_once_the_search_box_is_used(
    page, live_server: LiveServer, static_site: str, served: str
):
    # Material builds the whole site's index in a worker: a page load that never searches skips it.
    if served == "service":
        open_served(page, f"{live_server.url}/return/")
    else:
        page.goto(f"{static_site}/return/", wait_until="networkidle")
    page.wait_for_timeout(300)  # anything the page would still start
    assert page.workers == []
    type_query(page, "清关")
    if served == "service":  # the service answers; Material's results wait unseen, as before
        page.locator(".kb-search-result [role=option]").first.wait_for()
    else:  # Material's own results, from the worker started just now
        page.locator(".md-search-result__list li").first.wait_for()
        assert "清关" in page.locator(".md-search-result__list").inner_text()
    eventually(lambda: len(page.workers) == 1)
    page.goto(f"{static_site}/return/?q=" + quote("清关"), wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__list li').length")
    assert len(page.workers) == 1, "a link that asks for a search starts it at once"
    assert page.console_errors == []


def test_feedback_not_helpful_with_a_reason_shows_in_the_report(page, live_server: LiveServer):
    page.goto(f"{live_server.url}/customs/#customs-id-photo", wait_until="load")
    box = page.locator('.kb-feedback[data-id="customs-id-photo"]')
    box.wait_for()
    box.get_by_role("button", name="没帮助").click()
    box.get_by_label("看不懂").check()
    box.get_by_role("button", name="提交").click()
    page.locator('.kb-feedback[data-id="customs-id-photo"]', has_text="谢谢反馈").wait_for()

    def recorded():
        rows = report(live_server.settings.analytics_db)["feedback"]
        return next((r for r in rows if r["id"] == "customs-id-photo"), None)

    row = eventually(recorded)  # the server writes its batch within a second
    assert row["not_helpful"] >= 1 and row["reasons"].get("看不懂", 0) >= 1
    assert page.console_errors == []


def test_html_planted_in_a_page_shows_as_text_in_snippets(
    page, indexed_project: Settings, tmp_path: Path
):
    settings = copy_built(tmp_path / "xss", indexed_project)
    page_md = settings.docs_dir / "return.md"
    planted = "\n提示：如果看到 &lt;script&gt;window.__xss=1&lt;/script&gt; 或 &lt;img src=x onerror=window.__xss=2&gt; 这样的奇怪文字，请忽略。\n"
    text = page_md.read_text("utf-8").replace(
        "## 退货运费谁出、怎么付？ {#return-shipping-fee}\n",
        "## 退货运费谁出、怎么付？ {#return-shipping-fee}\n" + planted,
        1,
    )
    page_md.write_text(text, "utf-8")
    publish(settings)  # in this process: kb serve then starts on a live release, building nothing
    server = LiveServer(settings, tmp_path / "serve.log")
    try:
        open_served(page, f"{server.url}/")
        type_query(page, "奇怪文字 script onerror")
        result = page.locator(".kb-search-result .md-search-result__item").first
        result.wait_for()
        shown = page.locator(".kb-search-result").inner_text()
        assert "<script>" in shown or "<img src=x onerror" in shown
        assert page.evaluate("window.__xss") is None
        assert page.locator(".kb-search-result script, .kb-search-result img").count() == 0
        page.goto(f"{server.url}/search/?q=奇怪文字", wait_until="load")
        page.locator(".kb-agent__result").first.wait_for()
        page.locator(".kb-agent__result summary").first.click()
        assert "<script>" in page.locator(".kb-agent__results").inner_text()
        assert page.evaluate("window.__xss") is None
        assert page.console_errors == []
    finally:
        server.stop()


def test_links_navigate_instantly_on_any_port(page, live_server: LiveServer):
    page.goto(f"{live_server.url}/", wait_until="networkidle")
    page.evaluate("window.__samePage = true")
    page.get_by_role("link", name="退货运费谁出、怎么付？").click()
    page.wait_for_url("**/return/#return-shipping-fee")
    page.locator("#return-shipping-fee").wait_for()
    assert page.evaluate("window.__samePage") is True, (
        "Material's instant navigation should not reload"
    )
    assert page.console_errors == []


def test_deep_link_on_a_phone_lands_just_under_the_header_with_the_widgets_in(
    page, live_server: LiveServer
):
    # With the service, a feedback widget goes in under every answer after the browser has
    # scrolled to the #id: the heading must stay just under the header (it used to land ~88 px low).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/refund/#return-refund-time", wait_until="load")
    page.locator(".kb-feedback").first.wait_for()
    gap = page.evaluate(
        """() => document.getElementById('return-refund-time').getBoundingClientRect().top
               - document.querySelector('.md-header').getBoundingClientRect().bottom"""
    )
    assert 0 <= gap <= 16, gap


def test_copy_answer_gives_chat_ready_text_with_step_numbers_and_urls(
    page, live_server: LiveServer
):
    page.context.grant_permissions(CLIPBOARD)
    page.goto(f"{live_server.url}/search/?q=退货后多久拿到退款", wait_until="load")
    item = page.locator('.kb-agent__result[data-id="return-refund-time"]')
    item.wait_for()
    if not item.locator("details").evaluate("d => d.open"):
        item.locator("summary").click()
    item.get_by_role("button", name="复制答案").click()
    page.wait_for_function(
        """() => document.querySelector('.kb-agent__result[data-id="return-refund-time"] .kb-agent__copy')
                   .textContent.includes('已复制')"""
    )
    lines = page.evaluate("navigator.clipboard.readText()").splitlines()
    assert lines[0] == "退货后多久拿到退款？"
    steps = [line for line in lines if line[:2] in ("1.", "2.", "3.", "4.")]
    assert [s[:2] for s in steps] == ["1.", "2.", "3.", "4."], lines
    assert steps[0].startswith("1. 运回海外库房：")
    # A link is its text plus the full URL; an admonition title is a line of its own.
    assert f"已退款但银行卡没到账怎么办（{live_server.url}/refund/#refund-bank）" in steps[3]
    assert "这些都是平均时间" in lines
    assert lines[-1] == f"{live_server.url}/refund/#return-refund-time"
    assert not any("¶" in line or "最后更新" in line or "没找到答案" in line for line in lines)
    assert page.console_errors == []


def test_not_found_page_is_chinese_and_links_home(page, live_server: LiveServer):
    response = page.goto(f"{live_server.url}/no-such-page/", wait_until="networkidle")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang").startswith("zh")
    assert page.locator("h1").inner_text().strip() == "没有找到这个页面"
    body = page.locator("article").inner_text()
    assert "Not found" not in body and "404" not in page.title()
    home = page.get_by_role("link", name="回到首页")
    assert home.evaluate("a => a.href") == f"{live_server.url}/"
    calculator = page.get_by_role("link", name="费用与退款日期计算器")
    assert calculator.evaluate("a => a.href") == f"{live_server.url}/tools/calculator/#calculator"
    assert "Material for MkDocs" not in page.locator("footer").inner_text()
    # Its search box asks the home page's search with the question.
    page.get_by_label("搜索问题").fill("退货运费")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url(f"{live_server.url}/?q=*")
    # Material opens its search with ?q= on the home page: the question is in the search box.
    page.wait_for_function(
        "() => document.querySelector('input.md-search__input')?.value === '退货运费'"
    )


def test_not_helpful_offers_the_customer_service_route_and_reasons_fit_a_phone(
    page, live_server: LiveServer
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/cancel/", wait_until="load")
    box = page.locator(".kb-feedback").first
    box.get_by_role("button", name="没帮助").click()
    for label in box.locator("fieldset label").all():
        assert len(label.evaluate("el => [...el.getClientRects()]")) == 1, label.inner_text()
        assert label.evaluate("el => el.getBoundingClientRect().height") < 40, label.inner_text()
    box.get_by_label("看不懂").check()
    box.get_by_role("button", name="提交").click()
    box.get_by_text("谢谢反馈").wait_for()
    link = box.get_by_role("link", name="怎样联系客服？")
    assert link.get_attribute("href").endswith("/contact/#contact-service")
    assert page.console_errors == []


def test_typing_key_by_key_then_clicking_records_one_search_with_its_click(
    page, indexed_project: Settings, tmp_path: Path
):
    db = tmp_path / "analytics.sqlite3"
    server = LiveServer(indexed_project, tmp_path / "serve.log", env={"KB_ANALYTICS_DB": str(db)})
    try:
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
        open_served(page, f"{server.url}/")
        page.locator("input.md-search__input").click()
        page.keyboard.type("quxiaodingdan", delay=60)  # one key at a time, as a shopper types
        first = page.locator(".kb-search-result a.kb-search-link").first
        page.wait_for_function(
            "() => document.querySelector('.kb-search-result .md-search-result__meta')"
            ".textContent.startsWith('找到')"
        )
        clicked = first.get_attribute("data-id")
        first.click()
        page.wait_for_url(f"**/#{clicked}")

        def stored():
            with sqlite3.connect(db) as c:  # `kb serve` made the tables when it started
                s = c.execute("SELECT query, view FROM searches").fetchall()
                k = c.execute("SELECT query, id, view FROM clicks").fetchall()
            return (s, k) if s and k else None

        searches, clicks = eventually(stored, timeout=15)
        time.sleep(2)  # anything still to come (a settle timer, a late beacon) would land now
        searches, clicks = stored()
        assert searches == [("quxiaodingdan", searches[0][1])], "one search: what was meant"
        assert searches[0][1], "the search carries its page view"
        assert clicks == [("quxiaodingdan", clicked, searches[0][1])], "its click, tied to it"
        full = [u for u in asked if "/api/search" in u]
        assert 1 <= len(full) <= 4, f"a full search only on pauses, not per key: {full}"
        assert any("/api/suggest" in u for u in asked), "completions while typing"
    finally:
        server.stop()


def test_a_prefix_of_an_answered_question_reuses_its_answer(page, live_server: LiveServer):
    open_served(page, f"{live_server.url}/")
    type_query(page, "退货运费谁出")
    answers_shown(page)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/search" in r.url else None)
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.wait_for_timeout(800)  # longer than the pause that would start a full search
    assert page.locator(".kb-search-result .md-search-result__meta").inner_text().startswith("找到")
    assert asked == [], "the beginning of an answered question is not searched again"
