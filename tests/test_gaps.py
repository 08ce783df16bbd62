"""Content-gap suggestions: queries that mean the same thing grouped by the search's own analysis."""

from __future__ import annotations

import json
from pathlib import Path

from search.analytics import Recorder
from search.engine import query_concepts
from search.gaps import gaps, group, similarity
from search.settings import Settings
from tests.helpers import run_kb


def test_pinyin_and_chinese_for_the_same_question_are_one_group(indexed_project: Settings):
    a = query_concepts(indexed_project, "quxiao dingdan koufei")
    b = query_concepts(indexed_project, "取消订单扣钱吗")
    c = query_concepts(indexed_project, "怎么做红烧肉")
    assert similarity(a, b) >= 0.5 > similarity(a, c)
    rows = [
        {"query": q, "count": 1}
        for q in ("quxiao dingdan koufei", "取消订单扣钱吗", "怎么做红烧肉")
    ]
    groups = group(rows, {r["query"]: query_concepts(indexed_project, r["query"]) for r in rows})
    assert sorted(len(g) for g in groups) == [1, 2]


def test_each_group_names_the_nearest_answer_and_the_phrasings_to_add(indexed_project: Settings):
    data = {
        "zero_result_queries": [
            {"query": "取消订单扣钱吗", "count": 3},
            {"query": "quxiao dingdan koufei", "count": 1},
            {"query": "电话[手机号]取消订单扣钱", "count": 1},
        ],
        "not_helpful_queries": [],
    }
    (row,) = gaps(indexed_project, data)
    assert row["count"] == 5 and row["queries"][0] == "取消订单扣钱吗"
    assert row["nearest_id"].startswith("cancel")
    lines = row["phrasing"].splitlines()
    assert lines[0] == f"{row['nearest_id']}:" and "  - 取消订单扣钱吗" in lines
    assert not any("[" in line for line in lines), "redacted queries never become phrasings"


def test_kb_report_gaps_prints_the_same(indexed_project: Settings, tmp_path: Path):
    db = tmp_path / "a.sqlite3"
    rec = Recorder(db)
    rec.search("取消订单扣钱吗", 0, None, 1.0)
    rec.search("退货运费谁出", 3, "return-shipping-fee", 1.0, view="aaaa0001")
    rec.click("退货运费谁出", "return-shipping-fee", 1, view="aaaa0001")
    rec.feedback("return-shipping-fee", False, "和我的情况不符", view="aaaa0001")
    rec.close()
    env = {"KB_ANALYTICS_DB": str(db), "PATH": "/usr/bin:/bin"}
    run = lambda *extra: run_kb(indexed_project, "report", "--gaps", *extra, env=env)  # noqa: E731
    done = run()
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "内容缺口" in text and "取消订单扣钱吗" in text and "- 取消订单扣钱吗" in text
    assert "退货运费谁出" in text and "没帮助" in text, (
        "a query whose answer did not help is a gap too"
    )
    rows = json.loads(run("--json").stdout)
    assert {q for r in rows for q in r["queries"]} == {"取消订单扣钱吗", "退货运费谁出"}
