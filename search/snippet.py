"""The best passage of an answer for a query: HTML-escaped, whole matched words in <mark>."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from whoosh.highlight import HtmlFormatter, SentenceFragmenter, get_text, highlight

from .analyzer import WordTokenizer
from .lexicon import Lexicon

SENTENCE_ENDS = "。！？!?；;\n"
_END_NEWLINE = re.compile(r"([。！？!?；;])\n")
MAX_CHARS = 160


class MarkFormatter(HtmlFormatter):
    """Whoosh's HTML formatter, but a plain <mark> around each match (no classes to style)."""

    def format_token(self, text: str, token: object, replace: bool = False) -> str:
        return f"<mark>{html.escape(get_text(text, token, replace), quote=False)}</mark>"


def make_snippet(text: str, terms: Iterable[str], lexicon: Lexicon) -> str:
    """Given an answer and the query's index terms, return its best sentences with <mark>ed words."""
    wanted = set(terms)
    formatter = MarkFormatter(between="…")
    fragmenter = SentenceFragmenter(maxchars=MAX_CHARS, sentencechars=SENTENCE_ENDS)
    analyzer = WordTokenizer(str(lexicon.words_file.parent))
    # Whoosh reads "。\n" as one "…"-like run and would not end the sentence there; a same-length
    # space keeps every character offset (and so every token span) where it was.
    flat = _END_NEWLINE.sub(lambda m: m.group(1) + " ", text)
    marked = highlight(flat, wanted, analyzer, fragmenter, formatter, top=2) if wanted else ""
    if marked:
        return " ".join(marked.split("\n")).strip()
    first = text.strip().split("\n", 1)[
        0
    ]  # no match in the answer (e.g. only the question matched)
    return html.escape(first[:MAX_CHARS] + ("…" if len(first) > MAX_CHARS else ""), quote=False)
