"""Bounded caches: no stream of distinct or crafted queries grows them past their caps."""

from __future__ import annotations

import pytest

from search.analyzer import HAN, _segment, normalize
from search.memo import BoundedDict, memo


def test_memo_keeps_at_most_maxsize_entries_and_never_long_keys():
    calls = []

    @memo(maxsize=3, max_chars=5)
    def double(text: str) -> str:
        calls.append(text)
        return text * 2

    for word in ("a", "b", "c", "d", "a"):
        double(word)
    assert double.cache_len() == 3 and calls == ["a", "b", "c", "d", "a"]
    double("a")
    assert calls[-1] == "a" and len(calls) == 5  # served from the cache
    double("long key!")
    double("long key!")
    assert calls.count("long key!") == 2 and double.cache_len() == 3
    double(b"bytes!")  # bytes count by length too
    double(b"bytes!")
    assert calls.count(b"bytes!") == 2 and double.cache_len() == 3


def test_bounded_dict_forgets_the_oldest():
    d = BoundedDict(2)
    d["a"], d["b"], d["c"] = 1, 2, 3
    assert list(d) == ["b", "c"]


def test_every_cjk_block_is_han():
    assert HAN.match("退") and HAN.match("\U00020000") and HAN.match("\u3400")
    assert not HAN.match("a")


WORDS = [
    "退货",
    "运费",
    "取消",
    "订单",
    "退款",
    "清关",
    "身份证",
    "关税",
    "上门取件",
    "包装",
    "发票",
    "到账",
]
READINGS = ["tuihuo", "quxiao", "guanshui", "tuikuan", "qingguan", "fapiao"]


def test_crafted_queries_fill_each_engine_cache_to_its_cap_and_no_further(
    indexed_project, monkeypatch
):
    import search.engine as engine_module
    import search.retrieval as retrieval_module
    from search.engine import Engine

    # Caps a few dozen questions reach (the real ones are thousands): each cache must be used,
    # and must stop at its own cap.
    caps = {"MAX_MEANINGS": 4, "MAX_RANKINGS": 3, "MAX_READINGS": 4, "MAX_SUGGESTED": 5}
    for name, cap in caps.items():
        monkeypatch.setattr(engine_module, name, cap)
    monkeypatch.setattr(engine_module, "MAX_TERMS", 20)
    monkeypatch.setattr(retrieval_module, "MAX_TERMS", 20)
    with Engine(indexed_project, refresh_seconds=60, cache_size=6) as engine:
        for i in range(40):  # of each kind, more distinct questions than any cap holds
            a, b = WORDS[i % 12], WORDS[(i * 5 + 1) % 12]
            engine.search(f"{a}{b}怎么办")
            engine.search(f"{a}和{b}？{b}和{a}？还有{WORDS[i % 7]}")  # several questions: rankings
            engine.search("".join(chr(0x20000 + (i * 37 + k) % 40000) for k in range(30)))
            engine.search(("退货运费谁出，" * 100)[:990] + str(i))  # a long pasted message
            engine.search(READINGS[i % 6] + "x" * (i % 5))
            engine.suggest(f"{a}{b}"[: 1 + i % 4])
        sizes = {
            "cache": len(engine._cache),
            "meanings": len(engine._meanings),
            "rankings": len(engine._rankings),
            "readings": len(engine._readings),
            "suggested": len(engine._suggested),
            "df": len(engine._df),
            "combined": len(engine._postings._combined),
        }
        assert sizes == {
            "cache": 6,
            "meanings": 4,
            "rankings": 3,
            "readings": 4,
            "suggested": 5,
            "df": 20,
            "combined": 20,
        }
        assert all(len(key[0]) <= 200 for key in engine._cache)  # long messages are not memoised
    assert normalize.cache_len() <= 8192 and _segment.cache_len() <= 2048


def test_a_repeated_question_is_answered_from_memory_until_the_generation_is_due_a_check(
    indexed_project,
):
    from search.engine import Engine

    with Engine(indexed_project, refresh_seconds=60) as engine:
        assert engine.memoised("退货运费谁出") is None  # never asked: the caller searches
        asked = engine.search("退货运费谁出")
        again = engine.memoised("退货运费谁出")
        assert again is not None and again.results == asked["results"]
        assert engine.memoised("退货运费谁出", limit=3) is None  # another question
        engine._checked -= 61  # due a look for a newer index: nothing is answered from memory
        assert engine.memoised("退货运费谁出") is None
        assert engine.memoised("   ") is None  # bad input: `search` says what is wrong


@pytest.mark.parametrize(
    "question",
    [
        "退货运费谁出",
        "怎么取消订单",
        "今天天气怎么样",
        "取消订单要手续费吗？退款多久到账？",
        "退货" * 40,
    ],
)
def test_a_memoised_answer_is_sent_as_the_same_json_the_search_gives(indexed_project, question):
    from starlette.responses import JSONResponse

    from search.engine import Engine

    with Engine(indexed_project, refresh_seconds=60) as engine:
        engine.search(question)
        answer = engine.memoised(question)
        assert answer is not None
        for asked_as, took in ((question, 0.123456), (f" {question}\n", 12.0), (question, 0.0)):
            expected = JSONResponse(answer.response(asked_as, took)).body
            assert answer.json(asked_as, took) == expected
        answer.response(question, 1.0)["results"].clear()  # a caller's copy
        assert engine.memoised(question).results == engine.search(question)["results"]


