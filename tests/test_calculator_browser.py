"""The fee and refund-date calculator in Chromium: results, shareable links, inline errors, instant navigation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import CLIPBOARD, Tab

pytestmark = pytest.mark.browser

TODAY = (
    "2026-11-26T10:00:00+08:00"  # the browser's clock: "today" decides the default date and limits
)
PATH = "/tools/calculator/"
ROOT = Path(__file__).resolve().parent.parent
# A received order returned for a non-quality reason: the international return fee applies.
OTHER_REASON_RETURN = {"state": "已发货", "action": "退货", "reason": "其他原因"}


def calculator_errors(page) -> list[str]:
    """Console and page errors, less the search service's health probe (absent on a static host)."""
    return [e for e in page.console_errors if not e.startswith("Failed to load resource")] + [
        f"{m.text} ({m.location['url']})"
        for m in page.failed_loads
        if "/api/" not in m.location["url"]
    ]


@pytest.fixture(scope="module")
def calculator_tab(module_tab: Tab) -> Tab:
    """This module's browser page, its clock fixed at TODAY for every test here, recording
    failed resource loads with their URLs in `failed_loads`."""
    page = module_tab.page
    page.clock.set_fixed_time(TODAY)
    page.on(
        "console",
        lambda m: (
            page.failed_loads.append(m)
            if m.type == "error" and "Failed to load" in m.text
            else None
        ),
    )
    return module_tab


@pytest.fixture
def calc(calculator_tab: Tab, static_site: str):
    """The calculator tests' page, as a new one with the fixed clock would be."""
    page = calculator_tab.fresh()
    page.failed_loads = []
    page.base = static_site
    return page


def open_calculator(page, query: str = "") -> None:
    page.goto(
        f"{page.base}{PATH}{query}", wait_until="load"
    )  # the waits below say when it is ready
    page.wait_for_selector("form#kb-calc[data-ready]")
    page.wait_for_function(
        "!document.querySelector('#kb-calc-status').textContent.includes('正在加载')"
    )


def fill(page, *, state: str, action: str, paid: str, date: str, reason: str = "", fee: str = ""):
    page.get_by_role("radio", name=state, exact=True).check()
    page.get_by_role("radio", name=action, exact=True).check()
    if reason:
        page.get_by_role("radio", name=reason, exact=True).check()
    page.get_by_label("实付金额（元）").fill(paid)
    if fee:
        page.get_by_label("国际退货费用（元，选填）").fill(fee)
    page.get_by_label("申请日期").fill(date)


def step_dates(page) -> dict[str, str]:
    """Each timeline step's machine-readable date (or date range) by step id."""
    return page.eval_on_selector_all(
        ".kb-calc-step",
        "els => Object.fromEntries(els.map(li => [li.dataset.step, li.querySelector('time')?.getAttribute('datetime') ?? null]))",
    )


def result_text(page) -> str:
    return page.locator("#kb-calc-result").inner_text()


