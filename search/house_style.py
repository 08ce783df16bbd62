"""House style: warnings for words the editors' style file (search/data/style.yml) discourages,
and for links whose text is not the heading they link to."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem
from .page import Page, split_front_matter
from .settings import Settings
from .yamlfile import parse_yaml

STYLE_FILE = "style.yml"
_FENCE = re.compile(r"^\s*(```|~~~)")
# Not prose: link targets, attribute lists, inline code.
_NOT_PROSE = re.compile(r"\]\([^)]*\)|\{[^}]*\}|`[^`]*`")
_QUESTION_MARKS = "？?"


@dataclass(frozen=True)
class Term:
    """One house-style rule: the words to avoid, and the preferred word or a hint how to rewrite."""

    avoid: tuple[str, ...]
    prefer: str
    hint: str
    line: int


def load_style(path: Path) -> tuple[list[Term], list[Problem]]:
    """Given style.yml, return its terms and the problems of the file itself (a missing file has none)."""
    if not path.is_file():
        return [], []
    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as e:  # ValueError: not UTF-8
        return [], [Problem(where, 1, f"读不了用词规范：{e}", "检查 style.yml 的 YAML 格式")]
    doc = parse_yaml(text)  # a mistake is a problem at its line; a repeated key too
    problems = [
        Problem(where, p.line, p.message, "检查 style.yml 的 YAML 格式") for p in doc.problems
    ]
    entries = doc.data.get("terms") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        if doc.data is None and problems:
            return [], problems
        return [], [
            *problems,
            Problem(where, 1, "style.yml 要有 terms: 列表", "照文件开头的说明写"),
        ]
    terms: list[Term] = []
    for n, entry in enumerate(entries):
        line = doc.line("terms", n)
        avoid = entry.get("avoid") if isinstance(entry, dict) else None
        prefer = str(entry.get("prefer") or "") if isinstance(entry, dict) else ""
        hint = str(entry.get("hint") or "") if isinstance(entry, dict) else ""
        words = (
            [w for w in avoid if isinstance(w, str) and w.strip()]
            if isinstance(avoid, list)
            else []
        )
        if not words or len(words) != len(avoid) or not (prefer or hint):
            problems.append(
                Problem(
                    where,
                    line,
                    "用词规范的这一条不完整",
                    "写成 {prefer: 本站用词, avoid: [不要用的说法, …]}，或用 hint 代替 prefer",
                )
            )
            continue
        terms.append(Term(tuple(sorted(words, key=len, reverse=True)), prefer, hint, line))
    return terms, problems


def _prose_lines(page: Page) -> list[tuple[int, str]]:
    """Given a page, return its body's (file line, prose) pairs, without code and link targets."""
    source = page.path.read_text(encoding="utf-8")
    _, body, first = split_front_matter(source)
    out, fenced = [], False
    for offset, line in enumerate(body.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append((first + offset, _NOT_PROSE.sub(" ", line)))
    return out


def term_problems(page: Page, where: str, terms: list[Term]) -> list[Problem]:
    """Given a page and the style terms, return a warning for each discouraged word in its body."""
    out: list[Problem] = []
    for line, text in _prose_lines(page):
        for term in terms:
            taken: list[tuple[int, int]] = []
            for word in term.avoid:  # longest first: 上门取货 is reported once, not again as 取货
                for m in re.finditer(re.escape(word), text):
                    if any(a < m.end() and m.start() < b for a, b in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    fix = f"改成“{term.prefer}”" if term.prefer else term.hint
                    out.append(Problem(where, line, f"“{word}”不是本站的用词", fix, "warning"))
    return out


class _Links(HTMLParser):
    """Collects (href, text) of the links in rendered HTML, outside task cards and permalinks."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._divs: list[bool] = []  # per open div: is it a card grid?
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div":
            self._divs.append("cards" in classes)
        elif tag == "a" and "headerlink" not in classes and not any(self._divs):
            self._href, self._text = a.get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)


def _link_line(page: Page, text: str, href: str) -> int:
    source = page.path.read_text(encoding="utf-8").splitlines()
    for needle in (f"[{text}]({href}", f"]({href}"):
        for n, line in enumerate(source, start=1):
            if needle in line:
                return n
    return page.body_line


def link_text_problems(page: Page, where: str, pages: dict[str, Page]) -> list[Problem]:
    """Given a page and all pages by path, warn about links to a heading whose text is not that heading."""
    parser = _Links()
    for section in page.sections:
        parser.feed(section.html)
    out: list[Problem] = []
    for href, text in parser.links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.fragment:
            continue
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page.rel), unquote(parts.path)))
        target = pages.get(rel) if parts.path else page
        heading = (
            next((h for h in target.headings if h.id == parts.fragment), None) if target else None
        )
        if heading is None or text.rstrip(_QUESTION_MARKS) == heading.title.rstrip(_QUESTION_MARKS):
            continue
        out.append(
            Problem(
                where,
                _link_line(page, text, href),
                f"链接文字“{text}”和它指向的标题“{heading.title}”不一样",
                f"把链接文字改成“{heading.title}”，顾客点过去看到的就是同一句话",
                "warning",
            )
        )
    return out


def style_problems(settings: Settings, pages: list[Page]) -> list[Problem]:
    """Given settings and the parsed pages, return the house-style warnings."""
    style = settings.data_dir / STYLE_FILE
    terms, _ = load_style(style)  # the file's own problems: search/datafiles.py reports them
    problems: list[Problem] = []
    by_rel = {p.rel: p for p in pages}
    for page in pages:
        where = _where(settings, page.path)
        problems += term_problems(page, where, terms)
        problems += link_text_problems(page, where, by_rel)
    return problems


def _where(settings: Settings, path: Path) -> str:
    """Given a file, return it as `kb check` names files: relative to the checkout."""
    return Path(os.path.relpath(path, settings.root)).as_posix()
