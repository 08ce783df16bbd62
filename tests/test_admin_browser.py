"""The editors' dashboard in Chromium: only editors get in, and they see charts of what shoppers searched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.analytics import Recorder
from search.editors import add_editor, remove_editor
from search.settings import Settings
from tests.a11y import axe_violations, describe
from tests.helpers import ROOT, LiveServer

# These tests take turns in one browser page, cleared for each (tests.helpers.Tab).
pytestmark = [pytest.mark.browser, pytest.mark.shared_page]


SCREENSHOT = ROOT / "_build" / "screenshots" / "admin-dashboard.png"


@pytest.fixture(scope="session")  # once per worker, however xdist interleaves modules
def admin_server(indexed_project: Settings, tmp_path_factory) -> Iterator[tuple[LiveServer, str]]:
    """`kb serve` with its own analytics file holding two editors and some shoppers' searches."""
    folder = tmp_path_factory.mktemp("admin")
    db = folder / "analytics.sqlite3"
    store = f"sqlite:{db}"
    add_editor(store, "xiaoli", "correct horse battery")
    add_editor(store, "laowang", "another long password")
    rec = Recorder(db)
    for _ in range(3):
        rec.search("退货运费谁出", 4, "return-shipping-fee", 2.0, view="aaaa0001")
    rec.click("退货运费谁出", "return-shipping-fee", 1, view="aaaa0001")
    rec.search("取消订单扣钱吗", 0, None, 1.0, view="aaaa0002")
    rec.search("quxiao dingdan koufei", 0, None, 1.0, view="aaaa0003")
    rec.search("怎么做红烧肉", 0, None, 1.0)
    rec.feedback("cancel-fee", False, "看不懂", view="aaaa0004")
    rec.feedback("cancel-fee", True, None)
    rec.close()
    server = LiveServer(indexed_project, folder / "serve.log", env={"KB_ANALYTICS_DB": str(db)})
    yield server, store
    server.stop()


def sign_in(page, server: LiveServer, name: str, password: str) -> None:
    page.goto(f"{server.url}/admin/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_stranger_gets_the_sign_in_page(page, admin_server):
    server, _ = admin_server
    page.goto(f"{server.url}/admin/")
    assert page.get_by_role("button", name="登录").is_visible()
    assert page.locator("canvas").count() == 0
    response = page.request.get(f"{server.url}/admin/api/report")
    assert response.status == 401
    assert page.request.get(f"{server.url}/admin/export/top_queries.csv").status == 401


def test_a_wrong_password_is_refused(page, admin_server):
    server, _ = admin_server
    sign_in(page, server, "xiaoli", "not the password")
    assert page.get_by_role("alert").inner_text() == "用户名或密码不对"
    assert page.locator("canvas").count() == 0
    assert not [c for c in page.context.cookies() if c["name"] == "kb_admin"]


def test_the_right_password_shows_the_charts_and_tables(page, admin_server):
    server, _ = admin_server
    sign_in(page, server, "xiaoli", "correct horse battery")
    page.locator("#status", has_text="中国时间").wait_for()
    cookie = next(c for c in page.context.cookies() if c["name"] == "kb_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"
    assert page.evaluate("typeof window.Chart") == "function", "Chart.js is served from the site"
    for chart in ("trend-chart", "top-chart", "read-chart", "feedback-chart"):
        assert page.evaluate(f"!!window.Chart.getChart('{chart}')"), chart
    assert "怎么做红烧肉" in page.locator("#zero_result_queries").inner_text()
    assert "看不懂 1" in page.locator("#feedback").inner_text()
    gaps = page.locator("#gaps").inner_text()
    assert "取消订单扣钱吗" in gaps and "- 取消订单扣钱吗" in gaps
    with page.expect_download() as download:
        page.locator('a.csv[data-table="zero_result_queries"]').click()
    text = Path(download.value.path()).read_text("utf-8-sig")
    assert text.splitlines()[0] == "query,count" and "怎么做红烧肉,1" in text
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})  # a laptop screen
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert page.console_errors == []


def test_a_removed_editors_cookie_no_longer_works(page, admin_server):
    server, store = admin_server
    sign_in(page, server, "laowang", "another long password")
    page.locator("#status", has_text="中国时间").wait_for()
    assert page.request.get(f"{server.url}/admin/api/report").status == 200
    remove_editor(store, "laowang")
    assert page.request.get(f"{server.url}/admin/api/report").status == 401
    page.goto(f"{server.url}/admin/")
    assert page.get_by_role("button", name="登录").is_visible()


@pytest.mark.parametrize("width", [1366, 390])
def test_sign_in_and_dashboard_pass_axe_and_fit_the_screen(chromium, admin_server, width: int):
    server, _ = admin_server
    # axe-core is injected as an inline script, which the dashboard's own CSP would refuse.
    context = chromium.new_context(
        viewport={"width": width, "height": 800}, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{server.url}/admin/")
    assert describe(axe_violations(page)) == []
    sign_in(page, server, "xiaoli", "correct horse battery")
    page.locator("#status", has_text="中国时间").wait_for()
    page.locator("#gaps td code").first.wait_for()
    assert describe(axe_violations(page)) == []
    # Nothing needs sideways scrolling, on a laptop or a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
