"""Debian's Chromium for Playwright: where it is and the flags it needs here (tests and scripts share them)."""

from __future__ import annotations

from typing import Any

EXECUTABLE = "/usr/bin/chromium"
# Playwright cannot download a browser here; these keep Debian's from reaching out or needing a sandbox.
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch(playwright: Any, **options: Any) -> Any:
    """Given a started Playwright, return Debian's Chromium launched headless with the shared flags."""
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=list(ARGS), **options)
