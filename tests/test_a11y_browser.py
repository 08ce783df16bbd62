"""WCAG 2.1 AA in Chromium: axe-core over every built page and the states shoppers reach, in light
and dark, at a phone's and a laptop's width; reflow at 320 px and 200% zoom; reduced motion; language."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.settings import Settings
from tests.a11y import axe_source, axe_violations, describe, overflow, settle
from tests.helpers import LiveServer, Tab, open_served

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366)
TODAY = "2026-11-26T10:00:00+08:00"  # the calculator's clock: its date limits follow "today"
# A filled-in calculator link (a shipped order returned for another reason): the result is shown.
CALCULATOR_RESULT = (
    "/tools/calculator/?state=shipped&action=return&reason=other&paid=299&fee=50&date=2026-11-20"
)
AGENT_QUERY = "/search/?q=退货运费谁出"
# Checked with the search service running (the fixture help center): what only the API draws.
LIVE_PAGES = ["/", "/return/", AGENT_QUERY, CALCULATOR_RESULT, "/no-such-page/"]


def built_pages(site_dir: Path) -> list[str]:
    """Given a built site, return the path of every page in it (the home page first)."""
    paths = sorted(
        "/" + str(p.parent.relative_to(site_dir)).replace("\\", "/") + "/"
        for p in site_dir.rglob("index.html")
    )
    return [p.replace("/./", "/") for p in paths]


def wait_ready(page, path: str, live: bool = True) -> None:
    """Wait until a page's own scripts have drawn what the shopper will see (live: with the service)."""
    if path.startswith("/search/"):
        page.wait_for_function(
            "() => { const s = document.querySelector('.kb-agent__status')?.textContent || '';"
            " return s && !s.includes('正在搜索'); }"
        )
    if path.startswith("/tools/calculator/"):
        page.wait_for_selector("form#kb-calc[data-ready]")
        if "?" in path:
            page.locator("#kb-calc-result").wait_for()
    if live:  # the header search has taken over (it draws its own panel)
        page.locator("body.kb-api").wait_for(state="attached")
    if live and page.locator(".kb-feedback-enabled").count():
        page.locator(".kb-feedback").first.wait_for()


def open_header_search(page, base: str) -> None:
    """The home page with the header search open on a question and its suggestions listed."""
    open_served(page, f"{base}/")
    icon = page.locator(".md-header__button[for='__search']")
    box = page.locator("input.md-search__input")
    (icon if icon.is_visible() else box).click()
    # The pointer leaves the icon: what lands under it may show a hover tooltip, which axe would
    # otherwise judge half faded in (its contrast blended by the fade's opacity).
    page.mouse.move(1, page.viewport_size["height"] - 1)
    box.fill("退货运费")  # fires `input`, as an input method does when it commits the characters
    box.dispatch_event("keyup")  # …and the key release Material opens its search on
    page.locator(".kb-search-result [role=option]").first.wait_for()
    # Completions come while typing; the answers once typing pauses: check the settled state.
    page.locator(".kb-search-all").wait_for()


def open_feedback_reasons(page, base: str) -> None:
    """An FAQ page with 没帮助 pressed: the reasons to choose from are shown."""
    page.goto(f"{base}/return/", wait_until="load")
    box = page.locator(".kb-feedback").first
    box.get_by_role("button", name="没帮助").click()
    box.locator("fieldset").wait_for()


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def width(request) -> int:
    return request.param


SCHEMES = {"light": "default", "dark": "slate"}  # the system setting → Material's scheme
# Every palette-dependent part of a drawn page: the DOM as serialised (attributes included) and,
# per element, its computed style (colours, visibility, layout; sorted, as custom properties come in
# the order they were set), as a short hash per element.
DRAWN_JS = """() => {
  const hash = (text) => { let h = 0; for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0; return h; };
  const styles = [...document.querySelectorAll('*')].map((el) => {
    const s = getComputedStyle(el);
    return `${el.tagName}#${el.id}.${el.className?.baseVal ?? el.className}:${hash([...s].sort().map((p) => `${p}=${s.getPropertyValue(p)}`).join(';'))}`;
  });
  return { html: document.documentElement.outerHTML, styles };
}"""


def scheme_of(page) -> str:
    """Return the palette a page is drawn in ("default" or "slate"), once a switch has settled."""
    page.wait_for_function("() => !document.body.hasAttribute('data-md-color-switching')")
    return page.locator("body").get_attribute("data-md-color-scheme")


