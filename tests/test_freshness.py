"""Freshness: the generated 最近更新 page lists pages newest first; every page shows its date."""

from __future__ import annotations

import re

from search.freshness import recent_updates_markdown
from search.page import load_pages
from search.settings import Settings


def test_recent_updates_lists_pages_newest_first(project: Settings):
    for name, date in (("refund.md", "2026-01-05"), ("cancel.md", "2026-11-20")):
        page = project.docs_dir / name
        text = re.sub(
            r"^updated: .*$", f"updated: {date}", page.read_text("utf-8"), count=1, flags=re.M
        )
        page.write_text(text, "utf-8")
    markdown = recent_updates_markdown(load_pages(project.docs_dir, project.mkdocs_yml))
    rows = re.findall(r"^\| (\d{4}-\d{2}-\d{2}) \| \[([^\]]+)\]\(([^)]+)\)", markdown, re.M)
    dates = [r[0] for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert rows[-1] == ("2026-01-05", "退款", "refund.md")
    assert "index.md" not in [r[2] for r in rows]


def test_built_site_has_the_recent_updates_page(built_project: Settings):
    html = (built_project.site_dir / "updates" / "index.html").read_text("utf-8")
    assert "最近更新" in html and 'href="../return/"' in html