def test_return_across_national_day_2026(calc):
    open_calculator(calc)
    fill(calc, state="已发货", action="退货", reason="商品质量问题", paid="899", date="2026-09-15")
    calc.get_by_role("button", name="计算", exact=True).click()
    calc.locator("#kb-calc-result").wait_for()
    assert calc.locator(".kb-calc-refund__amount").inner_text() == "¥899.00"
    assert step_dates(calc) == {
        "request": "2026-09-15",
        "notice": "2026-09-15/2026-09-16",
        "upload": "2026-09-15/2026-09-16",
        "pickup": "2026-09-16",
        "transit": "2026-10-13",  # 15 working days: 9/20 and 10/10 are make-up working days
        "refund": "2026-10-16/2026-10-27",
        "bank": None,
    }
    text = result_text(calc)
    # The holidays that moved the date are named; the assumed pickup day says it is one.
    assert (
        "2026年10月13日（周二） 前后，遇中秋节、国庆节假期顺延；9月20日（周日）、10月10日（周六）调休上班"
        in text
    )
    assert "2026年9月16日（周三）（假设）" in text
    assert "最早可能" not in text and "¥0.00" not in text
    assert "帮助中心没有写到这种情况要付" in text
    badges = calc.eval_on_selector_all(
        ".kb-calc-step",
        "els => Object.fromEntries(els.map(li => [li.dataset.step, [...li.querySelectorAll('.kb-calc-badge')].map(b => b.textContent)]))",
    )
    assert badges["pickup"] == ["假设"] and badges["notice"] == []
    assert badges["transit"] == ["预计", "假设"] and badges["refund"] == ["预计", "假设"]
    assumptions = calc.locator(".kb-calc-assumptions").inner_text()
    assert "申请后第 1 天取件" in assumptions and "到货当天就确认" in assumptions
    # The headline and the status line carry the caveat in the same sentence (these dates are
    # before the fixed "today", so it also says so).
    summary = calc.locator(".kb-calc-result__summary").inner_text()
    assert "按平均时间和假设的取件日期估算" in summary and "已经过去" in summary
    status = calc.locator("#kb-calc-status").inner_text()
    assert status == summary and "¥899.00" in status  # announced through role=status
    assert calculator_errors(calc) == []


def test_non_quality_return_deducts_the_fee_and_links_each_step(calc):
    open_calculator(calc)
    fill(calc, **OTHER_REASON_RETURN, paid="500", fee="68.5", date="2026-06-10")
    calc.get_by_label("实付金额（元）").press("Enter")  # the keyboard path: Enter submits the form
    calc.locator("#kb-calc-result").wait_for()
    assert calc.locator(".kb-calc-refund__amount").inner_text() == "¥431.50"
    assert step_dates(calc)["refund"] == "2026-07-08/2026-07-17"
    assert "¥68.50，从退款中扣除" in result_text(calc)
    links = calc.eval_on_selector_all(
        ".kb-calc-step", "els => els.map(li => [...li.querySelectorAll('a')].map(a => a.href))"
    )
    assert all(links), "every step links to the FAQ entry that explains it"
    assert links[3][0].endswith("/return/#return-pickup")
    calc.locator(".kb-calc-step[data-step=pickup] a").first.click()
    calc.wait_for_url("**/return/#return-pickup")
    assert calc.locator("#return-pickup").is_visible()
    assert calculator_errors(calc) == []


def test_empty_fee_is_not_invented_and_2027_is_an_estimate(calc):
    open_calculator(calc)
    fill(calc, **OTHER_REASON_RETURN, paid="1299", date="2026-11-26")
    calc.get_by_role("button", name="计算", exact=True).click()
    calc.locator("#kb-calc-result").wait_for()
    amount = calc.locator(".kb-calc-refund__amount").inner_text()
    assert amount == "¥1,299.00 减去系统显示的国际退货费用"
    text = result_text(calc)
    assert "金额看系统显示的“退货运费”" in text
    assert "2027 年的放假安排还没有正式公布" in text
    assert step_dates(calc)["refund"] == "2026-12-23/2027-01-04"
    summary = calc.locator(".kb-calc-result__summary").inner_text()
    assert "按平均时间和假设的取件日期估算，约在" in summary and "可能更晚" in summary
    refund_step = calc.locator(".kb-calc-step[data-step=refund]").inner_text()
    assert "用到了 2027 年的估算日历" in refund_step
    assert "估算日历" not in calc.locator(".kb-calc-step[data-step=transit]").inner_text()


