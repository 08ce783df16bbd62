"""`kb serve` as a process: live index updates without failed requests, redacted logs, several workers."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from search.analytics import report
from search.cli import main
from search.settings import Settings
from tests.helpers import LiveServer, copy_built, copy_project, eventually

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def search_url(server: LiveServer, q: str) -> str:
    return f"{server.url}/api/search?{urllib.parse.urlencode({'q': q})}"


def test_a_query_with_an_id_number_and_a_phone_number_leaves_neither_in_the_logs(
    live_server: LiveServer,
):
    status, data = get_json(
        search_url(live_server, f"我的身份证{ID_NUMBER}手机{PHONE}退货怎么上传清关信息")
    )
    assert status == 200 and data["results"]
    status, _ = get_json(search_url(live_server, f"{PHONE}\x00"))  # an error response is logged too
    assert status == 400
    logs = eventually(lambda: (text := live_server.logs()) and "[手机号]" in text and text)
    assert ID_NUMBER not in logs and PHONE not in logs
    assert "[身份证号]" in logs
    db = live_server.settings.analytics_db
    eventually(lambda: report(db)["searches"] >= 1)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        dump = "\n".join(conn.iterdump())
    assert ID_NUMBER not in dump and PHONE not in dump


def test_a_published_change_is_served_without_restart_or_failed_requests(
    indexed_project: Settings, tmp_path: Path
):
    settings = copy_built(tmp_path / "live", indexed_project)
    # Three threads searching flat out from one address: far beyond a shopper's search budget.
    busy = {"KB_SEARCH_PER_MINUTE": "1000000"}
    server = LiveServer(settings, tmp_path / "serve.log", workers=2, env=busy)
    failures: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                status, _ = get_json(search_url(server, "退货要自己包装吗"))
                if status != 200:
                    failures.append(str(status))
            except Exception as e:  # any failed request fails the test
                failures.append(repr(e))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        assert get_json(search_url(server, "青蛙形状的保温杯"))[1]["total"] == 0
        page = settings.docs_dir / "return.md"
        page.write_text(
            page.read_text("utf-8").replace(
                "配送员不提供任何商品包装服务，请在上门前准备好包装。",
                "配送员不提供任何商品包装服务，请在上门前准备好包装。青蛙形状的保温杯也要装箱。",
            ),
            "utf-8",
        )
        assert main(["--root", str(settings.root), "publish"]) == 0

        def found():
            results = get_json(search_url(server, "青蛙形状的保温杯"))[1]["results"]
            return results and results[0]["id"] == "return-packaging"

        eventually(found, timeout=15)
        html = urllib.request.urlopen(f"{server.url}/return/", timeout=10).read().decode()
        assert "青蛙形状的保温杯" in html
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.stop()
    assert failures == []


def test_serve_builds_a_missing_site_and_index_first(tmp_path: Path):
    settings = copy_project(tmp_path / "fresh")
    assert not settings.site_dir.exists() and not settings.index_dir.exists()
    server = LiveServer(settings, tmp_path / "serve.log")
    try:
        status, data = get_json(f"{server.url}/api/health")
        assert status == 200 and data["documents"] > 20
        assert settings.site_dir.is_symlink()
    finally:
        server.stop()
