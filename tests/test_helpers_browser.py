"""The shared browser page (tests.helpers.Tab): each test gets it as a new page would be."""

from __future__ import annotations

import pytest

from tests.helpers import VIEWPORT, Tab

pytestmark = pytest.mark.browser

# What a page could leave behind in the browser, and how to read each back.
LEFT = """() => ({
  local: localStorage.getItem("left"),
  session: sessionStorage.getItem("left"),
  cookie: document.cookie,
})"""
# How many of the page's stylesheets came whole over the network (not from the cache, fresh or
# revalidated: a 304 brings headers and no body).
FETCHED = """() => performance.getEntriesByType("resource")
  .filter((r) => r.initiatorType === "link" && r.encodedBodySize > 0
    && r.transferSize > r.encodedBodySize).length"""


# Whether the page is printed, dark and asked for less motion (what emulate_media sets).
EMULATED = """() => ["print", "(prefers-color-scheme: dark)", "(prefers-reduced-motion: reduce)"]
  .map((query) => matchMedia(query).matches)"""


def test_a_fresh_tab_keeps_nothing_of_the_test_before(chromium, static_site: str):
    tab = Tab(chromium)
    try:
        page = tab.fresh()
        url = f"{static_site}/return/"
        page.goto(f"{static_site}/refund/", wait_until="load")
        assert page.evaluate(FETCHED) > 0
        page.goto(url, wait_until="load")
        assert page.evaluate(FETCHED) == 0, "within a test, the cache works as a shopper's does"
        page.evaluate(
            """() => { localStorage.setItem("left", "1"); sessionStorage.setItem("left", "1");
                       document.cookie = "left=1; path=/"; console.error("left"); }"""
        )
        tab.context.grant_permissions(["clipboard-read"])
        page.route("**/*.css", lambda route: route.abort())
        page.set_viewport_size({"width": 360, "height": 740})
        page.emulate_media(media="print", color_scheme="dark", reduced_motion="reduce")
        assert page.evaluate(EMULATED) == [True, True, True]
        assert page.console_errors == ["left"]

        page = tab.fresh()
        assert page.url == "about:blank" and page.console_errors == []
        assert page.viewport_size == VIEWPORT
        assert tab.context.cookies() == []
        page.goto(url, wait_until="load")
        assert page.evaluate(LEFT) == {"local": None, "session": None, "cookie": ""}
        assert page.evaluate(FETCHED) > 0, "no route left, and nothing cached from before"
        state = page.evaluate(
            "() => navigator.permissions.query({ name: 'clipboard-read' }).then((p) => p.state)"
        )
        assert state == "prompt"
        assert page.evaluate(EMULATED) == [False, False, False], "no media emulated"
    finally:
        tab.close()