def test_shareable_link_reproduces_the_result(calc, chromium):
    open_calculator(calc)
    fill(calc, **OTHER_REASON_RETURN, paid="500", fee="68.5", date="2026-06-10")
    calc.get_by_label("上门取件日期（选填）").fill("2026-06-12")
    calc.get_by_role("button", name="计算", exact=True).click()
    calc.locator("#kb-calc-result").wait_for()
    link = calc.locator("#kb-calc-link").input_value()
    assert "paid=500" in link and "pickup=2026-06-12" in link and link == calc.url
    before = (calc.locator(".kb-calc-refund__amount").inner_text(), step_dates(calc))

    calc.context.grant_permissions(CLIPBOARD)
    calc.get_by_role("button", name="复制链接").click()
    expect_text(calc, "#kb-calc-copy-status", "链接已复制")
    assert calc.evaluate("navigator.clipboard.readText()") == link

    other = chromium.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN")
    try:
        page2 = other.new_page()
        errors: list[str] = []
        page2.on("pageerror", lambda e: errors.append(str(e)))
        page2.clock.set_fixed_time(TODAY)
        page2.goto(link, wait_until="load")
        page2.locator("#kb-calc-result").wait_for()
        after = (page2.locator(".kb-calc-refund__amount").inner_text(), step_dates(page2))
        assert after == before
        assert page2.get_by_label("实付金额（元）").input_value() == "500"
        assert page2.get_by_role("radio", name="其他原因").is_checked()
        assert errors == []
    finally:
        other.close()


def expect_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => document.querySelector(s).textContent.includes(t)", arg=[selector, text]
    )


@pytest.mark.parametrize(
    ("paid", "message"),
    [
        ("-5", "金额不能是负数"),
        ("abc", "请只填数字"),
        ("99999999", "金额超过 ¥100,000.00"),
    ],
)
def test_bad_amount_shows_an_inline_message_and_hides_results(calc, paid, message):
    open_calculator(calc, "?state=not_shipped&action=cancel&paid=299&date=2026-11-26")
    calc.locator("#kb-calc-result").wait_for()
    box = calc.get_by_label("实付金额（元）")
    box.fill(paid)
    box.press("Tab")  # a change event, as when a shopper leaves the field
    error = calc.locator("#kb-calc-paid-error")
    expect_text(calc, "#kb-calc-paid-error", message)
    assert error.is_visible()
    assert box.get_attribute("aria-invalid") == "true"
    assert "kb-calc-paid-error" in box.get_attribute("aria-describedby")
    assert error.get_attribute("aria-live") == "polite"
    assert calc.locator("#kb-calc-result").is_hidden()
    page_text = calc.locator("article").inner_text()
    assert "NaN" not in page_text and "Invalid Date" not in page_text
    # Fixing the value clears the message and brings the result back.
    box.fill("299")
    assert error.inner_text() == ""
    box.press("Enter")
    calc.locator("#kb-calc-result").wait_for()
    assert calculator_errors(calc) == []


def test_fee_above_amount_is_an_error_next_to_the_fee(calc):
    open_calculator(calc)
    fill(calc, **OTHER_REASON_RETURN, paid="100", fee="120", date="2026-11-26")
    calc.get_by_role("button", name="计算", exact=True).click()
    expect_text(calc, "#kb-calc-fee-error", "国际退货费用不能超过实付金额（¥100.00）")
    assert calc.locator("#kb-calc-result").is_hidden()
    # Submitting with an error moves the focus to the field to fix.
    assert calc.evaluate("document.activeElement.id") == "kb-calc-fee"


@pytest.mark.parametrize(
    ("date", "message"), [("2031-01-01", "日期太远了"), ("2026-02-30", "请填写有效的日期")]
)
def test_bad_date_in_a_link_is_named(calc, date, message):
    open_calculator(calc, f"?state=not_shipped&action=cancel&paid=299&date={date}")
    expect_text(calc, "#kb-calc-date-error", message)
    assert calc.locator("#kb-calc-result").is_hidden()
    assert f"date={date}" in calc.url  # the link is kept as it came
    calc.get_by_label("申请日期").fill("2026-11-25")
    calc.locator("#kb-calc-result").wait_for()
    assert calc.locator("#kb-calc-date-error").inner_text() == ""


