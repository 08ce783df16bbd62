"""The site as a shopper sees it in Chromium: home page, one-click task routing, deep links."""

from __future__ import annotations

import pytest

# These tests take turns in one browser page, cleared for each (tests.helpers.Tab).
pytestmark = [pytest.mark.browser, pytest.mark.shared_page]


def test_home_page_renders_without_console_errors(page, static_site: str):
    page.goto(f"{static_site}/", wait_until="networkidle")
    assert page.locator("h1").first.inner_text().startswith("你好")
    for task in ("我想取消订单", "我要退货", "退款什么时候到账", "清关要身份证"):
        assert page.get_by_role("link", name=task).is_visible()
    assert page.console_errors == []


def test_clicking_i_want_to_return_reaches_the_return_page(page, static_site: str):
    page.goto(f"{static_site}/", wait_until="load")
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
    page.goto(f"{static_site}/", wait_until="load")
    link = page.get_by_role("link", name="我想取消订单")
    assert link.is_visible()
    box = link.bounding_box()
    assert box and box["x"] + box["width"] <= 360


HEADER_GAP_PX = 16  # a deep-linked heading sits at most this far below the sticky header


def heading_gap(page, fid: str) -> float:
    """How far below the header's bottom edge the heading's top is, in CSS pixels."""
    return page.evaluate(
        """id => document.getElementById(id).getBoundingClientRect().top
              - document.querySelector('.md-header').getBoundingClientRect().bottom""",
        fid,
    )


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 900)])
def test_deep_link_puts_the_heading_just_under_the_header(page, static_site: str, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{static_site}/refund/#return-refund-time", wait_until="networkidle")
    assert 0 <= heading_gap(page, "return-refund-time") <= HEADER_GAP_PX
    if viewport[0] > 1220:  # the table of contents is shown beside the page on wide screens
        active = page.locator(".md-nav--secondary .md-nav__link--active")
        page.wait_for_function(
            "() => document.querySelector('.md-nav--secondary .md-nav__link--active')?.textContent.includes('退货后多久拿到退款')"
        )
        assert "退货后多久拿到退款" in active.first.inner_text()
    assert page.console_errors == []


def test_home_page_title_cards_and_heading(page, static_site: str):
    page.goto(f"{static_site}/", wait_until="load")
    assert page.title() == "亚马逊海外购帮助中心"  # the site name once, not "X - X"
    cards = page.locator(".task-cards li")
    page.set_viewport_size({"width": 1366, "height": 900})
    tops = sorted({round(b["y"]) for b in (c.bounding_box() for c in cards.all())})
    assert len(tops) == 2, "four task cards as two rows of two on a wide screen"
    page.set_viewport_size({"width": 360, "height": 740})
    h1 = page.locator("h1")
    line_height = float(h1.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert h1.bounding_box()["height"] < 2 * line_height, "the home heading stays on one line"
    assert "Material for MkDocs" not in page.locator("footer").inner_text()


def test_calculator_page_has_one_heading(page, static_site: str):
    page.goto(f"{static_site}/tools/calculator/", wait_until="load")
    headings = page.locator("article h1, article h2").all_inner_texts()
    assert [h.strip("¶ \n") for h in headings][:1] == ["费用与退款日期计算器"]
    assert page.locator("article h1").count() == 1
    assert "计算器" not in [h.strip("¶ \n") for h in headings]


@pytest.mark.parametrize(("width", "shown"), [(390, True), (1366, False)])
def test_the_menu_button_shows_only_where_the_navigation_is_in_the_drawer(
    page, static_site: str, width: int, shown: bool
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{static_site}/return/", wait_until="load")
    assert page.get_by_role("button", name="导航菜单").is_visible() is shown
    assert page.locator(".md-tabs").is_visible() is not shown  # wide: the tabs are the navigation