def switch_palette(page) -> str:
    """Choose the other palette in the header's switch, as a shopper does; return the scheme now drawn."""
    before = scheme_of(page)
    # The radio the switch's visible button stands for (a click on the button clicks it); clicked
    # in the page, so an open search panel covering the header does not stop it.
    page.locator("[data-md-component=palette] input.md-option:not(:checked)").evaluate(
        "r => r.click()"
    )
    page.wait_for_function("(was) => document.body.dataset.mdColorScheme !== was", arg=before)
    return scheme_of(page)


def axe_in_both_palettes(page, where: str) -> list[str]:
    """Given a drawn page, run axe in its palette, switch the palette in place, run axe again;
    return one line per violation found in either."""
    found = [f"{where} ({scheme_of(page)}): {line}" for line in describe(axe_violations(page))]
    scheme = switch_palette(page)
    return found + [f"{where} ({scheme}): {line}" for line in describe(axe_violations(page))]


@pytest.fixture(scope="module")
def axe_tab(chromium) -> Iterator[Tab]:
    """This module's page for the palette checks, with axe-core in every page it opens; each test
    that takes it sets its clock to TODAY (a clock, once installed, stays)."""
    tab = Tab(chromium, bypass_csp=True)  # axe-core is injected as an inline script
    tab.context.add_init_script(axe_source())  # in every page as it opens, not sent again per page
    yield tab
    tab.close()


def palette_page(axe_tab: Tab, width: int, system: str):
    """Return the axe page as a new one would be, at this width, its system setting light or dark,
    its clock from TODAY (time flows: Material's debounced search)."""
    page = axe_tab.fresh()
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=system)
    page.clock.set_system_time(TODAY)
    return page


def test_a_palette_switched_in_place_draws_the_page_a_visit_in_that_palette_draws(
    page, static_site: str, live_server: LiveServer
):
    # The sweep below checks each page in both palettes by loading it once and switching the
    # palette in place: that is the same check only if both give the same page, to the element.
    pages = [
        (static_site, "/"),
        (static_site, "/tools/calculator/"),
        (live_server.url, AGENT_QUERY),
    ]
    # A page of its own (`page`), without axe-core: with it in every page (the axe page), the
    # palette a visit stored was now and then still in localStorage after localStorage.clear()
    # (2 of 3 runs of this module failed; in a script, 1 of 16 visits in a new context with
    # axe-core, none without it; cause not found), and this test is about exactly that state.
    page.set_viewport_size({"width": 390, "height": 900})
    page.clock.set_system_time(TODAY)
    for base, path in pages:
        drawn = {}
        for system, switch in (("dark", False), ("light", True)):
            page.emulate_media(color_scheme=system)
            page.goto(f"{base}{path}", wait_until="load")
            wait_ready(page, path, live=base == live_server.url)
            if switch:
                assert switch_palette(page) == "slate", path
            assert scheme_of(page) == "slate", path
            settle(page)  # what a person sees (and axe judges): no colour mid-transition
            drawn[switch] = page.evaluate(DRAWN_JS)
            # A first visit again: no palette chosen yet, and no page left to hear the setting change.
            page.evaluate("localStorage.clear()")
            page.goto("about:blank")
        # The agent page says how long its search took: the one text two visits never share.
        html = [
            re.sub(r"用时 [\d.]+ 毫秒", "用时 … 毫秒", drawn[switched]["html"]).splitlines()
            for switched in (True, False)
        ]
        assert html[0] == html[1], (path, list(difflib.unified_diff(*html, n=1, lineterm=""))[:20])
        assert len(drawn[True]["styles"]) == len(drawn[False]["styles"]) > 100, path
        differ = [
            a for a, b in zip(drawn[True]["styles"], drawn[False]["styles"], strict=True) if a != b
        ]
        assert differ == [], (path, differ[:5])


@pytest.mark.parametrize("part", ["site", "service"])
def test_every_page_and_state_has_no_serious_axe_violation(
    axe_tab: Tab,
    static_site: str,
    real_built_project: Settings,
    live_server: LiveServer,
    width: int,
    part: str,
):
    # Every page of the real built site, as files ("site"); then, with the search service
    # ("service"), the pages and states only it draws: feedback widgets, the agent page's answers,
    # the header's suggestions. Each page is checked in light and in dark: opened once, checked,
    # its palette switched in place (the test above shows that draws the same page), checked again.
    system = "dark" if part == "site" else "light"  # both system settings are followed
    page = palette_page(axe_tab, width, system)
    if part == "site":
        pages = built_pages(real_built_project.site_dir)
        assert len(pages) >= 9 and "/" in pages and "/tools/calculator/" in pages, pages
        base, live = static_site, False
    else:
        pages, base, live = LIVE_PAGES, live_server.url, True
    # A first visit follows the system setting; every later page opens in the last one chosen.
    expected = SCHEMES[system]
    found: list[str] = []
    checked = []
    for path in pages:
        page.goto(f"{base}{path}", wait_until="load")  # wait_ready says when its parts are in
        wait_ready(page, path, live=live)
        assert scheme_of(page) == expected, path
        found += axe_in_both_palettes(page, f"{base}{path}")
        expected = scheme_of(page)
        checked.append(path)
    if live:
        for state, opener in (
            ("header search", open_header_search),
            ("feedback", open_feedback_reasons),
        ):
            opener(page, live_server.url)
            found += axe_in_both_palettes(page, state)
            checked.append(state)
    assert found == [], "\n".join(found)
    assert len(checked) == len(pages) + (2 if live else 0)


