"""`kb check`: the content rules an editor's Markdown must pass before it is published."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .catalogue import Catalogue, load_catalogue
from .errors import ContentError, Problem
from .faqpage import faqpage_check
from .house_style import style_problems
from .page import Page, load_pages
from .scaffold import PLACEHOLDER
from .settings import Settings

REQUIRED = ("title", "description", "category", "updated")
OPTIONAL = ("phrasings", "hide", "search", "template")
_EXPLICIT_ID = re.compile(r"\{[^}]*#[\w-]+[^}]*\}\s*$")


def _rel(settings: Settings, path: Path) -> str:
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return path.as_posix()


def _front_matter_problems(
    page: Page, where: str, cat: Catalogue, today: dt.date, stale_days: int
) -> list[Problem]:
    meta, lines = page.meta, page.meta_lines
    if page.meta_error:
        return [
            Problem(
                where,
                lines.get("__error__", 1),
                page.meta_error,
                "front matter 以 --- 开头和结尾，每行写成 “键: 值”",
            )
        ]
    if not meta:
        return [
            Problem(
                where,
                1,
                "缺少 front matter",
                "在文件开头加上 ---，写明 title、description、category、updated，再以 --- 结束",
            )
        ]
    out: list[Problem] = []
    top = 1
    for key in REQUIRED:
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            out.append(
                Problem(
                    where,
                    lines.get(key, top),
                    f"front matter 缺少 {key}",
                    f"加上一行 “{key}: …”"
                    + ("（日期格式 YYYY-MM-DD）" if key == "updated" else ""),
                )
            )
    for key in meta:
        if key not in REQUIRED and key not in OPTIONAL:
            out.append(
                Problem(
                    where,
                    lines.get(key, top),
                    f"front matter 里有未知字段 {key}",
                    f"检查拼写；可用字段：{', '.join(REQUIRED + OPTIONAL)}",
                )
            )
    for key in ("title", "description"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            out.append(Problem(where, lines[key], f"{key} 必须是文字", f"把 {key} 写成一句话"))
    category = meta.get("category")
    if category is not None and category not in cat.categories:
        out.append(
            Problem(
                where,
                lines["category"],
                f"未知的 category “{category}”",
                f"从这些分类中选一个：{'、'.join(cat.categories)}",
            )
        )
    updated = meta.get("updated")
    if updated is not None:
        if not isinstance(updated, dt.date) or isinstance(updated, dt.datetime):
            out.append(
                Problem(
                    where,
                    lines["updated"],
                    f"updated “{updated}” 不是日期",
                    "写成 YYYY-MM-DD，例如 updated: 2026-11-26",
                )
            )
        elif updated > today:
            out.append(
                Problem(where, lines["updated"], f"updated {updated} 晚于今天", "写实际修改的日期")
            )
        elif (today - updated).days > stale_days:
            out.append(
                Problem(
                    where,
                    lines["updated"],
                    f"本页已 {(today - updated).days} 天没有复核（超过 {stale_days} 天）",
                    "复核内容后把 updated 改成复核日期",
                    "warning",
                )
            )
    out += _search_option_problems(meta, lines, where)
    phrasings = meta.get("phrasings")
    if phrasings is not None:
        h2_ids = {h.id for h in page.headings if h.level == 2}
        if not isinstance(phrasings, dict):
            out.append(
                Problem(
                    where,
                    lines["phrasings"],
                    "phrasings 必须是 “id: [问法, …]” 的映射",
                    "每个 FAQ id 下面用 “- ” 列出几种问法",
                )
            )
        else:
            for fid, items in phrasings.items():
                line = lines.get(f"phrasings.{fid}", lines["phrasings"])
                if fid not in h2_ids:
                    out.append(
                        Problem(
                            where,
                            line,
                            f"phrasings 里的 {fid} 不是本页的 FAQ id",
                            "改成本页某个 “## 问题 {#id}” 的 id",
                        )
                    )
                if not isinstance(items, list) or not all(
                    isinstance(x, str) and x.strip() for x in items
                ):
                    out.append(
                        Problem(
                            where,
                            line,
                            f"{fid} 的问法必须是非空文字的列表",
                            "每种问法单独一行，以 “- ” 开头",
                        )
                    )
    return out


def _search_option_problems(meta: dict, lines: dict[str, int], where: str) -> list[Problem]:
    """Check `search:` (Material's front matter: exclude, boost), which both searches obey."""
    if "search" not in meta:
        return []
    options, line = meta["search"], lines.get("search", 1)
    hint = "写成 search: {exclude: true} 或 search: {boost: 0.5}（0.1–10，默认 1）"
    if not isinstance(options, dict):
        return [Problem(where, line, "search 必须是映射", hint)]
    out = [
        Problem(where, line, f"search 里有未知字段 {k}", hint)
        for k in options
        if k not in ("exclude", "boost")
    ]
    if "exclude" in options and not isinstance(options["exclude"], bool):
        out.append(Problem(where, line, "search.exclude 只能是 true 或 false", hint))
    boost = options.get("boost", 1)
    if isinstance(boost, bool) or not isinstance(boost, int | float) or not 0.1 <= boost <= 10:
        out.append(Problem(where, line, f"search.boost “{boost}” 不是 0.1–10 之间的数", hint))
    return out


def _link_problems(page: Page, where: str, pages: dict[str, Page], docs_dir: Path) -> list[Problem]:
    out: list[Problem] = []
    for link in page.links:
        parts = urlsplit(link.href)
        if parts.scheme or parts.netloc or link.href.startswith(("mailto:", "tel:")):
            continue
        target = page
        if parts.path:
            rel = posixpath.normpath(
                posixpath.join(posixpath.dirname(page.rel), unquote(parts.path))
            )
            inside = not rel.startswith("../")  # MkDocs cannot link outside docs/ either
            if rel in pages:
                target = pages[rel]
            elif inside and (docs_dir / rel).is_file():
                continue
            else:
                out.append(
                    Problem(
                        where,
                        link.line,
                        f"链接目标 {parts.path} 不存在",
                        "链接到 docs/ 里的 .md 文件，路径相对于本页，例如 refund.md#cancel-refund",
                    )
                )
                continue
        if parts.fragment and parts.fragment not in {h.id for h in target.headings}:
            out.append(
                Problem(
                    where,
                    link.line,
                    f"链接 {link.href} 的锚点 #{parts.fragment} 在 {target.rel} 里不存在",
                    f"改成 {target.rel} 里已有的 id（标题后面 {{#id}} 里的名字）",
                )
            )
    return out


def find_problems(settings: Settings, today: dt.date | None = None) -> list[Problem]:
    """Given a checkout's settings, return every content problem (errors and warnings) in docs/."""
    today = today or dt.date.today()
    cat = load_catalogue(settings.catalogue_file)
    pages = {p.rel: p for p in load_pages(settings.docs_dir, settings.mkdocs_yml)}
    problems: list[Problem] = []
    seen: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for page in pages.values():
        where = _rel(settings, page.path)
        problems += _front_matter_problems(page, where, cat, today, settings.stale_after_days)
        source = page.path.read_text(encoding="utf-8").splitlines()
        for n, text in enumerate(source, start=1):
            if PLACEHOLDER in text:
                problems.append(
                    Problem(
                        where,
                        n,
                        f"还有待填写的内容：{text.strip()[:40]}",
                        f"把 “{PLACEHOLDER}” 换成真正的内容",
                    )
                )
        local: dict[str, int] = {}
        for h in page.headings:
            if h.id in local:
                problems.append(
                    Problem(
                        where,
                        h.line,
                        f"锚点 #{h.id} 在本页重复（第一次在第 {local[h.id]} 行）",
                        "给其中一个标题换一个不重复的 {#id}",
                    )
                )
            local.setdefault(h.id, h.line)
            if h.level == 2:
                seen[h.id].append((where, h.line))
                if not _EXPLICIT_ID.search(source[h.line - 1]):
                    problems.append(
                        Problem(
                            where,
                            h.line,
                            f"二级标题 “{h.title}” 没有固定 id",
                            "在标题末尾加上 {#英文-id}，例如 ## 退货要自己包装吗？ {#return-packaging}",
                        )
                    )
        for s in page.sections:
            if not s.is_intro and not s.text.strip():
                problems.append(
                    Problem(
                        where,
                        s.line,
                        f"FAQ 段落 #{s.id} 是空的",
                        "在标题下面写上答案，或删掉这个标题",
                    )
                )
            expected = cat.entries.get(s.id)
            if expected and not s.is_intro and s.category != expected:
                problems.append(
                    Problem(
                        where,
                        s.line,
                        f"#{s.id} 的分类是 “{s.category}”，目录里是 “{expected}”",
                        f'把它放到分类为 {expected} 的页面，或在标题属性里写 data-category="{expected}"',
                    )
                )
        problems += _link_problems(page, where, pages, settings.docs_dir)
    for fid, places in seen.items():
        for where, line in places[1:]:
            first = f"{places[0][0]}:{places[0][1]}"
            problems.append(
                Problem(
                    where,
                    line,
                    f"FAQ id #{fid} 重复（已在 {first} 使用）",
                    "每个 id 只能出现一次：删掉重复的段落或换一个新 id（不要改已发布的 id）",
                )
            )
    catalogue_where = _rel(settings, cat.path)
    for fid in cat.entries:
        if fid not in seen:
            problems.append(
                Problem(
                    catalogue_where,
                    cat.lines.get(fid, 1),
                    f"目录里的 FAQ id #{fid} 在 docs/ 中找不到",
                    f"在对应页面加上 “## 问题 {{#{fid}}}” 段落；已发布的 id 不能删除或改名",
                )
            )
    problems += faqpage_check(settings, list(pages.values()))
    problems += style_problems(settings, list(pages.values()))
    return sorted(problems, key=lambda p: (p.severity != "error", p.path, p.line))


def check(settings: Settings, today: dt.date | None = None) -> list[Problem]:
    """Given settings, return the warnings; raise ContentError when there is any error."""
    problems = find_problems(settings, today)
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return problems
