"""`kb check`: the content rules an editor's Markdown must pass before it is published.

Each rule is a small function: a page rule `(page, context) -> problems` runs on every page, a
site rule `(context) -> problems` once over all pages. Add a rule by writing one and listing it
in PAGE_RULES or SITE_RULES.
"""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .catalogue import Catalogue, load_catalogue
from .datafiles import RULES_FILE, calculator_faq_links, data_file_problems
from .errors import ContentError, Problem
from .faqpage import faqpage_check
from .house_style import style_problems
from .page import Heading, Page, html_to_text, load_pages
from .scaffold import PLACEHOLDER
from .settings import Settings

REQUIRED = ("title", "description", "category", "updated")
OPTIONAL = ("phrasings", "hide", "search", "template")
_EXPLICIT_ID = re.compile(r"\{[^}]*#[\w-]+[^}]*\}\s*$")
_DATE_SHAPED = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True)
class Context:
    """What every rule may look at: the checkout, its catalogue, all pages by path, and today."""

    settings: Settings
    catalogue: Catalogue
    pages: dict[str, Page]
    today: dt.date
    live: dict[str, tuple[str, str]]  # FAQ id → (page URL, title) on the live site

    def where(self, path: Path) -> str:
        """Given a file, return its path as problems name it (relative to the checkout)."""
        return where(self.settings, path)


def where(settings: Settings, path: Path) -> str:
    """Given a file of a checkout, return its path as problems name it (relative to the checkout)."""
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return path.as_posix()


PageRule = Callable[[Page, Context], list[Problem]]
SiteRule = Callable[[Context], list[Problem]]


def _problem(page: Page, ctx: Context, line: int, message: str, hint: str) -> Problem:
    return Problem(ctx.where(page.path), line, message, hint)


def front_matter_present(page: Page, ctx: Context) -> list[Problem]:
    """A page needs front matter: readable YAML, a mapping, no key twice."""
    hint = "front matter 以 --- 开头和结尾，每行写成 “键: 值”，每个键只写一次"
    if page.meta_problems:
        return [_problem(page, ctx, p.line, p.message, hint) for p in page.meta_problems]
    if not page.meta:
        hint = "在文件开头加上 ---，写明 title、description、category、updated，再以 --- 结束"
        return [_problem(page, ctx, 1, "缺少 front matter", hint)]
    return []


def _has_meta(page: Page) -> bool:
    return bool(page.meta)


def required_fields(page: Page, ctx: Context) -> list[Problem]:
    """title, description, category and updated are all there and not blank."""
    if not _has_meta(page):
        return []
    out = []
    for key in REQUIRED:
        value = page.meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            date_hint = "（日期格式 YYYY-MM-DD）" if key == "updated" else ""
            out.append(
                _problem(
                    page,
                    ctx,
                    page.meta_lines.get(key, 1),
                    f"front matter 缺少 {key}",
                    f"加上一行 “{key}: …”{date_hint}",
                )
            )
    return out


def known_fields(page: Page, ctx: Context) -> list[Problem]:
    """Every front matter key is one the site knows (a typo is not silently ignored)."""
    if not _has_meta(page):
        return []
    return [
        _problem(
            page,
            ctx,
            page.meta_lines.get(key, 1),
            f"front matter 里有未知字段 {key}",
            f"检查拼写；可用字段：{', '.join(REQUIRED + OPTIONAL)}",
        )
        for key in page.meta
        if key not in REQUIRED and key not in OPTIONAL
    ]


def text_fields(page: Page, ctx: Context) -> list[Problem]:
    """title and description are text."""
    if not _has_meta(page):
        return []
    return [
        _problem(page, ctx, page.meta_lines[key], f"{key} 必须是文字", f"把 {key} 写成一句话")
        for key in ("title", "description")
        if key in page.meta and page.meta[key] is not None and not isinstance(page.meta[key], str)
    ]


