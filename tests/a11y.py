"""Accessibility helpers for the browser tests: axe-core from npm, where focus is, what overflows."""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Rules the issue named, failed whatever impact axe gives them; every rule runs, none is disabled.
NAMED_RULES = {"color-contrast", "aria-dialog-name", "landmark-unique"}
BLOCKING_IMPACTS = {"serious", "critical"}


@functools.cache
def axe_source() -> str:
    """Return axe-core's browser script, installed from npm by scripts/test.sh (package-lock.json)."""
    if not AXE_JS.exists():
        message = f"{AXE_JS} is missing: run `npm ci` (scripts/test.sh does) to install axe-core"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text("utf-8")


def settle(page, timeout: float = 3000) -> None:
    """Wait until no animation or transition runs on the page (Playwright's timeout error if one still does)."""
    page.wait_for_function(
        "() => document.getAnimations().every((a) => a.playState !== 'running')", timeout=timeout
    )


def axe_violations(page) -> list[dict[str, Any]]:
    """Given a loaded page, run every axe-core rule on it; return the violations that must not be."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    # Judge what a person sees once the page is still: axe reads a half-faded text (Material's
    # header title swapping on scroll, a dropdown fading in) as failing contrast.
    with contextlib.suppress(PlaywrightTimeout):
        settle(page)
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [
        v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS or v["id"] in NAMED_RULES
    ]


def describe(violations: list[dict[str, Any]]) -> list[str]:
    """Given axe violations, return one readable line per failing element."""
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
        for v in violations
        for node in v["nodes"]
    ]


# Where focus is and whether a sighted keyboard user can see it: the focused element (or, for
# Material's hidden palette radios, the label drawn for them) is on screen with an outline.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'BODY', visible: false, name: '' };
  const shown = el.matches('input.md-option') ? el.nextElementSibling?.matches('label:not([hidden])')
      ? el.nextElementSibling : [...el.parentElement.querySelectorAll('label:not([hidden])')]
          .find((l) => l.offsetParent) : el;
  const r = shown.getBoundingClientRect();
  const s = getComputedStyle(shown);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none';
  const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
      && r.left < innerWidth && r.top < innerHeight && s.visibility !== 'hidden';
  return {
    tag: el.tagName, id: el.id, role: el.getAttribute('role') || '',
    cls: el.className && typeof el.className === 'string' ? el.className : '',
    name: (el.getAttribute('aria-label') || el.value || el.textContent || '').trim().slice(0, 40),
    activedescendant: el.getAttribute('aria-activedescendant') || '',
    visible: ring && onScreen,
  };
}"""


def focus(page) -> dict[str, Any]:
    """Return where keyboard focus is on the page (tag, id, role, class, name) and whether it shows."""
    return page.evaluate(FOCUS_JS)


def press(page, key: str, times: int = 1) -> dict[str, Any]:
    """Press a key (times times), asserting after each press that focus is visible; return the last focus."""
    where: dict[str, Any] = {}
    for _ in range(times):
        page.keyboard.press(key)
        # What a person sees once the page settles: a scroll to an anchor or a fade-in may still run
        # (after an instant navigation on a busy CI machine, that took over 2 s once).
        with contextlib.suppress(PlaywrightTimeout):
            # A function, not an expression: Playwright evals expressions in the page, which the
            # pages' CSP (no unsafe-eval) refuses whenever the first check is false.
            page.wait_for_function(f"() => ({FOCUS_JS})().visible", timeout=5000)
        where = focus(page)
        assert where["visible"], f"after {key}, focus is not visible: {where}"
    return where


def type_keys(page, text: str) -> None:
    """Type Latin text (pinyin, digits) one keyboard.press per character, as a keyboard user does."""
    for ch in text:
        page.keyboard.press("Space" if ch == " " else ch)


def press_until(page, key: str, matches: str, limit: int = 40) -> dict[str, Any]:
    """Press key until the focused element matches a CSS selector; every stop on the way must show focus."""
    for _ in range(limit):
        where = press(page, key)
        if page.evaluate("(sel) => document.activeElement.matches(sel)", matches):
            return where
    pytest.fail(f"{key} × {limit} never reached {matches}; focus ended on {focus(page)}")


# Content that is wider than the screen or cut off, outside the places built to scroll sideways
# (tables and code blocks scroll within themselves, which WCAG 1.4.10 allows).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const problems = [];
  if (document.scrollingElement.scrollWidth > width + 1)
    problems.push(`page scrolls sideways: ${document.scrollingElement.scrollWidth} > ${width}`);
  for (const el of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('.kb-visually-hidden, .kb-calc-status--done, .md-search, .md-sidebar, svg')) continue;
    if ((r.right > width + 1 || r.left < -1) && !scrolls(el))
      problems.push(`wider than the screen: ${el.tagName}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    else if (s.overflowX === 'hidden' && el.scrollWidth > el.clientWidth + 1 && !el.matches('.md-ellipsis, .md-header__ellipsis, html, body, .md-container, .md-main, .md-content'))
      problems.push(`cut off: ${el.tagName}.${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
  }
  return problems;
}"""


def overflow(page) -> list[str]:
    """Return what on the page is wider than the screen or cut off (empty when the page reflows)."""
    return page.evaluate(OVERFLOW_JS)


def walk(page, steps: list[tuple[str, str]]) -> None:
    """Given (key, CSS selector) steps, press each key and assert focus is visible on a match."""
    for key, selector in steps:
        where = press(page, key)
        assert page.evaluate("(sel) => document.activeElement.matches(sel)", selector), (
            f"after {key}, focus should be on {selector}, not {where}"
        )
