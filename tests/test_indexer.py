"""Index maintenance: incremental updates, removals, interrupted and concurrent updates, live engines."""

from __future__ import annotations

import math
import re
import threading
import time
from urllib.parse import urlsplit

import pytest
from whoosh.filedb.filestore import FileStorage

from search import Engine, IndexBusy, build_index, index_info, live_index_dir, search
from search.contracts import IndexStats
from search.indexer import index_lock
from search.schema import INDEX_NAME
from search.settings import Settings
from tests.helpers import conforms, edit


def ids(settings: Settings, query: str) -> list[str]:
    return [r["id"] for r in search(settings, query)["results"]]


def test_first_build_adds_every_section_and_a_rerun_changes_nothing(project: Settings):
    first = build_index(project)
    assert conforms(first, IndexStats) == []
    assert first["added"] == first["documents"] > 15 and first["updated"] == first["removed"] == 0
    again = build_index(project)
    assert again["added"] == again["updated"] == again["removed"] == 0
    assert again["unchanged"] == first["documents"]


def test_incremental_update_rewrites_only_the_changed_section(indexed_copy: Settings):
    version = index_info(indexed_copy)["version"]
    edit(
        indexed_copy.docs_dir / "return.md",
        "配送员不提供任何商品包装服务",
        "配送员不提供任何商品包装服务和胶带",
    )
    stats = build_index(indexed_copy)
    assert (stats["added"], stats["updated"], stats["removed"]) == (0, 1, 0)
    with Engine(indexed_copy, refresh_seconds=0) as engine:
        assert engine.info()["version"] != version
        assert engine.search("胶带")["results"][0]["id"] == "return-packaging"


def test_removed_section_disappears_from_results(indexed_copy: Settings):
    assert "cancel-reason" in ids(indexed_copy, "取消订单要说明原因吗")
    page = indexed_copy.docs_dir / "cancel.md"
    text = page.read_text(encoding="utf-8")
    start = text.index("## 取消时要说明原因吗？")
    end = text.index("## 取消订单要手续费吗？")
    page.write_text(text[:start] + text[end:], encoding="utf-8")
    stats = build_index(indexed_copy)
    assert stats["removed"] == 1 and stats["added"] == stats["updated"] == 0
    with Engine(indexed_copy, refresh_seconds=0) as engine:
        assert "cancel-reason" not in [
            r["id"] for r in engine.search("取消订单要说明原因吗")["results"]
        ]


def test_full_rebuild_rewrites_everything(indexed_copy: Settings):
    documents = index_info(indexed_copy)["documents"]
    full = build_index(indexed_copy, full=True)
    assert full["updated"] == documents == full["documents"]


def test_interrupted_update_leaves_the_old_index_searchable(indexed_copy: Settings):
    with Engine(indexed_copy, refresh_seconds=0) as engine:
        before = engine.search("退货运费谁出")
        version = engine.info()["version"]
        edit(
            indexed_copy.docs_dir / "return.md",
            "## 退货运费谁出、怎么付？",
            "## 退回商品的邮资谁付？",
        )

        written: list[str] = []

        def crash(doc_id: str) -> None:
            written.append(doc_id)
            raise RuntimeError("disk full (simulated mid-write)")

        with pytest.raises(RuntimeError):
            build_index(indexed_copy, full=True, progress=crash)
        assert written  # the writer had started writing documents
        after = engine.search("退货运费谁出")
        assert engine.info()["version"] == version
        assert [r["id"] for r in after["results"]] == [r["id"] for r in before["results"]]
        assert after["results"][0]["title"] == "退货运费谁出、怎么付？"
    stats = build_index(indexed_copy)  # the lock was released and the next update completes
    assert stats["updated"] == 1


def test_second_concurrent_update_is_busy_at_once(indexed_copy: Settings):
    edit(indexed_copy.docs_dir / "return.md", "保持电话畅通", "保持手机畅通")
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow(doc_id: str) -> None:
        started.set()
        release.wait(10)

    def run() -> None:
        try:
            build_index(indexed_copy, progress=slow)
        except BaseException as e:  # surfaced below
            errors.append(e)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert started.wait(10)
        t0 = time.monotonic()
        with pytest.raises(IndexBusy) as caught:
            build_index(indexed_copy)
        assert time.monotonic() - t0 < 1.0 and caught.value.exit_code == 75
    finally:
        release.set()
        worker.join(10)
    assert not errors


def test_lock_is_released_after_use(project: Settings):
    with index_lock(project.index_dir), pytest.raises(IndexBusy), index_lock(project.index_dir):
        pass
    with index_lock(project.index_dir):
        pass


