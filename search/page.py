"""A help page read from docs/: its front matter, its rendered sections and links, with source lines."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .renderer import markdown_converter
from .yamlfile import YamlProblem, parse_yaml

_FENCE = re.compile(r"^\s*(```|~~~)")
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+\S")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ATTR_LIST_ID = re.compile(r"\{[^}]*#([\w-]+)[^}]*\}\s*$")
_HEADING_HTML = re.compile(r"<h([1-6])([^>]*)>(.*?)</h\1>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"', re.S)
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|tr|div|details|summary|pre|dt|dd|blockquote)>|<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Heading:
    """A rendered heading: its anchor id, text, level and source line."""

    id: str
    title: str
    level: int
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    setext: bool = False  # underlined with === or --- instead of written with #


@dataclass(frozen=True)
class Section:
    """One FAQ entry (an h2 with its answer) or a page introduction."""

    id: str
    title: str
    url: str
    category: str
    line: int
    html: str
    text: str
    phrasings: tuple[str, ...] = ()
    is_intro: bool = False


@dataclass(frozen=True)
class Link:
    """An internal or external link found in a page, with the source line it is on."""

    href: str
    line: int


@dataclass
class FrontMatter:
    """A page of docs/ read up to its front matter: where it is, its source and its metadata."""

    path: Path
    rel: str
    url: str
    source: str
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    meta_problems: list[YamlProblem]
    body_line: int

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or "")

    @property
    def search_options(self) -> dict[str, Any]:
        """The page's `search:` front matter (Material's own keys: exclude, boost)."""
        options = self.meta.get("search")
        return options if isinstance(options, dict) else {}

    @property
    def excluded_from_search(self) -> bool:
        return bool(self.search_options.get("exclude"))

    @property
    def search_boost(self) -> float:
        """How much this page's sections weigh in search, relative to others (default 1)."""
        boost = self.search_options.get("boost", 1.0)
        return (
            float(boost) if isinstance(boost, int | float) and not isinstance(boost, bool) else 1.0
        )


@dataclass
class Page(FrontMatter):
    """A parsed Markdown page of the help center: its front matter, rendered headings, sections, links."""

    headings: list[Heading]
    sections: list[Section]
    links: list[Link]


def page_url(rel: str) -> str:
    """Given a docs-relative path like tools/calculator.md, return its site URL /tools/calculator/."""
    stem = rel[:-3] if rel.endswith(".md") else rel
    if stem == "index":
        return "/"
    if stem.endswith("/index"):
        stem = stem[: -len("/index")]
    return f"/{stem}/"


def html_to_text(fragment: str) -> str:
    """Given rendered HTML, return its readable plain text, one block a line."""
    text = _HEADERLINK.sub("", fragment)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Searchable(HTMLParser):
    """Drops what Material's search drops: elements marked data-search-exclude, and the whole
    section under a heading so marked (up to the next heading of the same or a higher level)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skip_depth = 0  # >0: inside an excluded element, counting its open tags
        self.skip_level = 0  # >0: inside an excluded section of this heading level

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        level = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0
        if self.skip_level and level and level <= self.skip_level:
            self.skip_level = 0
        if self.skip_depth:
            self.skip_depth += tag not in _VOID
            return
        if any(name == "data-search-exclude" for name, _ in attrs):
            if level:
                self.skip_level = level
            else:
                self.skip_depth = 0 if tag in _VOID else 1
            return
        if not self.skip_level:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
        elif not self.skip_level:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth and not self.skip_level:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


def searchable_html(fragment: str) -> str:
    """Given rendered HTML, return it without the parts marked data-search-exclude (as Material does)."""
    parser = _Searchable()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


def split_front_matter(source: str) -> tuple[str, str, int]:
    """Given a page's source, return (front matter YAML, body, 1-based line where the body starts)."""
    lines = source.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return "", source, 1
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return "".join(lines[1:]), "", len(lines) + 1


def parse_front_matter(text: str) -> tuple[dict[str, Any], dict[str, int], list[YamlProblem]]:
    """Given front matter YAML, return (data, key → file line, problems with their file lines)."""
    if not text.strip():
        return {}, {}, []
    doc = parse_yaml(text, first_line=2)  # line 1 of the file is the opening ---
    if doc.data is None and doc.problems:
        return {}, {}, [YamlProblem(p.line, f"front matter {p.message}") for p in doc.problems]
    if not isinstance(doc.data, dict):
        return {}, {}, [YamlProblem(2, "front matter 必须是 “键: 值” 的映射")]
    lines: dict[str, int] = {}
    for path, line in doc.lines.items():
        # Top-level keys, and one level deeper for phrasings: {id: [...]}.
        if len(path) in (1, 2) and not isinstance(path[-1], int):
            lines[".".join(map(str, path))] = line
    problems = [YamlProblem(p.line, f"front matter 里{p.message}") for p in doc.problems]
    return {str(k): v for k, v in doc.data.items()}, lines, problems


def _heading_lines(
    body: str, first_line: int
) -> tuple[list[tuple[int, bool]], dict[str, list[int]]]:
    """Given a page body, return its top-level heading lines (line, is setext) in order, and the
    lines of every explicit {#id}, both outside code fences."""
    headings: list[tuple[int, bool]] = []
    explicit: dict[str, list[int]] = {}
    fenced, previous = False, ""
    for offset, line in enumerate(body.splitlines()):
        number = first_line + offset
        if _FENCE.match(line):
            fenced, previous = not fenced, ""
            continue
        if fenced:
            continue
        if m := _ATTR_LIST_ID.search(line):
            explicit.setdefault(m.group(1), []).append(number)
        if _ATX.match(line):
            headings.append((number, False))
        elif (
            _SETEXT_UNDERLINE.match(line)
            and previous.strip()
            and not previous.startswith(("    ", "\t"))
            and not _ATX.match(previous)
            and not _SETEXT_UNDERLINE.match(previous)
            and (offset < 2 or not body.splitlines()[offset - 2].strip())
        ):
            headings.append((number - 1, True))
        previous = line
    return headings, explicit


