"""Screenshot pages of a running help center in Debian's Chromium: python scripts/screenshot.py URL OUT.png [--width W]."""

from __future__ import annotations

import argparse
import sys

from chromium import launch  # scripts/chromium.py: the flags the tests use too
from playwright.sync_api import sync_playwright


def main() -> int:
    """Given a URL and an output path, save a full-page PNG and print console errors."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--full", action="store_true", help="whole page, not just the viewport")
    ap.add_argument(
        "--cookie",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="send this cookie (e.g. an editor's kb_admin session, to see /admin/)",
    )
    args = ap.parse_args()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        cookies = [c.split("=", 1) for c in args.cookie]
        page.context.add_cookies([{"name": n, "value": v, "url": args.url} for n, v in cookies])
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(args.url, wait_until="networkidle")
        page.screenshot(path=args.out, full_page=args.full)
        browser.close()
    for e in errors:
        print("console error:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
