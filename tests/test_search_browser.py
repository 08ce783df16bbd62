"""Search answers in Chromium: several questions in one message, initials, and "你可能想问"."""

from __future__ import annotations

import pytest

from tests.helpers import LiveServer, open_served

# These tests take turns in one browser page, cleared for each (tests.helpers.Tab).
pytestmark = [pytest.mark.browser, pytest.mark.shared_page]


def agent(page, live_server: LiveServer, query: str) -> None:
    page.goto(f"{live_server.url}/search/?q={query}", wait_until="load")
    page.wait_for_function(  # the page's code loads on demand: wait for its answer, not its start
        "() => { const t = document.querySelector('.kb-agent__status')?.textContent || '';"
        " return t && !t.includes('正在搜索'); }"
    )


def test_agent_page_groups_the_answers_of_a_two_question_message(page, live_server: LiveServer):
    agent(page, live_server, "退货的包装要我自己准备吗？另外身份证照片有什么要求？")
    groups = page.locator(".kb-agent__group h3").all_inner_texts()
    assert groups[:2] == ["问题 1：退货的包装要我自己准备吗", "问题 2：另外身份证照片有什么要求"]
    ids = page.locator(".kb-agent__results > li").evaluate_all(
        "els => els.map(e => e.dataset.id || e.className)"
    )
    first, second = ids.index("return-packaging"), ids.index("customs-id-photo")
    assert 0 < first < ids.index("kb-agent__group", 1) < second
    assert page.console_errors == []


def test_pinyin_initials_work_on_the_agent_page(page, live_server: LiveServer):
    agent(page, live_server, "thyf")
    assert page.locator(".kb-agent__result").first.get_attribute("data-id") == "return-shipping-fee"


def test_an_unsure_question_offers_related_questions_and_customer_service(
    page, live_server: LiveServer
):
    agent(page, live_server, "清关那块有点搞不懂")
    assert "你可能想问" in page.locator(".kb-agent__status").inner_text()
    related = page.locator(".kb-agent__related a")
    assert related.count() >= 2
    assert related.last.get_attribute("href").endswith("/contact/#contact-service")
    open_served(page, f"{live_server.url}/")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("清关那块有点搞不懂")
    meta = page.locator(".kb-search-result .md-search-result__meta")
    page.wait_for_function(
        "() => document.querySelector('.kb-search-result .md-search-result__meta')?.textContent.includes('你可能想问')"
    )
    assert meta.locator("a.kb-contact").count() == 1
    assert page.locator(".kb-search-result a.kb-search-link").count() >= 2
    assert page.console_errors == []
