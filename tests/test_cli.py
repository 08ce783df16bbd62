"""`kb index` and `kb search`: terminal and JSON output, stdin batches, clear errors."""

from __future__ import annotations

import io
import json
import re

import pytest

from search.cli import main
from search.indexer import index_lock
from search.settings import Settings


@pytest.fixture(autouse=True)
def no_path_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "KB_ROOT",
        "KB_DOCS_DIR",
        "KB_SITE_DIR",
        "KB_BUILD_DIR",
        "KB_INDEX_DIR",
        "KB_ANALYTICS_DB",
    ):
        monkeypatch.delenv(name, raising=False)


def kb(settings: Settings, *args: str) -> int:
    return main(["--root", str(settings.root), *args])


def test_index_prints_stats_then_reports_nothing_changed(project: Settings, capsys):
    assert kb(project, "index") == 0
    out = capsys.readouterr().out
    assert "索引已更新" in out and "新增" in out
    assert kb(project, "index") == 0
    assert "新增 0，更新 0，删除 0" in capsys.readouterr().out
    assert kb(project, "index", "--full") == 0
    assert "更新 0" not in capsys.readouterr().out


def test_index_while_another_update_runs_is_busy(project: Settings, capsys):
    with index_lock(project.index_dir):
        assert kb(project, "index") == 75
    err = capsys.readouterr().err
    assert "正在被另一个进程更新" in err and "提示" in err


def test_search_prints_ranked_answers_with_marked_words(indexed_copy: Settings, capsys):
    assert kb(indexed_copy, "search", "退货运费谁出", "--limit", "2") == 0
    out = capsys.readouterr().out
    assert "1. 退货运费谁出、怎么付？" in out and "/return/#return-shipping-fee" in out
    assert "【" in out and "<mark>" not in out  # not a tty: brackets instead of ANSI bold


def test_search_json_is_the_api_shape(indexed_copy: Settings, capsys):
    assert kb(indexed_copy, "search", "没发货取消要钱吗", "--json", "--category", "取消订单") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"query", "total", "took_ms", "results", "related"}
    assert data["results"][0]["id"] == "cancel-fee"


def test_search_without_a_sure_answer_prints_related_questions(indexed_copy: Settings, capsys):
    assert kb(indexed_copy, "search", "清关那块有点搞不懂") == 0
    out = capsys.readouterr().out
    assert "你可能想问" in out and "/customs/#" in out and "联系客服" in out


def test_search_stdin_prints_one_json_object_per_line(indexed_copy: Settings, capsys, monkeypatch):
    lines = ["退货运费谁出", "", "今天天气怎么样", "退" * 1001, "tuihuo"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert kb(indexed_copy, "search", "--json", "-") == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["query"] for o in out] == lines
    assert out[0]["results"][0]["id"] == "return-shipping-fee"
    assert "error" in out[1] and out[1]["error"]["hint"]
    assert out[2]["results"] == []
    assert "error" in out[3]
    assert out[4]["results"]


def test_search_errors_are_messages_with_exit_codes(project: Settings, capsys):
    assert kb(project, "search", "退货") == 4  # no index yet
    assert "kb index" in capsys.readouterr().err
    kb(project, "index")
    assert kb(project, "search", "退货", "--limit", "0") == 2
    assert kb(project, "search", "退货", "--category", "天气") == 2
    assert kb(project, "search", "  ") == 2
    err = capsys.readouterr().err
    assert "limit" in err and "没有这个分类" in err and "不能为空" in err
    assert "Traceback" not in err


def test_cli_module_does_not_import_whoosh_or_jieba():
    import subprocess
    import sys

    code = "import sys, search.cli; print(any(m.split('.')[0] in ('whoosh', 'jieba') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_folder_that_is_no_help_center_is_a_message_not_a_traceback(tmp_path, capsys):
    assert main(["--root", str(tmp_path / "nowhere"), "check"]) == 1
    err = capsys.readouterr().err
    assert "不是帮助中心的目录" in err and "提示" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"), [(["--port", "70000"], "--port"), (["--workers", "0"], "--workers")]
)
def test_serve_refuses_impossible_ports_and_worker_counts(project: Settings, capsys, args, message):
    assert kb(project, "serve", *args) == 2
    assert message in capsys.readouterr().err


def test_report_prints_text_or_the_report_json(project: Settings, capsys):
    from search.analytics import Recorder

    recorder = Recorder(project.analytics_db)
    recorder.search("怎么做红烧肉", 0, None, 0.4)
    recorder.close()
    assert kb(project, "report", "--days", "7") == 0
    text = capsys.readouterr().out
    assert "最近 7 天（" in text and "）：共 1 次搜索" in text and "怎么做红烧肉" in text
    assert re.search(r"\d{4}-\d\d-\d\d +1 次搜索  无结果 100%  点击率 0%", text), "the daily trend"
    assert kb(project, "report", "--json") == 0
    assert json.loads(capsys.readouterr().out)["zero_result_queries"] == [
        {"query": "怎么做红烧肉", "count": 1}
    ]