def category_known(page: Page, ctx: Context) -> list[Problem]:
    """category is one of the catalogue's categories."""
    category = page.meta.get("category") if _has_meta(page) else None
    if category is None or category in ctx.catalogue.categories:
        return []
    return [
        _problem(
            page,
            ctx,
            page.meta_lines["category"],
            f"未知的 category “{category}”",
            f"从这些分类中选一个：{'、'.join(ctx.catalogue.categories)}",
        )
    ]


def updated_date(page: Page, ctx: Context) -> list[Problem]:
    """updated is a real date, not in the future; an old one is a warning to review the page."""
    updated = page.meta.get("updated") if _has_meta(page) else None
    if updated is None:
        return []
    line = page.meta_lines["updated"]
    if isinstance(updated, str) and _DATE_SHAPED.fullmatch(updated.strip()):
        # YAML read it as a date and could not make one (2026-13-01, 2026-02-30).
        hint = "月份是 01–12，日子不超过那个月的天数，例如 updated: 2026-11-26"
        return [_problem(page, ctx, line, f"updated “{updated}” 不是存在的日期", hint)]
    if not isinstance(updated, dt.date) or isinstance(updated, dt.datetime):
        hint = "写成 YYYY-MM-DD，例如 updated: 2026-11-26"
        return [_problem(page, ctx, line, f"updated “{updated}” 不是日期", hint)]
    if updated > ctx.today:
        return [_problem(page, ctx, line, f"updated {updated} 晚于今天", "写实际修改的日期")]
    age, limit = (ctx.today - updated).days, ctx.settings.stale_after_days
    if age > limit:
        return [
            Problem(
                ctx.where(page.path),
                line,
                f"本页已 {age} 天没有复核（超过 {limit} 天）",
                "复核内容后把 updated 改成复核日期",
                "warning",
            )
        ]
    return []


def search_options(page: Page, ctx: Context) -> list[Problem]:
    """`search:` (Material's front matter: exclude, boost), which both searches obey, is valid."""
    if not _has_meta(page) or "search" not in page.meta:
        return []
    options, line = page.meta["search"], page.meta_lines.get("search", 1)
    hint = "写成 search: {exclude: true} 或 search: {boost: 0.5}（0.1–10，默认 1）"
    if not isinstance(options, dict):
        return [_problem(page, ctx, line, "search 必须是映射", hint)]
    out = [
        _problem(page, ctx, line, f"search 里有未知字段 {k}", hint)
        for k in options
        if k not in ("exclude", "boost")
    ]
    if "exclude" in options and not isinstance(options["exclude"], bool):
        out.append(_problem(page, ctx, line, "search.exclude 只能是 true 或 false", hint))
    boost = options.get("boost", 1)
    if isinstance(boost, bool) or not isinstance(boost, int | float) or not 0.1 <= boost <= 10:
        out.append(_problem(page, ctx, line, f"search.boost “{boost}” 不是 0.1–10 之间的数", hint))
    return out


def phrasings(page: Page, ctx: Context) -> list[Problem]:
    """`phrasings:` maps this page's FAQ ids to lists of non-empty questions."""
    value = page.meta.get("phrasings") if _has_meta(page) else None
    if value is None:
        return []
    lines = page.meta_lines
    if not isinstance(value, dict):
        return [
            _problem(
                page,
                ctx,
                lines["phrasings"],
                "phrasings 必须是 “id: [问法, …]” 的映射",
                "每个 FAQ id 下面用 “- ” 列出几种问法",
            )
        ]
    h2_ids = {h.id for h in page.headings if h.level == 2}
    out = []
    for fid, items in value.items():
        line = lines.get(f"phrasings.{fid}", lines["phrasings"])
        if fid not in h2_ids:
            out.append(
                _problem(
                    page,
                    ctx,
                    line,
                    f"phrasings 里的 {fid} 不是本页的 FAQ id",
                    "改成本页某个 “## 问题 {#id}” 的 id",
                )
            )
        if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
            out.append(
                _problem(
                    page,
                    ctx,
                    line,
                    f"{fid} 的问法必须是非空文字的列表",
                    "每种问法单独一行，以 “- ” 开头",
                )
            )
    return out