def test_engine_picks_up_a_new_index_without_restart(indexed_copy: Settings):
    with Engine(indexed_copy, refresh_seconds=0.2) as engine:
        assert engine.search("胶带")["results"] == []
        edit(
            indexed_copy.docs_dir / "return.md",
            "配送员不提供任何商品包装服务",
            "配送员不提供胶带和商品包装服务",
        )
        build_index(indexed_copy)
        deadline = time.monotonic() + 2
        while not engine.search("胶带")["results"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert engine.search("胶带")["results"][0]["id"] == "return-packaging"


def test_engine_serves_many_threads_during_updates(indexed_copy: Settings):
    failures: list[BaseException] = []
    stop = threading.Event()
    with Engine(indexed_copy, refresh_seconds=0) as engine:

        def reader() -> None:
            while not stop.is_set():
                try:
                    assert (
                        engine.search("退货运费谁出")["results"][0]["id"] == "return-shipping-fee"
                    )
                except BaseException as e:
                    failures.append(e)
                    return

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        edit(indexed_copy.docs_dir / "return.md", "保持电话畅通", "保持手机畅通")
        build_index(indexed_copy)
        build_index(indexed_copy, full=True)
        stop.set()
        for t in threads:
            t.join(10)
    assert not failures


def test_every_result_url_is_an_anchor_in_the_built_site(indexed_project: Settings):
    storage = FileStorage(str(live_index_dir(indexed_project)))
    with storage.open_index(INDEX_NAME).searcher() as s:
        urls = [f["url"] for f in s.reader().all_stored_fields()]
    assert len(urls) > 15
    for url in urls:
        parts = urlsplit(url)
        html_file = indexed_project.site_dir / parts.path.strip("/") / "index.html"
        assert html_file.is_file(), url
        if parts.fragment:
            html = html_file.read_text(encoding="utf-8")
            assert re.search(rf'id="{re.escape(parts.fragment)}"', html), url


def test_page_excluded_from_search_is_not_indexed(indexed_project: Settings):
    results = search(indexed_project, "你好，需要什么帮助？选择你要办的事")["results"]
    assert all(not r["url"].startswith("/#") and r["url"] != "/" for r in results)


def test_parts_marked_data_search_exclude_are_not_indexed(indexed_copy: Settings):
    edit(
        indexed_copy.docs_dir / "return.md",
        "要。配送员上门取件前",
        "<p data-search-exclude>内部备注：紫色胶带</p>\n\n要。配送员上门取件前",
    )
    build_index(indexed_copy)
    assert search(indexed_copy, "紫色胶带")["total"] == 0
    answer = search(indexed_copy, "退货要自己包装吗")["results"][0]
    assert answer["id"] == "return-packaging" and "紫色胶带" not in answer["answer"]


def test_a_page_search_boost_lowers_its_sections(indexed_copy: Settings):
    before = {r["id"]: r["score"] for r in search(indexed_copy, "退货要自己包装吗")["results"]}
    edit(
        indexed_copy.docs_dir / "return.md",
        "category: 退货\n",
        "category: 退货\nsearch:\n  boost: 0.5\n",
    )
    build_index(indexed_copy)
    with Engine(indexed_copy, refresh_seconds=0) as engine:
        after = {r["id"]: r["score"] for r in engine.search("退货要自己包装吗")["results"]}
    # The boost scales the BM25 part of the score: log(0.5) in its units, give or take the
    # statistics the rewritten documents shift a little.
    from search.ranking import load_model

    drop = -math.log(0.5) * load_model().weights["bm25"]
    assert 0.8 * drop < before["return-packaging"] - after["return-packaging"] < 1.2 * drop


def test_a_repeated_question_gets_the_new_answer_after_an_update(indexed_copy: Settings):
    with Engine(indexed_copy, refresh_seconds=0) as engine:
        first = engine.search("退货要自己包装吗")
        assert engine.search("退货要自己包装吗")["results"] == first["results"]  # memoised
        edit(
            indexed_copy.docs_dir / "return.md",
            "配送员不提供任何商品包装服务",
            "配送员不提供任何商品包装服务和胶带",
        )
        build_index(indexed_copy)
        again = engine.search("退货要自己包装吗")
        assert "胶带" in again["results"][0]["answer"]
        assert "胶带" not in first["results"][0]["answer"]


def test_a_moved_project_indexes_again_with_its_own_word_lists(project: Settings):
    from search.settings import load_settings

    build_index(project)
    moved = project.root.with_name("moved")
    project.root.rename(moved)  # the old folder, named in the pickled schema, is gone
    settings = load_settings(moved)
    settings = settings.with_paths(index_dir=moved / project.index_dir.relative_to(project.root))
    edit(
        settings.docs_dir / "return.md",
        "配送员不提供任何商品包装服务",
        "配送员不提供胶带和商品包装服务",
    )
    stats = build_index(settings)
    assert stats["updated"] == 1
    assert search(settings, "胶带")["results"][0]["id"] == "return-packaging"