def test_the_palette_switch_changes_scheme_and_is_remembered(tab, live_server: LiveServer):
    page = tab
    page.goto(f"{live_server.url}/", wait_until="load")
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    switch = page.get_by_role("radiogroup", name="配色")
    assert switch.get_by_role("radio", name="浅色").is_checked()
    page.locator("label[for='__palette_1']").click()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    assert switch.get_by_role("radio", name="深色").is_checked()
    page.goto(f"{live_server.url}/cancel/", wait_until="load")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"


REFLOW_PAGES = [
    "/",
    "/return/",
    CALCULATOR_RESULT,
]  # the real pages; the agent page needs the service


@pytest.mark.parametrize("large_text", [False, True], ids=["zoom-200", "zoom-200-large-text"])
def test_320px_at_200_percent_zoom_reflows_without_sideways_scrolling(
    chromium, static_site: str, live_server: LiveServer, large_text: bool
):
    # Browser zoom at 200% in a 640 px window lays the page out 320 CSS px wide with two device
    # pixels per CSS pixel; large_text also doubles the text size, as a phone's largest font setting does.
    context = chromium.new_context(
        viewport={"width": 320, "height": 640}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    page.clock.set_system_time(TODAY)  # time flows (Material's debounced search), from this date
    found = []
    visits = [(static_site, path) for path in REFLOW_PAGES] + [(live_server.url, AGENT_QUERY)]
    for base, path in visits:
        page.goto(f"{base}{path}", wait_until="load")
        wait_ready(page, path, live=base == live_server.url)
        if large_text:  # Material's 125% × 2
            page.add_style_tag(content="html { font-size: 250% !important; }")
        assert page.evaluate("innerWidth") == 320
        found += [f"{path}: {p}" for p in overflow(page)]
    context.close()
    assert found == [], "\n".join(found)


def test_reduced_motion_turns_animation_off(tab, live_server: LiveServer):
    page = tab
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{live_server.url}/", wait_until="load")
    durations = page.evaluate(
        """() => [...document.querySelectorAll('.md-tabs__link, .md-header, .md-sidebar, .md-search__inner, .md-top')]
                 .map((el) => getComputedStyle(el).transitionDuration.split(', ').map(parseFloat))"""
    )
    assert durations and all(d == 0 for ds in durations for d in ds), durations
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    page.emulate_media(reduced_motion="no-preference")
    page.goto(f"{live_server.url}/", wait_until="load")
    moving = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.md-tabs__link')).transitionDuration)"
    )
    assert moving > 0, "without the setting, the page keeps its transitions"


def test_every_page_says_it_is_simplified_chinese(real_built_project: Settings):
    site = real_built_project.site_dir
    pages = [site / "404.html", *site.rglob("index.html")]
    assert len(pages) >= 10
    for html in pages:
        assert '<html lang="zh-CN"' in html.read_text("utf-8"), html


def test_a_form_error_is_tied_to_its_field_and_takes_the_focus(page, live_server: LiveServer):
    page.clock.set_system_time(TODAY)  # time flows (Material's debounced search), from this date
    page.goto(f"{live_server.url}/tools/calculator/", wait_until="load")
    page.wait_for_selector("form#kb-calc[data-ready]")
    page.get_by_label("实付金额（元）").fill("abc")
    page.get_by_role("button", name="计算", exact=True).click()
    paid = page.locator("#kb-calc-paid")
    assert page.evaluate("document.activeElement.id") == "kb-calc-paid"
    assert paid.get_attribute("aria-invalid") == "true"
    error = page.locator("#kb-calc-paid-error")
    assert "kb-calc-paid-error" in paid.get_attribute("aria-describedby").split()
    assert error.inner_text().strip() and error.get_attribute("aria-live") == "polite"
    # What a screen reader says on the field: its label, then the hint and the error.
    description = paid.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id).textContent).join(' ')"
    )
    assert error.inner_text().strip() in description
