"""The site as a shopper sees it in Chromium: home page, one-click task routing, deep links."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_home_page_renders_without_console_errors(page, static_site: str):
    page.goto(f"{static_site}/", wait_until="networkidle")
    assert page.locator("h1").first.inner_text().startswith("你好")
    for task in ("我想取消订单", "我要退货", "退款什么时候到账", "清关要身份证"):
        assert page.get_by_role("link", name=task).is_visible()
    assert page.console_errors == []


def test_clicking_i_want_to_return_reaches_the_return_page(page, static_site: str):
    page.goto(f"{static_site}/", wait_until="networkidle")
    page.get_by_role("link", name="我要退货").click()
    page.wait_for_url("**/return/#return-apply")
    assert page.locator("#return-apply").is_visible()
    assert "怎样申请退货" in page.locator("#return-apply").inner_text()
    assert page.console_errors == []


def test_deep_link_opens_on_its_section(page, static_site: str):
    page.goto(f"{static_site}/return/#return-shipping-fee", wait_until="networkidle")
    heading = page.locator("#return-shipping-fee")
    assert heading.is_visible()
    top = heading.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"] / 2, "the section should be scrolled into view"
    assert page.console_errors == []


def test_phone_width_home_page_keeps_the_tasks_reachable(page, static_site: str):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{static_site}/", wait_until="networkidle")
    link = page.get_by_role("link", name="我想取消订单")
    assert link.is_visible()
    box = link.bounding_box()
    assert box and box["x"] + box["width"] <= 360
