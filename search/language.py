"""Language of the words in a Chinese page: Latin-letter words are marked so screen readers say them right.

The pages are `lang="zh-CN"`. A Mandarin voice spells an English word like "App" or "JavaScript"
letter by letter, so English runs get `<span lang="en">`; a run that reads wholly as pinyin
("tuihuo") stays in the Chinese voice, which reads pinyin, and is marked `zh-Latn-pinyin`.
Loaded as a Markdown extension (mkdocs.yml `markdown_extensions: - search.language`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .pinyin import is_pinyin

# A run of Latin-letter words (with digits, dots, apostrophes and hyphens inside), spaces between.
LATIN_RUN = re.compile(
    r"[A-Za-z][A-Za-z0-9.'’+-]*[A-Za-z0-9+]?(?:\s+[A-Za-z][A-Za-z0-9.'’+-]*[A-Za-z0-9+]?)*"
)
# Python-Markdown's placeholders for stashed HTML (STX…ETX) and entities (&para;) are not words.
PROTECTED = re.compile(r"(\x02[^\x03]*\x03(?:#?\w+;)?|&#?\w+;)")  # STX amp ETX para; is &para;
# Where text is not prose to be read aloud, or already says its language.
SKIP_TAGS = {"code", "pre", "kbd", "samp", "script", "style", "math", "svg"}


def run_language(run: str) -> str:
    """Given a run of Latin-letter words, return its BCP 47 tag: zh-Latn-pinyin or en."""
    words = re.findall(r"[A-Za-z]+", run)
    return "zh-Latn-pinyin" if all(w.islower() and is_pinyin(w) for w in words) else "en"


def marked_nodes(text: str) -> list[str | etree.Element]:
    """Given a text, return it as strings and <span lang> elements around its Latin-letter runs."""
    parts: list[str | etree.Element] = []
    for i, piece in enumerate(PROTECTED.split(text)):
        if i % 2:  # a placeholder or an entity, kept as it is
            parts.append(piece)
            continue
        at = 0
        for m in LATIN_RUN.finditer(piece):
            parts.append(piece[at : m.start()])
            span = etree.Element("span", {"lang": run_language(m.group())})
            span.text = m.group()
            parts.append(span)
            at = m.end()
        parts.append(piece[at:])
    merged: list[str | etree.Element] = []
    for part in parts:  # neighbouring strings join, so spans alternate with text
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not isinstance(part, str) or part:
            merged.append(part)
    return merged


def _has_words(text: str) -> bool:
    return any(LATIN_RUN.search(piece) for piece in PROTECTED.split(text)[::2])


def _mark(parent: etree.Element) -> None:
    if parent.tag in SKIP_TAGS or parent.get("lang"):
        return
    for child in list(parent):
        _mark(child)
    if parent.text and _has_words(parent.text):
        nodes = marked_nodes(parent.text)
        parent.text = nodes.pop(0) if isinstance(nodes[0], str) else ""
        _insert(parent, 0, nodes)
    for index, child in reversed(list(enumerate(parent))):
        if child.tail and _has_words(child.tail):
            nodes = marked_nodes(child.tail)
            child.tail = nodes.pop(0) if isinstance(nodes[0], str) else ""
            _insert(parent, index + 1, nodes)


def _insert(parent: etree.Element, index: int, nodes: list[str | etree.Element]) -> None:
    """Insert spans and the text between them at index (text after a span becomes its tail)."""
    for node in nodes:
        if isinstance(node, str):
            parent[index - 1].tail = (parent[index - 1].tail or "") + node
        else:
            parent.insert(index, node)
            index += 1


class LanguageTreeprocessor(Treeprocessor):
    """Mark the Latin-letter runs of a page's text with their language."""

    def run(self, root: etree.Element) -> None:
        _mark(root)


class LanguageExtension(Extension):
    """Python-Markdown extension: Latin-letter words in Chinese pages get their own `lang`."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(LanguageTreeprocessor(md), "kb_language", 1)


def makeExtension(**kwargs: object) -> LanguageExtension:
    """Return the extension (Python-Markdown loads `search.language` through this name)."""
    return LanguageExtension(**kwargs)