def placeholders(page: Page, ctx: Context) -> list[Problem]:
    """No `kb new` placeholder is left."""
    return [
        _problem(
            page,
            ctx,
            n,
            f"还有待填写的内容：{text.strip()[:40]}",
            f"把 “{PLACEHOLDER}” 换成真正的内容",
        )
        for n, text in enumerate(page.source.splitlines(), start=1)
        if PLACEHOLDER in text
    ]


Occurrence = tuple[Page, Heading]


def _original(fid: str, places: list[Occurrence], ctx: Context) -> Occurrence:
    """Given the places one id is used at, return the one that had it first: the one the live site
    shows (same page and title), else the one in the catalogue's category, else the earliest."""
    tests: list[Callable[[Page, Heading], bool]] = []
    if fid in ctx.live:
        url, title = ctx.live[fid]
        tests += [lambda p, h: (p.url, h.title) == (url, title), lambda p, h: p.url == url]
    if fid in ctx.catalogue.entries:
        category = ctx.catalogue.entries[fid]
        tests.append(lambda p, h: h.attrs.get("data-category", p.meta.get("category")) == category)
    for matches in tests:
        found = [place for place in places if matches(*place)]
        if len(found) == 1:
            return found[0]
    return places[0]


def _duplicates(
    places_by_id: dict[str, list[Occurrence]], ctx: Context
) -> list[tuple[str, Occurrence, Occurrence]]:
    """Given where each id is used, return (id, a new occurrence, the original) for every repeat."""
    out = []
    for fid, places in places_by_id.items():
        if len(places) > 1:
            first = _original(fid, places, ctx)
            out += [(fid, place, first) for place in places if place is not first]
    return out


def unique_anchors(page: Page, ctx: Context) -> list[Problem]:
    """No two headings of a page share an anchor; the repeat, not the original, is named."""
    places: dict[str, list[Occurrence]] = {}
    for h in page.headings:
        places.setdefault(h.id, []).append((page, h))
    return [
        _problem(
            page,
            ctx,
            h.line,
            f"锚点 #{fid} 在本页重复（原来的在第 {first.line} 行）",
            "给新加的标题换一个不重复的 {#id}",
        )
        for fid, (_, h), (_, first) in _duplicates(places, ctx)
    ]


def atx_headings(page: Page, ctx: Context) -> list[Problem]:
    """Headings are written with # (an underline of --- or === hides a heading from the rules)."""
    return [
        _problem(
            page,
            ctx,
            h.line,
            f"标题 “{h.title}” 是用下一行的 {'=' if h.level == 1 else '-'} 标出来的",
            f"写成一行 “{'#' * h.level} {h.title} {{#英文-id}}”，并删掉下面那一行 "
            f"{'===' if h.level == 1 else '---'}",
        )
        for h in page.headings
        if h.setext
    ]


def stable_ids(page: Page, ctx: Context) -> list[Problem]:
    """Every FAQ heading (h2) carries an explicit {#id}: generated anchors change with the wording."""
    source = page.source.splitlines()
    return [
        _problem(
            page,
            ctx,
            h.line,
            f"二级标题 “{h.title}” 没有固定 id",
            "在标题末尾加上 {#英文-id}，例如 ## 退货要自己包装吗？ {#return-packaging}",
        )
        for h in page.headings
        if h.level == 2 and not _EXPLICIT_ID.search(source[h.line - 1])
    ]


def answered(page: Page, ctx: Context) -> list[Problem]:
    """No FAQ section is empty."""
    return [
        _problem(
            page,
            ctx,
            s.line,
            f"FAQ 段落 #{s.id} 是空的",
            "在标题下面写上答案，或删掉这个标题",
        )
        for s in page.sections
        if not s.is_intro and not s.text.strip()
    ]


