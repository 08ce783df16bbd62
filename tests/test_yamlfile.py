"""Editors' YAML: located problems instead of exceptions, every key's line."""

from __future__ import annotations

import datetime as dt

from search.yamlfile import parse_yaml


def test_keys_and_items_carry_their_file_lines():
    doc = parse_yaml("title: 退货\nphrasings:\n  return-apply:\n    - 怎么退\n", first_line=2)
    assert doc.data == {"title": "退货", "phrasings": {"return-apply": ["怎么退"]}}
    assert doc.lines[("title",)] == 2
    assert doc.lines[("phrasings", "return-apply")] == 4
    assert doc.lines[("phrasings", "return-apply", 0)] == 5
    assert doc.line("phrasings", "return-apply", 0, "nowhere") == 5
    assert doc.problems == []


def test_an_impossible_date_stays_text_and_a_real_one_is_a_date():
    doc = parse_yaml("a: 2026-13-01\nb: 2026-02-30\nc: 2026-02-28\n")
    assert doc.data == {"a": "2026-13-01", "b": "2026-02-30", "c": dt.date(2026, 2, 28)}
    assert doc.problems == []


def test_a_syntax_error_is_a_problem_at_its_line():
    doc = parse_yaml("title: ok\ndescription: [不闭合\nupdated: 2026-11-26\n", first_line=2)
    assert doc.data is None
    assert len(doc.problems) == 1 and doc.problems[0].line >= 3
    assert "不是合法的 YAML" in doc.problems[0].message


def test_alias_loops_and_deep_nesting_are_problems_not_crashes():
    assert "套住了自己" in parse_yaml("a: &x [*x]\n").problems[0].message
    assert "层级太深" in parse_yaml("[" * 60 + "]" * 60).problems[0].message  # our own limit
    # 700 levels: within libyaml's limit, beyond Python's default 1,000 frames for PyYAML's own
    # composer (which recurses twice a level); 5,000: beyond libyaml's limit of 1,000.
    assert "层级太深" in parse_yaml("[" * 700 + "]" * 700).problems[0].message
    assert parse_yaml("a: " + "[" * 5000).problems[0].line == 1
