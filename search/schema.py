"""The search index's fields: one document per FAQ section or page introduction."""

from __future__ import annotations

from pathlib import Path

from whoosh.fields import ID, STORED, TEXT, Schema

from .analyzer import ANALYZER_VERSION, WordTokenizer

# Bump when fields change; an index of another version is ignored and rebuilt beside it.
SCHEMA_VERSION = "6"
INDEX_NAME = f"faq_a{ANALYZER_VERSION}s{SCHEMA_VERSION}"

# Fields a query's words are looked up in, with how much a match there weighs (BM25F boosts):
# a shopper's words match the question and the editors' phrasings better than the answer.
TEXT_FIELDS = {"title": 3.0, "phrasings": 2.5, "body": 1.0}


def make_schema(data_dir: Path) -> Schema:
    """Given the lexicon's data folder, return the index schema."""
    words = WordTokenizer(str(data_dir))
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),  # "faq" or "intro"
        category=ID(stored=True),
        url=STORED,
        digest=STORED,  # what the document was built from: unchanged digest → not rewritten
        questions=STORED,  # [[question, pinyin, initials], …] for suggestions
        question_words=STORED,  # the same, for the title and each phrasing on its own
        words=STORED,  # {field: "w|part|part w2 …"}: each position's words, for coverage and proximity
        title=TEXT(analyzer=words, stored=True),
        phrasings=TEXT(analyzer=words, stored=True),
        # The answer as indexed: cross-reference link texts removed (they describe another entry).
        body=TEXT(analyzer=words),
        answer=STORED,  # the whole answer as plain text: snippets, and what support agents copy
        boost=STORED,  # the page's `search: boost:` (Material's key): a tool page weighs less
    )