def catalogue_category(page: Page, ctx: Context) -> list[Problem]:
    """A catalogued FAQ entry sits in the category the catalogue gives it."""
    out = []
    for s in page.sections:
        expected = ctx.catalogue.entries.get(s.id)
        if expected and not s.is_intro and s.category != expected:
            out.append(
                _problem(
                    page,
                    ctx,
                    s.line,
                    f"#{s.id} 的分类是 “{s.category}”，目录里是 “{expected}”",
                    f'把它放到分类为 {expected} 的页面，或在标题属性里写 data-category="{expected}"',
                )
            )
    return out


def links(page: Page, ctx: Context) -> list[Problem]:
    """Every internal link reaches a page (or file) of docs/, and its #anchor exists there."""
    out = []
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
            if rel in ctx.pages:
                target = ctx.pages[rel]
            elif inside and (ctx.settings.docs_dir / rel).is_file():
                continue
            else:
                out.append(
                    _problem(
                        page,
                        ctx,
                        link.line,
                        f"链接目标 {parts.path} 不存在",
                        "链接到 docs/ 里的 .md 文件，路径相对于本页，例如 refund.md#cancel-refund",
                    )
                )
                continue
        ids = [h.id for h in target.headings]
        if parts.fragment and parts.fragment not in ids:
            near = difflib.get_close_matches(parts.fragment, ids, n=2, cutoff=0.6)
            guess = "".join(f"你是不是想写 #{n}？" for n in near)
            out.append(
                _problem(
                    page,
                    ctx,
                    link.line,
                    f"链接 {link.href} 的锚点 #{parts.fragment} 在 {target.rel} 里不存在",
                    f"{guess}改成 {target.rel} 里已有的 id（标题后面 {{#id}} 里的名字）",
                )
            )
    return out


def _faq_places(ctx: Context) -> dict[str, list[Occurrence]]:
    """Given the context, return each FAQ id (h2) with every page and heading using it, in path order."""
    places: dict[str, list[Occurrence]] = {}
    for page in ctx.pages.values():
        for h in page.headings:
            if h.level == 2:
                places.setdefault(h.id, []).append((page, h))
    return places


def unique_faq_ids(ctx: Context) -> list[Problem]:
    """Each FAQ id is used once in the whole help center; the repeat, not the original, is named."""
    return [
        Problem(
            ctx.where(page.path),
            h.line,
            f"FAQ id #{fid} 重复（已在 {ctx.where(first_page.path)}:{first.line} 使用）",
            "每个 id 只能出现一次：给新加的段落换一个新 id（不要改已发布的 id）",
        )
        for fid, (page, h), (first_page, first) in _duplicates(_faq_places(ctx), ctx)
    ]


def catalogue_ids_present(ctx: Context) -> list[Problem]:
    """Every id the catalogue promises is an FAQ entry somewhere in docs/."""
    used = _faq_places(ctx)
    cat = ctx.catalogue
    return [
        Problem(
            ctx.where(cat.path),
            cat.lines.get(fid, 1),
            f"目录里的 FAQ id #{fid} 在 docs/ 中找不到",
            f"在对应页面加上 “## 问题 {{#{fid}}}” 段落；已发布的 id 不能删除或改名",
        )
        for fid in cat.entries
        if fid not in used
    ]


def structured_data(ctx: Context) -> list[Problem]:
    """Each page's FAQPage structured data (search engines' rich results) matches its FAQ entries."""
    return faqpage_check(ctx.settings, list(ctx.pages.values()))


def house_style(ctx: Context) -> list[Problem]:
    """Words outside the house style (search/data/style.yml) are warnings."""
    return style_problems(ctx.settings, list(ctx.pages.values()))


