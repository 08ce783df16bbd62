"""The best passage of an answer for a query: HTML-escaped, whole matched words in <mark>."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from whoosh.highlight import HtmlFormatter, WholeFragmenter, get_text, highlight

from .analyzer import WordTokenizer, normalize
from .lexicon import Lexicon

_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+|\n|$)")
TOP_SENTENCES = 2
MAX_CHARS = 160


class MarkFormatter(HtmlFormatter):
    """Whoosh's HTML formatter, but a plain <mark> around each match (no classes to style)."""

    def format_token(self, text: str, token: object, replace: bool = False) -> str:
        return f"<mark>{html.escape(get_text(text, token, replace), quote=False)}</mark>"


def make_snippet(text: str, terms: Iterable[str], lexicon: Lexicon) -> str:
    """Given an answer and the query's index terms, return its best sentences with <mark>ed words."""
    wanted = set(terms)
    analyzer = WordTokenizer(str(lexicon.words_file.parent))
    # The sentences holding the most distinct query words, in the answer's order; each is
    # highlighted on its own, so its words come from the segmenter's cache on later queries.
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    scored = []
    for n, sentence in enumerate(sentences):
        norm = normalize(sentence)
        found = sum(1 for t in wanted if t in norm)
        if found:
            scored.append((-found, n, sentence))
    best = sorted(sorted(scored)[:TOP_SENTENCES], key=lambda s: s[1])
    formatter = MarkFormatter(between="…")
    fragmenter = WholeFragmenter(charlimit=None)
    marked = [
        highlight(sentence, wanted, analyzer, fragmenter, formatter, top=1)
        for _, _, sentence in best
    ]
    marked = [m for m in marked if m]
    if marked:
        return "…".join(marked)
    first = (
        sentences[0] if sentences else ""
    )  # no match in the answer (e.g. only the question matched)
    return html.escape(first[:MAX_CHARS] + ("…" if len(first) > MAX_CHARS else ""), quote=False)
