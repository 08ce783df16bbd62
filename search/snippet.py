"""The passage of an answer to show for a query: HTML-escaped, whole matched words in <mark>.

An answer starts with the paragraph that answers (the pages are written answer first), and that
paragraph carries the conditions that change the answer: when it mentions what was asked it is
the snippet, whole. Otherwise the sentences holding the most query words are. Matches are marked
by the spans of the analyzer's own words, never a single character on its own (不, 出).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from .analyzer import Word, normalize, segment_passage
from .lexicon import Lexicon

_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+|\n|$)")
TOP_SENTENCES = 2
MAX_CHARS = 160  # an unmatched answer's first sentence is cut here
MAX_LEAD = 240  # a longer first paragraph is not shown whole


def _marked(word: Word, wanted: set[str]) -> bool:
    """Given a word of the passage, return whether it (or a piece of it) is a query word."""
    if len(word.text) < 2:
        return False
    return word.text in wanted or not wanted.isdisjoint(word.parts)


def highlight(passage: str, wanted: set[str], lexicon: Lexicon) -> str:
    """Given a passage and the query's index words, return it escaped with matched words marked."""
    out, at = [], 0
    for word in segment_passage(passage, lexicon):
        if _marked(word, wanted):
            out.append(html.escape(passage[at : word.start], quote=False))
            out.append(f"<mark>{html.escape(passage[word.start : word.end], quote=False)}</mark>")
            at = word.end
    out.append(html.escape(passage[at:], quote=False))
    return "".join(out)


def _mentions(passage: str, wanted: set[str], lexicon: Lexicon) -> int:
    """Given a passage, return how many distinct query words it holds (as whole words or pieces)."""
    found = {
        f for w in segment_passage(passage, lexicon) for f in (w.text, *w.parts) if f in wanted
    }
    return len(found)


def make_snippet(text: str, terms: Iterable[str], lexicon: Lexicon) -> str:
    """Given an answer and the query's index words, return its answering passage, marked."""
    wanted = {t for t in terms if len(t) >= 2}
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    lead = lines[0] if lines else ""
    if lead and len(lead) <= MAX_LEAD and _mentions(lead, wanted, lexicon):
        return highlight(lead, wanted, lexicon)
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    scored = []
    for n, sentence in enumerate(sentences):
        found = sum(1 for t in wanted if t in normalize(sentence))
        if found:
            scored.append((-found, n, sentence))
    best = sorted(sorted(scored)[:TOP_SENTENCES], key=lambda s: s[1])
    if best:
        return "…".join(highlight(sentence, wanted, lexicon) for _, _, sentence in best)
    first = sentences[0] if sentences else ""  # no match in the answer (only the question matched)
    return html.escape(first[:MAX_CHARS] + ("…" if len(first) > MAX_CHARS else ""), quote=False)