def _source_line(body: str, first_line: int, needle: str) -> int:
    for offset, line in enumerate(body.splitlines()):
        if needle in line:
            return first_line + offset
    return first_line


def read_front_matter(path: Path, docs_dir: Path) -> FrontMatter:
    """Given a Markdown file under docs_dir, return its front matter (the body is not rendered)."""
    return _front_matter(path, docs_dir, path.read_text(encoding="utf-8"))


def _front_matter(path: Path, docs_dir: Path, source: str) -> FrontMatter:
    fm_text, _, body_line = split_front_matter(source)
    meta, meta_lines, meta_problems = parse_front_matter(fm_text)
    rel = path.relative_to(docs_dir).as_posix()
    return FrontMatter(path, rel, page_url(rel), source, meta, meta_lines, meta_problems, body_line)


def load_front_matters(docs_dir: Path) -> list[FrontMatter]:
    """Given docs_dir, return the front matter of every Markdown page in it, in path order."""
    return [read_front_matter(p, docs_dir) for p in sorted(docs_dir.rglob("*.md"))]


def _headings(rendered: str, body: str, body_line: int) -> list[tuple[Heading, int, int]]:
    """Given a page's rendered HTML and its body, return each heading with its (start, end) in the HTML.

    A heading's line is where its explicit {#id} is written; other headings take the next
    heading line of the source in order (re-synchronised at every explicit id).
    """
    candidates, explicit = _heading_lines(body, body_line)
    setext = {line for line, underlined in candidates if underlined}
    seen: dict[str, int] = {}
    cursor, out = 0, []
    for m in _HEADING_HTML.finditer(rendered):
        attrs = dict(_ATTR.findall(m.group(2)))
        fid = attrs.get("id", "")
        nth = seen[fid] = seen.get(fid, -1) + 1
        if nth < len(explicit.get(fid, ())):
            line = explicit[fid][nth]
            while cursor < len(candidates) and candidates[cursor][0] <= line:
                cursor += 1
        elif cursor < len(candidates):
            line, cursor = candidates[cursor][0], cursor + 1
        else:
            line = body_line
        heading = Heading(
            fid, html_to_text(m.group(3)), int(m.group(1)), line, attrs, line in setext
        )
        out.append((heading, m.start(), m.end()))
    return out


def _sections(
    front: FrontMatter, rendered: str, headings: list[tuple[Heading, int, int]]
) -> list[Section]:
    """Given a page's front matter, rendered HTML and headings, return its intro and FAQ sections."""
    meta, url, body_line = front.meta, front.url, front.body_line
    category = str(meta.get("category") or "")
    phrasings = meta.get("phrasings") if isinstance(meta.get("phrasings"), dict) else {}
    sections: list[Section] = []
    h2 = [(h, start, end) for h, start, end in headings if h.level == 2]
    intro_html = rendered[: h2[0][1] if h2 else len(rendered)]
    intro_html = (
        _HEADING_HTML.sub("", intro_html, count=1)
        if intro_html.lstrip().startswith("<h1")
        else intro_html
    )
    if html_to_text(intro_html):
        sections.append(
            Section(
                url.strip("/") or "index",
                str(meta.get("title") or ""),
                url,
                category,
                body_line,
                intro_html.strip(),
                html_to_text(searchable_html(intro_html)),
                is_intro=True,
            )
        )
    for k, (h, _, end_of_heading) in enumerate(h2):
        end = h2[k + 1][1] if k + 1 < len(h2) else len(rendered)
        frag = rendered[end_of_heading:end].strip()
        own = phrasings.get(h.id) if isinstance(phrasings, dict) else None
        sections.append(
            Section(
                h.id,
                h.title,
                f"{url}#{h.id}",
                h.attrs.get("data-category", category),
                h.line,
                frag,
                html_to_text(searchable_html(frag)),
                tuple(str(p) for p in own) if isinstance(own, list) else (),
            )
        )
    return sections


def load_page(path: Path, docs_dir: Path, mkdocs_yml: Path) -> Page:
    """Given a Markdown file under docs_dir, return the parsed Page.

    A page whose text and mkdocs.yml are unchanged is parsed once per process: `kb publish`
    checks, builds (the MkDocs hooks read pages too) and indexes from the same parse.
    Callers must not change the Page they get.
    """
    source = path.read_text(encoding="utf-8")
    return _parsed(path, docs_dir, mkdocs_yml, source, mkdocs_yml.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _parsed(path: Path, docs_dir: Path, mkdocs_yml: Path, source: str, _config: int) -> Page:
    front = _front_matter(path, docs_dir, source)
    body = split_front_matter(source)[1]
    rendered = markdown_converter(mkdocs_yml).convert(body)
    headings = _headings(rendered, body, front.body_line)
    hrefs = (html.unescape(h) for h in _HREF.findall(_HEADERLINK.sub("", rendered)))
    links = [Link(h, _source_line(body, front.body_line, h)) for h in hrefs]
    return Page(
        **vars(front),
        headings=[h for h, _, _ in headings],
        sections=_sections(front, rendered, headings),
        links=links,
    )


def load_pages(docs_dir: Path, mkdocs_yml: Path) -> list[Page]:
    """Given docs_dir, return every Markdown page in it, in path order."""
    return [load_page(p, docs_dir, mkdocs_yml) for p in sorted(docs_dir.rglob("*.md"))]
