"""`kb check` over random front matter and Markdown never raises: it only reports located problems."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.checker import check
from search.errors import ContentError
from search.settings import Settings
from tests.helpers import copy_project

KEYS = ["title", "description", "category", "updated", "phrasings", "search", "hide", "boost"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["2026-13-01", "2026-02-30", "26/11/2026", "退货", "", " ", "0.5"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
# Front matter a YAML library wrote (valid YAML, odd values) …
DUMPED = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), VALUES, max_size=6).map(
    lambda d: yaml.safe_dump(d, allow_unicode=True)
)
# … or typed by hand: fragments that are often not YAML at all (one a line).
TYPED_LINES = """\
title: 退货
title: 退货: 运费
title: [未闭合
category: 退货
updated: 2026-13-01
updated: 2026-02-30
updated: 2026-11-26
phrasings:
  return-apply:
    - 怎么退
  - 缩进错了
search: {boost: lots}
a: &x [*x]
b: !!python/object:os.system ls
\tc: tab
? [a, b]
: 1
<<: {title: 合并}
---
...
'
#""".splitlines()
# Markdown an editor might write, right or wrong (one a line; an empty line is a paragraph break).
BODY_LINES = """\
## 问题？ {#faq-one}
## 没有 id 的问题
# 一级标题
### 小标题 {#sub}
标题
-----
=====
```
~~~
!!! note
    ## 提示里的标题
    缩进的文字
[链接](missing.md#x)
[同页](#faq-one)
[坏锚点](#faq-on)
[外面](../pyproject.toml)
<h2>HTML 标题</h2>
<div markdown data-search-exclude="">
</div>
{: #attr }
（待填写）
答案。
- 列表
1. 步骤
| a | b |
|---|---|

""".splitlines()


def text_of(lines: list[str], size: int, count: int) -> st.SearchStrategy[str]:
    """Given sample lines, return a strategy for up to `count` lines of them or of random text."""
    return st.lists(st.sampled_from(lines) | st.text(max_size=size), max_size=count).map("\n".join)


TYPED = text_of(TYPED_LINES, 20, 8)
BODY = text_of(BODY_LINES, 30, 14)


@pytest.fixture(scope="module")
def empty_center(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The fixture help center with no pages and no catalogued ids: only the generated page is read."""
    project = copy_project(tmp_path_factory.mktemp("fuzz"))
    shutil.rmtree(project.docs_dir / "tools")
    for page in project.docs_dir.glob("*.md"):
        page.unlink()
    text = project.catalogue_file.read_text("utf-8")
    project.catalogue_file.write_text(text.split("entries:")[0] + "entries: {}\n", "utf-8")
    return project


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=st.one_of(DUMPED, TYPED, st.just("")), body=BODY, fenced=st.booleans())
def test_check_reports_problems_and_never_raises(empty_center: Settings, front, body, fenced):
    source = f"---\n{front}\n---\n{body}\n" if fenced else f"{front}\n{body}\n"
    (empty_center.docs_dir / "page.md").write_text(source, encoding="utf-8")
    try:  # what `kb check` runs: it returns the warnings or raises ContentError, nothing else
        problems = check(empty_center)
    except ContentError as e:
        problems = e.problems
        assert any(p.severity == "error" for p in problems)
    lines = source.count("\n") + 1
    for p in problems:
        assert p.path.endswith((".md", ".yml")) and 1 <= p.line <= max(lines, 40), p
        assert p.message and p.hint and p.severity in ("error", "warning"), p
