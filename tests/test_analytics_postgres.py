"""Analytics on a real PostgreSQL server: the same recorder and report, shared by replicas, never in the way."""

from __future__ import annotations

import json
import os
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

from search.analytics import Recorder, report
from search.eventdb import HEAD
from search.settings import Settings
from tests import postgres
from tests.helpers import LiveServer, eventually, run_kb
from tests.test_analytics import check_retention

_clients = iter(range(1, 60_000))


def _search(server: LiveServer, q: str) -> int:
    """Search as a client of its own (the servers trust 127.0.0.1 as a proxy), so these tests
    spend none of 127.0.0.1's search budget, which other tests' servers share."""
    n = next(_clients)
    request = urllib.request.Request(
        f"{server.url}/api/search?q={urllib.parse.quote(q)}",
        headers={"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status


def test_recorder_and_report_work_on_postgresql(postgres_url: str):
    rec = Recorder(postgres_url)
    for _ in range(2):
        rec.search("退货运费", 4, "return-shipping-fee", 1.0, view="aaaa1111")
    rec.search("qu", 0, None, 1.0, view="aaaa1111")
    rec.search("quxiaodingdan", 2, "cancel-how", 1.0, view="aaaa1111")
    rec.search("怎么做红烧肉", 0, None, 0.4)
    rec.click("退货运费", "return-shipping-fee", 1, view="aaaa1111")
    rec.feedback("cancel-fee", False, "看不懂")
    rec.close()
    assert rec.written == 7 and rec.dropped == 0
    data = report(postgres_url, days=7)
    assert data["searches"] == 5
    assert data["top_queries"][0] == {"query": "退货运费", "count": 2, "results": 4}
    assert data["zero_result_queries"] == [{"query": "怎么做红烧肉", "count": 1}]
    assert data["unclicked_queries"] == [
        {"query": "quxiaodingdan", "count": 1, "top_id": "cancel-how"}
    ]
    assert data["feedback"] == [
        {"id": "cancel-fee", "helpful": 0, "not_helpful": 1, "reasons": {"看不懂": 1}}
    ]
    with psycopg.connect(postgres_url) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)


def test_two_replicas_write_to_one_postgresql_and_one_report_shows_both(
    indexed_project: Settings, postgres_url: str, tmp_path: Path
):
    env = {"KB_ANALYTICS_DB": postgres_url, "KB_TRUSTED_PROXIES": "127.0.0.1"}
    a = LiveServer(indexed_project, tmp_path / "a.log", env=env)
    with psycopg.connect(postgres_url) as c:  # before any event: `kb serve` migrated at start
        assert c.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    b = LiveServer(indexed_project, tmp_path / "b.log", env=env)
    try:
        assert _search(a, "退货运费谁出") == 200
        assert _search(b, "清关要身份证吗") == 200

        def both():
            out = run_kb(indexed_project, "report", "--json", env={**os.environ, **env})
            assert out.returncode == 0, out.stderr
            queries = {row["query"] for row in json.loads(out.stdout)["top_queries"]}
            return queries >= {"退货运费谁出", "清关要身份证吗"}

        eventually(both, timeout=20, interval=0.5)
    finally:
        a.stop()
        b.stop()


def test_a_stopped_or_locked_server_drops_events_with_a_warning_and_searches_go_on(
    indexed_project: Settings, own_postgres: tuple[Path, str], tmp_path: Path
):
    folder, url = own_postgres
    server = LiveServer(
        indexed_project,
        tmp_path / "serve.log",
        env={"KB_ANALYTICS_DB": url, "KB_TRUSTED_PROXIES": "127.0.0.1"},
    )
    try:
        assert _search(server, "退货运费谁出") == 200
        eventually(lambda: report(url)["searches"] == 1, timeout=15)

        # Slow: a transaction holds the table, so every insert waits until the statement timeout.
        with psycopg.connect(url) as blocker:
            blocker.execute("LOCK TABLE searches IN ACCESS EXCLUSIVE MODE")
            took = []
            for i in range(20):
                started = time.monotonic()
                assert _search(server, f"慢的时候搜索{i}") == 200
                took.append(time.monotonic() - started)
            time.sleep(3)  # past the writer's statement timeout (2 s)
        # A search that waited for the database would take the statement timeout (2 s) or more.
        assert max(took) < 1.0, f"a search waited for the database ({max(took):.2f} s)"

        # Down: the server stops mid-run.
        postgres.stop(folder, "immediate")
        assert all(_search(server, f"停机的时候搜索{i}") == 200 for i in range(20))
        eventually(lambda: "analytics: dropped" in server.logs(), timeout=15)

        postgres.restart(folder, url)
        assert _search(server, "恢复以后的搜索") == 200

        def after():
            return "恢复以后的搜索" in {r["query"] for r in report(url, top=100)["top_queries"]}

        eventually(after, timeout=30, interval=0.5)
        assert "Traceback" not in server.logs()
    finally:
        server.stop()


def test_retention_rolls_old_events_into_daily_counts_postgresql(postgres_url: str):
    check_retention(postgres_url)
