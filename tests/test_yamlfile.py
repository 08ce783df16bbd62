"""Editors' YAML: located problems instead of exceptions, every key's line."""

from __future__ import annotations

import datetime as dt

import pytest

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


# The mistakes editors make most, each with the line it is on (the file's own numbering: the text
# starts at line 2, as front matter does) and what the message must tell them to do.
@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("a: 1\ntitle: 退货: 运费谁出\n", 3, "把整个值用引号括起来"),
        ("a: 1\nb\nc: 2\n", 3, "缺少 “: ”"),  # libyaml notices at c, the line after
        ("a:\n\tb: 1\n", 3, "不能用 Tab"),
        ("a:\n  b: 1\n\tc: 2\n", 4, "不能用 Tab"),  # a tab among indented keys: another message
        ("a:\n  b: 1\n c: 2\n", 4, "缩进没有对齐"),
        ("a:\n  - x\n - y\n", 4, "缩进没有对齐"),
        ("a: 1\nb: *nope\n", 3, "没有对应的 &"),
        ('a: "退货\nb: 1\n', 2, "引号到文件末尾也没有合上"),  # noticed at the end, began here
        ("x: 1\na: @x\n", 3, "不能以 “@” 开头"),
        ("x: 1\na: `x`\n", 3, "不能以 “`” 开头"),
        ('x: 1\na: "C:\\d"\n', 3, "反斜杠"),
        ("a: 1\n---\nb: 2\n", 3, "多了一行 “---”"),
        ("x: 1\na: [1, 2\nb: 3\n", 3, "方括号 [ ] 没有合上"),
        ("a: {b: 1\n", 2, "花括号 { } 没有合上"),
        ("a: &x 1\nb: &x 2\n", 3, "定义了两次"),
        ("%foo\na: 1\n", 2, "以 % 开头"),
        ("x: 1\nb: 退\x0c货\n", 3, "不可见字符（#x000c）"),
        ("a: " + "[" * 5000, 2, "层级太深"),
    ],
)
def test_a_yaml_mistake_is_told_in_chinese_at_its_line_with_how_to_mend_it(
    text: str, line: int, says: str
):
    doc = parse_yaml(text, first_line=2)
    assert doc.data is None
    [problem] = doc.problems
    assert (problem.line, problem.message.startswith("不是合法的 YAML：")) == (line, True)
    assert says in problem.message, problem.message
