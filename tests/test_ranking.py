"""Ranking as pure functions: a fitted model scores hand-made candidates, no index needed."""

from __future__ import annotations

import json

import pytest

from search.errors import KbError
from search.ranking import CONFIDENCE, FEATURES, Candidate, Model, load_model


def candidate(**kw) -> Candidate:
    c = Candidate(1, kw.pop("bm25", 5.0), {"kind": kw.pop("kind", "faq"), "boost": 1.0})
    for k, v in kw.items():
        setattr(c, k, v)
    return c


def test_the_shipped_model_names_every_feature_and_signal():
    model = load_model()
    assert set(model.weights) == set(FEATURES) and set(model.confidence) == set(CONFIDENCE)


def test_a_candidate_that_says_more_of_the_query_ranks_higher():
    model = load_model()
    weak = candidate(coverage=0.3, asked=0.2, echo=0.2, nearest=0.2)
    strong = candidate(coverage=1.0, asked=1.0, echo=0.9, nearest=0.9)
    assert model.score(strong.describe()) > model.score(weak.describe())


def test_confidence_falls_with_what_the_pages_never_mention():
    model = load_model()
    c = candidate(coverage=0.9, asked=0.9, echo=0.8, nearest=0.8, evidence=2.0)
    score = model.score(c.describe())
    assert model.confident(c.signals(0.0, score))
    assert not model.confident(candidate(coverage=0.1, asked=0.0, evidence=0.2).signals(0.9, 0.0))


def test_a_page_introduction_is_a_fallback_not_an_answer():
    model = load_model()
    faq, intro = candidate(coverage=0.8), candidate(coverage=0.8, kind="intro")
    assert model.score(faq.describe()) > model.score(intro.describe())


def test_a_broken_model_file_is_a_named_error_with_a_fix(tmp_path):
    path = tmp_path / "ranking.json"
    path.write_text(json.dumps({"weights": {}}))
    with pytest.raises(KbError) as caught:
        load_model(path)
    assert "fit_ranking.py" in caught.value.hint


def test_model_scores_are_linear_in_the_features():
    m = Model(dict.fromkeys(FEATURES, 1.0), dict.fromkeys(CONFIDENCE, 0.0), 0.2)
    assert m.score({"bm25": 1.0, "coverage": 2.0}) == 3.0
    assert not m.confident({"bias": 1.0})
