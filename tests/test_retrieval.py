"""First-stage retrieval from cached postings: each concept's best form, on the same document."""

from __future__ import annotations

from pathlib import Path

from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from search.query import Alternative, Concept
from search.ranking import WEIGHTING
from search.retrieval import Postings
from search.schema import TEXT_FIELDS


def two_documents(tmp_path: Path):
    schema = Schema(
        id=ID(stored=True), category=ID(stored=True), title=TEXT, phrasings=TEXT, body=TEXT
    )
    ix = FileStorage(str(tmp_path)).create_index(schema)
    with ix.writer() as w:  # b first: Whoosh's matcher then sits on a when b is scored
        w.add_document(id="b", category="y", title="pear", phrasings="", body="other words here")
        w.add_document(id="a", category="x", title="apple", phrasings="", body="apple apple")
        w.add_document(id="c", category="x", title="kiwi", phrasings="", body="nothing")
    return ix


def test_whoosh_disjunction_max_credits_a_document_with_another_documents_score(tmp_path):
    """The bug this module avoids: Whoosh's DisjunctionMax takes the max across documents."""
    ix = two_documents(tmp_path)
    with ix.searcher(weighting=WEIGHTING) as s:
        alone = {h["id"]: h.score for h in s.search(wq.Term("body", "other"))}
        q = wq.DisjunctionMax([wq.Term("body", "apple"), wq.Term("body", "other")])
        mixed = {h["id"]: h.score for h in s.search(q)}
    assert mixed["b"] > alone["b"]  # b got a's (higher) apple score


def test_each_concept_counts_its_best_form_on_the_same_document(tmp_path):
    ix = two_documents(tmp_path)
    concept = Concept("x", (Alternative("apple", 1.0), Alternative("other", 1.0)))
    with ix.searcher(weighting=WEIGHTING) as s:
        alone = {h.docnum: h.score for h in s.search(wq.Term("body", "other"))}
        body = {h.docnum: h.score for h in s.search(wq.Term("body", "apple"))}
        title = {h.docnum: h.score for h in s.search(wq.Term("title", "apple"))}
        found = dict(Postings(s).retrieve([concept], 10))
    assert abs(found[0] - alone[0]) < 1e-9  # b: its own score only, never a's
    assert abs(found[1] - (TEXT_FIELDS["title"] * title[1] + body[1])) < 1e-9  # fields add up
    assert set(found) == {0, 1}


def test_category_keeps_only_its_documents_and_unknown_terms_find_nothing(tmp_path):
    ix = two_documents(tmp_path)
    apple = Concept("apple", (Alternative("apple", 1.0),))
    with ix.searcher(weighting=WEIGHTING) as s:
        postings = Postings(s)
        assert [d for d, _ in postings.retrieve([apple], 10, category="y")] == []
        assert [d for d, _ in postings.retrieve([apple], 10, category="x")] == [1]
        assert postings.retrieve([Concept("none", (Alternative("zzz", 1.0),))], 10) == []
