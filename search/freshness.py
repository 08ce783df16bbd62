"""Freshness of the help center: the generated 最近更新 page, listing pages by their last review date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .page import FrontMatter

UPDATES_PAGE = "updates.md"


def recent_updates_markdown(pages: Sequence[FrontMatter], limit: int = 30) -> str:
    """Given the pages' front matter, return the Markdown of the 最近更新 page, newest first."""
    dated = [p for p in pages if isinstance(p.meta.get("updated"), dt.date) and p.url != "/"]
    dated.sort(key=lambda p: (p.meta["updated"], p.rel), reverse=True)
    newest = dated[0].meta["updated"].isoformat() if dated else dt.date.today().isoformat()
    lines = [
        "---",
        "title: 最近更新",
        "description: 帮助中心最近修改或复核过的页面。",
        "category: 帮助中心",
        f"updated: {newest}",
        "search:",
        "  exclude: true",
        "---",
        "",
        "以下页面按最近一次修改或复核的日期排列，最新的在前。",
        "",
        "| 日期 | 页面 | 内容 |",
        "|---|---|---|",
    ]
    for p in dated[:limit]:
        description = str(p.meta.get("description") or "").replace("|", "\\|")
        lines.append(f"| {p.meta['updated']} | [{p.title}]({p.rel}) | {description} |")
    return "\n".join(lines) + "\n"