_H2 = re.compile(r'<h2\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def live_faq_entries(site_dir: Path) -> dict[str, tuple[str, str]]:
    """Given the live site folder, return the FAQ ids (h2 anchors) it carries, each with (page URL, title)."""
    live: dict[str, tuple[str, str]] = {}
    for html in sorted(site_dir.glob("**/index.html")) if site_dir.is_dir() else []:
        folder = html.parent.relative_to(site_dir).as_posix()
        url = "/" if folder == "." else f"/{folder}/"
        for fid, title in _H2.findall(html.read_text(encoding="utf-8", errors="replace")):
            live.setdefault(fid, (url, html_to_text(title)))
    return live


def published_ids_present(ctx: Context) -> list[Problem]:
    """Every FAQ id the live site carries is still in docs/ (support agents' links point at it)."""
    used = _faq_places(ctx)
    by_url = {p.url: p for p in ctx.pages.values()}
    out = []
    for fid, (url, _) in ctx.live.items():
        if fid in used or fid in ctx.catalogue.entries:  # the catalogue rule names those
            continue
        page = by_url.get(url)
        out.append(
            Problem(
                ctx.where(page.path) if page else f"{ctx.where(ctx.settings.docs_dir)}{url}",
                1,
                f"已发布的 FAQ id #{fid} 在 docs/ 中找不到（线上的 {url}#{fid} 还有它）",
                f"把标题的 id 改回 {{#{fid}}}：客服发出的链接和搜索结果都在用它，已发布的 id 不能删除或改名",
            )
        )
    return out


def calculator_links(ctx: Context) -> list[Problem]:
    """Every FAQ entry a calculator step links to is one of the catalogue's stable ids."""
    path = ctx.settings.docs_dir / RULES_FILE
    if not path.is_file():
        return []
    return [
        Problem(
            ctx.where(path),
            line,
            f"{step} 里的 #{fid} 不是目录里的 FAQ id",
            f"改成 {ctx.where(ctx.catalogue.path)} 里的一个 id",
        )
        for line, step, fid in calculator_faq_links(path)
        if fid not in ctx.catalogue.entries
    ]


PAGE_RULES: tuple[PageRule, ...] = (
    front_matter_present,
    required_fields,
    known_fields,
    text_fields,
    category_known,
    updated_date,
    search_options,
    phrasings,
    placeholders,
    unique_anchors,
    atx_headings,
    stable_ids,
    answered,
    catalogue_category,
    links,
)
SITE_RULES: tuple[SiteRule, ...] = (
    unique_faq_ids,
    catalogue_ids_present,
    structured_data,
    house_style,
    published_ids_present,
    calculator_links,
)


def find_problems(
    settings: Settings, today: dt.date | None = None, pages: Sequence[Page] | None = None
) -> list[Problem]:
    """Given a checkout's settings (and its pages, if already loaded), return every problem in docs/.

    The editor data files are checked first; while the catalogue itself is broken, the pages
    cannot be checked against it and only the data files' problems are returned.
    """
    problems = data_file_problems(settings)
    if any(p.path == where(settings, settings.catalogue_file) for p in problems):
        return _sorted(problems)
    if pages is None:
        pages = load_pages(settings.docs_dir, settings.mkdocs_yml)
    ctx = Context(
        settings,
        load_catalogue(settings.catalogue_file),
        {p.rel: p for p in pages},
        today or dt.date.today(),
        live_faq_entries(settings.site_dir),
    )
    problems += [p for page in ctx.pages.values() for rule in PAGE_RULES for p in rule(page, ctx)]
    problems += [p for rule in SITE_RULES for p in rule(ctx)]
    return _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.severity != "error", p.path, p.line))


def check(
    settings: Settings, today: dt.date | None = None, pages: Sequence[Page] | None = None
) -> list[Problem]:
    """Given settings (and pages, if loaded), return the warnings; raise ContentError on any error."""
    problems = find_problems(settings, today, pages)
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return problems