def test_typed_prefixes_are_completed_from_memory_and_long_ones_are_not_kept(indexed_project):
    from search.engine import SUGGEST_CHARS, Engine

    with Engine(indexed_project, refresh_seconds=60) as engine:
        assert engine.memoised_suggest("退货") is None
        typed = engine.suggest("退货")
        assert typed["suggestions"] and engine.memoised_suggest("退货") == typed
        engine.memoised_suggest("退货")["suggestions"][0]["id"] = "changed"  # a caller's copy
        assert engine.suggest("退货") == typed
        engine.suggest("退")
        shared = {s["id"]: s for s in engine._suggested[("退", 8)]}
        again = [s for s in engine._suggested[("退货", 8)] if s["id"] in shared]
        assert again and all(shared[s["id"]] is s for s in again)  # one summary per answer
        long = "退" * (SUGGEST_CHARS + 1)
        engine.suggest(long)
        assert engine.memoised_suggest(long) is None
        engine._checked -= 61
        assert engine.memoised_suggest("退货") is None


def test_every_per_request_memo_stays_at_its_cap():
    from search import api, compression, middleware
    from search.analytics import clean_query

    feeds = {
        api._parsed: lambda i: f"q=%E9%80%80{i}".encode(),
        middleware.decode_query: lambda i: f"q=%E9%80%80{i}".encode(),
        middleware._redacted: lambda i: f"退货{i}",
        clean_query: lambda i: f"退货{i}",
        compression._codings: lambda i: f"gzip, x-{i}",
    }
    for memoised, key in feeds.items():
        for i in range(1500):
            memoised(key(i))
        cap = 64 if memoised is compression._codings else 1024
        assert 0 < memoised.cache_len() <= cap, memoised
        memoised.cache_clear()
        memoised(key(0) * 200)  # a long crafted query is answered, not kept
        assert memoised.cache_len() == 0, memoised
    for i in range(600):
        compression.packed("gzip", f"{i}".encode() * 100)
    assert compression.packed.cache_len() <= compression.PACKED_BODIES


def test_phrasings_understood_alike_share_one_answer(indexed_project):
    from search.engine import Engine

    with Engine(indexed_project, refresh_seconds=60) as engine:
        plain = engine.search("退货运费谁出")
        polite = engine.search("请问，退货运费谁出呢？")
        assert polite["results"] and polite["results"] == plain["results"]
        assert engine.memoised("请问，退货运费谁出呢？") is engine.memoised("退货运费谁出")
        other = engine.search("怎么取消订单")
        assert engine.memoised("怎么取消订单") is not engine.memoised("退货运费谁出")
        assert other["results"][0]["id"] != plain["results"][0]["id"]
        assert len(engine._meanings) == 2


def test_a_message_of_several_questions_shares_rankings_and_names_its_own_questions(
    indexed_project,
):
    from search.engine import MAX_RANKINGS, Engine

    with Engine(indexed_project, refresh_seconds=60) as engine:
        plain = engine.search("取消订单要手续费吗？退款多久到账？")
        assert len(plain["questions"]) == 2 and not engine._meanings
        kept = len(engine._rankings)
        assert kept == 3  # the whole message and each of its questions
        polite = engine.search("你好，取消订单要手续费吗？退款多久到账呢？")
        assert len(engine._rankings) == kept  # understood alike: ranked once
        assert [q["ids"] for q in polite["questions"]] == [q["ids"] for q in plain["questions"]]
        assert [q["text"] for q in polite["questions"]] == [
            "你好，取消订单要手续费吗",
            "退款多久到账呢",
        ]
        assert polite["results"] == plain["results"]
        for i in range(MAX_RANKINGS + 20):
            engine.search(f"取消订单要手续费吗？退款{i}天到账吗？")
        assert len(engine._rankings) <= MAX_RANKINGS
        assert all(not r.scored for r in engine._rankings.values())  # kept without also-rans


def test_no_memo_by_meaning_when_memos_are_off(indexed_project):
    from search.engine import Engine

    with Engine(indexed_project, refresh_seconds=60, cache_size=0) as engine:
        assert (
            engine.search("退货运费谁出")["results"]
            == engine.search("请问退货运费谁出呢")["results"]
        )
        assert not engine._meanings and not engine._cache


def test_the_meanings_asked_again_are_the_ones_kept(indexed_project):
    from search.engine import Engine

    with Engine(indexed_project, refresh_seconds=60) as engine:
        engine.search("退货运费谁出")  # the index opens: its generation's memos start empty
        engine._meanings.maxsize = 2
        engine.search("怎么取消订单")
        engine.search("请问，退货运费谁出呢？")  # asked again, in other words
        engine.search("退款多久到账")
        kept = [id(answer) for answer in engine._meanings.values()]
        assert id(engine.memoised("退货运费谁出")) in kept
        assert id(engine.memoised("怎么取消订单")) not in kept