def test_shipped_order_cannot_be_cancelled_and_offers_the_return(calc):
    open_calculator(calc, "?state=shipped&action=cancel&paid=299&date=2026-11-26")
    calc.locator("#kb-calc-result").wait_for()
    assert "不能再取消" in result_text(calc)
    calc.get_by_role("button", name="改为计算退货").click()
    assert calc.get_by_role("radio", name="退货").is_checked()
    expect_text(calc, "#kb-calc-reason-error", "请选择退货原因")
    calc.get_by_role("radio", name="商品质量问题").check()
    calc.locator(".kb-calc-refund__amount").wait_for()
    assert calc.locator(".kb-calc-refund__amount").inner_text() == "¥299.00"
    assert "action=return" in calc.url


def test_cancel_before_shipping_defaults_to_today(calc):
    open_calculator(calc)
    assert calc.get_by_label("申请日期").input_value() == "2026-11-26"
    assert calc.locator("#kb-calc-result").is_hidden()
    calc.get_by_label("实付金额（元）").fill("299")
    calc.get_by_role("button", name="计算", exact=True).click()
    calc.locator("#kb-calc-result").wait_for()
    assert calc.locator(".kb-calc-refund__amount").inner_text() == "¥299.00"
    assert step_dates(calc) == {"request": "2026-11-26", "refund": "2026-11-26", "bank": None}
    assert "不收费" in result_text(calc)
    # Fields that do not apply to a cancellation are not shown.
    assert calc.get_by_label("国际退货费用（元，选填）").is_hidden()
    assert calc.get_by_label("上门取件日期（选填）").is_hidden()


def serve_sitemap_for_this_host(page) -> None:
    """Rewrite sitemap.xml's site_url to the test server: Material only navigates instantly to
    pages listed in it, and it matches the port too (site_url says 8000, the test server differs)."""

    def handle(route):
        response = route.fetch()
        body = re.sub(r"https?://[^/<]+/", f"{page.base}/", response.text())
        route.fulfill(response=response, body=body)

    page.route("**/sitemap.xml", handle)


def test_works_after_instant_navigation_there_and_back(calc):
    serve_sitemap_for_this_host(calc)
    calc.goto(f"{calc.base}/", wait_until="networkidle")
    calc.evaluate("window.__no_reload = true")
    calc.locator(".md-tabs a", has_text="计算器").click()
    calc.wait_for_url(re.compile(r".*/tools/calculator/$"))
    calc.wait_for_selector("form#kb-calc[data-ready]")
    for _ in range(2):
        calc.get_by_label("实付金额（元）").fill("88")
        calc.get_by_role("button", name="计算", exact=True).click()
        calc.locator(".kb-calc-refund__amount").wait_for()
        assert calc.locator(".kb-calc-refund__amount").inner_text() == "¥88.00"
        assert calc.evaluate("window.__no_reload") is True, "navigation must not reload the page"
        # Away and back again without a reload: the new page content is set up again.
        calc.locator(".md-tabs a", has_text="退款").click()
        calc.wait_for_url("**/refund/")
        calc.locator(".md-tabs a", has_text="计算器").click()
        calc.wait_for_url(re.compile(r".*/tools/calculator/$"))
        calc.wait_for_selector("form#kb-calc[data-ready]")
    assert calc.evaluate("window.__no_reload") is True
    assert calculator_errors(calc) == []


def test_dates_already_past_say_so_and_point_to_the_bank_then_customer_service(calc):
    open_calculator(
        calc, "?state=shipped&action=return&reason=other&paid=500&fee=68.5&date=2026-06-10"
    )
    calc.locator("#kb-calc-result").wait_for()
    summary = calc.locator(".kb-calc-result__summary").inner_text()
    assert "这些日期已经过去" in summary and "先查银行，再联系客服" in summary
    past = calc.locator("[data-result=past]")
    assert past.is_visible()
    hrefs = past.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert hrefs[0].endswith("refund.md#refund-bank") or hrefs[0].endswith("/refund/#refund-bank")
    assert hrefs[1].endswith("/contact/#contact-service")
    assert calculator_errors(calc) == []


