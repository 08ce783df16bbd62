"""What a phone downloads and how the page settles: our scripts deferred, page code only where used, no layout shift."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest

from search.settings import Settings
from tests.helpers import LiveServer, open_served

pytestmark = pytest.mark.browser

PHONE = {"width": 412, "height": 823}
SHIFTS = """() => new Promise((done) => {
  const entries = [];
  new PerformanceObserver((list) => entries.push(...list.getEntries()))
    .observe({ type: "layout-shift", buffered: true });
  setTimeout(() => done(entries.filter((e) => !e.hadRecentInput).map((e) => e.value)), 500);
})"""
CALCULATOR_READY = """() => {
  const status = document.getElementById("kb-calc-status")?.textContent || "";
  return status !== "" && !status.startsWith("正在加载");
}"""
# Page code by page: the header search runs everywhere, the rest only where it is used.
PAGE_CODE = {
    "agent": r"/kb/agent\.",
    "feedback": r"/kb/feedback\.",
    "calculator": r"/calculator/[^/]+\.js|calculator-rules\.json|workdays\.json",
}


def test_our_scripts_are_deferred_modules_on_every_page(built_project: Settings):
    pages = list(built_project.site_dir.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        html = page.read_text("utf-8")
        ours = re.findall(
            r"<script\b[^>]*\bsrc=\"[^\"]*assets/(?:kb|calculator)/[^\"]*\"[^>]*>", html
        )
        assert ours, page  # the entry point is on every page
        for tag in ours:
            assert 'type="module"' in tag, (page, tag)  # modules never block parsing


@pytest.fixture(scope="module")
def first_visit(chromium) -> Iterator[Callable[[dict], Any]]:
    """Given a viewport, return this module's page at that size, with Chromium's cache off: every
    visit loads everything as a first visit does (one page per size, not one per test)."""
    opened: dict[tuple[int, int], Any] = {}

    def page_at(viewport: dict) -> Any:
        size = (viewport["width"], viewport["height"])
        if size not in opened:
            page = chromium.new_page(viewport=viewport)
            # What DevTools' "Disable cache" does: no HTTP or memory cache for this page's loads
            # (the session must listen to the network for the setting to take).
            devtools = page.context.new_cdp_session(page)
            devtools.send("Network.enable")
            devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
            opened[size] = page
        page = opened[size]
        page.goto("about:blank")  # nothing of the last test's page is left to load or move
        return page

    yield page_at
    for page in opened.values():
        page.context.close()


def requested(page, url: str) -> list[str]:
    """Given a browser page and a URL, open it and return every URL it requested until idle."""
    urls: list[str] = []
    listen = lambda r: urls.append(r.url)  # noqa: E731
    page.on("request", listen)
    try:
        page.goto(url, wait_until="networkidle")
    finally:
        page.remove_listener("request", listen)
    return urls


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("/", set()),
        ("/return/", {"feedback"}),
        ("/tools/calculator/", {"calculator"}),
        ("/search/?q=" + quote("退货运费谁出"), {"agent"}),
    ],
)
def test_each_page_loads_only_the_code_and_data_it_uses(
    first_visit, live_server: LiveServer, path: str, wanted: set[str]
):
    urls = requested(first_visit(PHONE), live_server.url + path)
    loaded = {
        name for name, pattern in PAGE_CODE.items() if any(re.search(pattern, u) for u in urls)
    }
    assert loaded == wanted
    assert any(re.search(r"/kb/header-search\.", u) for u in urls)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/return/",
        "/return/#return-packaging",  # deep links: the widgets above and beside them attach too
        "/cancel/#cancel-fee",
        "/tools/calculator/",
        "/search/?q=" + quote("退货运费谁出"),
    ],
)
@pytest.mark.parametrize(
    "viewport", [{"width": 320, "height": 640}, PHONE, {"width": 1280, "height": 900}]
)
def test_nothing_moves_while_the_page_attaches_its_parts(
    first_visit, live_server: LiveServer, path: str, viewport: dict
):
    page = first_visit(viewport)
    # Every part the page attaches is waited for below; the shifts are then watched 0.5 s more.
    open_served(page, live_server.url + path)
    if path.startswith("/search/"):
        page.locator(".kb-agent__result").first.wait_for()  # the answers did arrive
    if "#" in path or path == "/return/":
        page.locator(".kb-feedback").first.wait_for()  # the widgets did attach
    if path.startswith("/tools/calculator/"):  # its rules and calendar are in: the form is live
        page.wait_for_function(CALCULATOR_READY)
    assert page.evaluate(SHIFTS) == []