def test_cancel_through_customer_service_gives_no_date_for_the_refund(calc):
    open_calculator(calc, "?state=not_shipped&action=cancel&paid=299&date=2026-11-20")
    calc.locator("#kb-calc-result").wait_for()
    calc.get_by_role("radio", name="请客服取消（电话或邮件）").check()
    calc.locator("[data-step=processed]").wait_for()
    assert step_dates(calc) == {
        "request": "2026-11-20",
        "processed": None,
        "refund": None,
        "bank": None,
    }
    assert "客服办理好取消的当天" in calc.locator("[data-step=refund]").inner_text()
    assert "method=service" in calc.url
    assert "2026年11月20日" not in calc.locator(".kb-calc-result__summary").inner_text()


def test_rule_driven_text_follows_the_rules_file(calc):
    rules = json.loads((ROOT / "docs" / "tools" / "calculator-rules.json").read_text("utf-8"))
    rules["return"]["fee_deducted_for_reasons"] = ["quality", "other"]
    rules["return"]["carrier"] = "某承运商"
    calc.route(
        "**/tools/calculator-rules.json",
        lambda route: route.fulfill(json=rules),
    )
    open_calculator(
        calc, "?state=shipped&action=return&reason=quality&paid=100&fee=10&date=2026-11-26"
    )
    calc.locator("#kb-calc-result").wait_for()
    hint = calc.locator("#kb-calc-reason-hint").inner_text()
    assert hint.startswith("选“商品质量问题”或“其他原因”要承担国际退货费用")
    assert calc.locator(".kb-calc-refund__amount").inner_text() == "¥90.00"
    text = result_text(calc)
    assert "收到某承运商的通知" in text and "易客满" not in text


def test_phone_width_fits_without_horizontal_scrolling(calc):
    calc.set_viewport_size({"width": 360, "height": 740})
    open_calculator(
        calc, "?state=delivered&action=return&reason=other&paid=500&fee=68.5&date=2026-11-26"
    )
    calc.locator("#kb-calc-result").wait_for()
    # An old link's state=delivered (已签收) reads as 已发货.
    assert calc.get_by_role("radio", name="已发货").is_checked()
    assert calc.evaluate("document.documentElement.scrollWidth") <= 360
    for selector in ("#kb-calc-paid", "button[type=submit]", "#kb-calc-copy", ".kb-calc-timeline"):
        box = calc.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector
    assert calculator_errors(calc) == []


def test_other_pages_do_not_load_the_calculation_or_its_data(calc):
    requested: list[str] = []
    calc.on("request", lambda r: requested.append(r.url))
    calc.goto(f"{calc.base}/refund/", wait_until="networkidle")
    # Names may carry a content hash (main.<hash>.js): browsers cache them for good.
    assert any(re.search(r"/kb/main\.(\w+\.)?js$", u) for u in requested)  # our code did run
    found = [
        u
        for u in requested
        if re.search(r"/calculator/[^/]+\.js|workdays\.json|calculator-rules", u)
    ]
    assert found == []  # not even the page code: it is imported on the calculator page only
    assert calculator_errors(calc) == []


def test_missing_calendar_data_says_so_instead_of_guessing(calc):
    calc.route("**/tools/workdays.json", lambda route: route.fulfill(status=404, body="missing"))
    calc.goto(f"{calc.base}{PATH}?state=not_shipped&action=cancel&paid=299", wait_until="load")
    expect_text(calc, "#kb-calc-status", "计算器暂时无法使用")
    assert calc.get_by_role("button", name="计算", exact=True).is_disabled()
    assert calc.locator("#kb-calc-result").is_hidden()
    assert [e for e in calc.console_errors if not e.startswith("Failed to load resource")] == []


def test_every_faq_id_in_the_rules_has_its_link_on_the_page(calc):
    rules = json.loads((ROOT / "docs" / "tools" / "calculator-rules.json").read_text("utf-8"))
    ids = {i for part in ("cancel", "return") for ids in rules[part]["faq"].values() for i in ids}
    open_calculator(calc)
    for faq in sorted(ids):
        link = calc.locator(f'a[data-faq="{faq}"]')
        assert link.count() == 1, f"add a link with {{data-faq={faq}}} to 计算依据"
        assert link.get_attribute("href").endswith(f"#{faq}")
