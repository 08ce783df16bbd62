"""Analytics: batched background recording, redaction before storage, the report, and failure isolation."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from starlette.testclient import TestClient

from search import build_index
from search.analytics import Recorder, report
from search.api import create_app
from search.cli import format_report
from tests.helpers import copy_project


def test_report_lists_top_zero_result_unclicked_and_most_read(tmp_path: Path):
    db = tmp_path / "analytics.sqlite3"
    rec = Recorder(db)
    for _ in range(3):
        rec.search("退货运费", 4, "return-shipping-fee", 1.0)
    rec.search("怎么做红烧肉", 0, None, 0.4)
    rec.search("清关  身份证", 2, "customs-id", 1.1)
    rec.click("退货运费", "return-shipping-fee", 1)
    rec.feedback("cancel-fee", False, "看不懂")
    rec.feedback("cancel-fee", True, None)
    rec.close()

    data = report(db, days=7)
    assert data["searches"] == 5
    assert data["top_queries"][0] == {"query": "退货运费", "count": 3, "results": 4}
    assert data["zero_result_queries"] == [{"query": "怎么做红烧肉", "count": 1}]
    assert data["unclicked_queries"] == [
        {"query": "清关 身份证", "count": 1, "top_id": "customs-id"}
    ]
    assert data["most_read"] == [{"id": "return-shipping-fee", "clicks": 1}]
    assert data["feedback"] == [
        {"id": "cancel-fee", "helpful": 1, "not_helpful": 1, "reasons": {"看不懂": 1}}
    ]
    text = format_report(data)
    assert "怎么做红烧肉" in text and "看不懂 1" in text


def test_old_events_fall_outside_the_report_window(tmp_path: Path):
    db = tmp_path / "analytics.sqlite3"
    rec = Recorder(db)
    rec.search("退货", 3, "return-apply", 1.0)
    rec.close()
    assert report(db, days=1, now=10**10)["searches"] == 0


def test_personal_data_never_reaches_the_database(tmp_path: Path):
    db = tmp_path / "analytics.sqlite3"
    rec = Recorder(db)
    rec.search(
        "身份证11010519491231002X 电话13812345678 邮箱 a.b@qq.com 订单112-1234567-1234567",
        1,
        "customs-id",
        1,
    )
    rec.click("我的手机13912345678收不到短信", "return-customs-info", 1)
    rec.close()
    dump = "\n".join(sqlite3.connect(db).iterdump())
    for secret in (
        "11010519491231002X",
        "13812345678",
        "a.b@qq.com",
        "112-1234567-1234567",
        "13912345678",
    ):
        assert secret not in dump
    assert "[身份证号]" in dump and "[手机号]" in dump and "[邮箱]" in dump and "[订单号]" in dump


def test_a_locked_database_delays_events_without_losing_them(tmp_path: Path):
    db = tmp_path / "analytics.sqlite3"
    blocker = sqlite3.connect(db)
    blocker.execute("CREATE TABLE x (a)")
    blocker.execute("BEGIN EXCLUSIVE")
    rec = Recorder(db)
    started = time.monotonic()
    assert rec.search("退货", 3, "return-apply", 1.0)  # returns at once: the writer waits, not us
    assert time.monotonic() - started < 0.1
    time.sleep(1.0)  # another writer holds the file a while
    blocker.rollback()
    blocker.close()
    rec.close()
    assert rec.written == 1 and rec.dropped == 0


def test_an_unwritable_database_path_drops_events_without_raising(tmp_path: Path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    rec = Recorder(blocker / "analytics.sqlite3")
    rec.search("退货", 3, "return-apply", 1.0)
    rec.close()
    assert rec.dropped == 1


def test_report_of_a_missing_database_is_empty(tmp_path: Path):
    data = report(tmp_path / "none.sqlite3")
    assert data["searches"] == 0 and data["top_queries"] == []


def test_a_prefix_typed_on_the_way_to_a_later_query_is_not_a_zero_result_search(tmp_path: Path):
    db = tmp_path / "analytics.sqlite3"
    rec = Recorder(db)
    for prefix in ("qu", "quxiao"):  # a pause mid-word, recorded before the shopper typed on
        rec.search(prefix, 0, None, 1.0, view="aaaa1111")
    rec.search("quxiaodingdan", 3, "cancel-how", 1.0, view="aaaa1111")
    rec.click("quxiaodingdan", "cancel-how", 1, view="aaaa1111")
    rec.search("qu", 0, None, 1.0, view="bbbb2222")  # another page view that stopped there
    rec.close()
    data = report(db, days=7)
    assert data["zero_result_queries"] == [{"query": "qu", "count": 1}]
    assert data["unclicked_queries"] == []
    assert data["trend"][0]["searches"] == 4 and data["trend"][0]["click_through"] == 1.0


def test_a_search_asked_not_to_be_recorded_is_not(tmp_path: Path):
    settings = copy_project(tmp_path / "p")
    build_index(settings)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/search", params={"q": "退货", "record": 0}).status_code == 200
        assert (
            client.get("/api/search", params={"q": "退货运费", "view": "abcd1234"}).status_code
            == 200
        )
        bad = client.get("/api/search", params={"q": "退货", "view": "13812345678 张三"})
        assert bad.status_code == 400 and "view" in bad.json()["error"]
        client.app.state.recorder.flush()
    rows = (
        sqlite3.connect(settings.analytics_db)
        .execute("SELECT query, view FROM searches")
        .fetchall()
    )
    assert rows == [("退货运费", "abcd1234")]


def test_the_newest_migration_is_the_head_kb_expects():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from search.eventdb import HEAD, MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]


def test_an_old_database_is_migrated_and_keeps_its_events(tmp_path: Path):
    db = tmp_path / "old.sqlite3"
    old = sqlite3.connect(db)
    old.executescript(
        "CREATE TABLE searches (ts REAL NOT NULL, query TEXT NOT NULL, total INTEGER NOT NULL,"
        " top_id TEXT, took_ms REAL NOT NULL);"
        "CREATE TABLE clicks (ts REAL NOT NULL, query TEXT NOT NULL, id TEXT NOT NULL, rank INTEGER);"
        "CREATE TABLE feedback (ts REAL NOT NULL, id TEXT NOT NULL, helpful INTEGER NOT NULL, reason TEXT);"
    )
    old.execute(
        "INSERT INTO searches VALUES (strftime('%s','now'), '退货', 3, 'return-apply', 1.0)"
    )
    old.commit()
    old.close()
    assert report(db)["searches"] == 1
    rows = sqlite3.connect(db).execute("SELECT version_num FROM alembic_version").fetchall()
    assert rows == [("0002",)]


def _old_and_new_events(store) -> float:
    """Record events 200 and 199 days ago and today into the store; return now."""
    import time as clock

    from sqlalchemy import insert

    from search.eventdb import create, migrate
    from search.eventtables import clicks, feedback, searches

    now = clock.time()
    engine = create(store)
    migrate(engine)
    with engine.begin() as c:
        for age, q, total in (
            (200, "旧的搜索", 0),
            (200, "旧的搜索", 3),
            (199, "旧的点击", 2),
            (0, "今天", 1),
        ):
            ts = now - age * 86400
            c.execute(
                insert(searches).values(ts=ts, query=q, total=total, top_id=None, took_ms=1.0)
            )
            if q == "旧的点击":
                c.execute(insert(clicks).values(ts=ts, query=q, id="cancel-fee", rank=1))
        c.execute(
            insert(feedback).values(
                ts=now - 200 * 86400, id="cancel-fee", helpful=0, reason="看不懂"
            )
        )
    engine.dispose()
    return now


def check_retention(store) -> None:
    from search.eventdb import create
    from search.retention import roll_up

    now = _old_and_new_events(store)
    engine = create(store)
    with engine.begin() as c:
        assert roll_up(c, 180, now) == 5  # four old rows of three kinds (the click too)
    with engine.begin() as c:
        assert roll_up(c, 180, now) == 0, "a second roll-up finds nothing left"
    engine.dispose()
    data = report(store, days=365, now=now)
    assert data["searches"] == 1, "raw events past the period are gone"
    assert [q["query"] for q in data["top_queries"]] == ["今天"]
    days = {d["day"]: d for d in data["trend"]}
    assert sum(d["searches"] for d in days.values()) == 4, "…but the trend still counts them"
    assert [d["zero_share"] for d in days.values() if d["searches"] == 2] == [0.5]
    assert next(d["click_through"] for d in days.values() if d["searches"] == 1) == 1.0


def test_retention_rolls_old_events_into_daily_counts_sqlite(tmp_path: Path):
    check_retention(f"sqlite:{tmp_path / 'a.sqlite3'}")


def test_the_writer_applies_retention_on_its_own(tmp_path: Path):
    db = tmp_path / "a.sqlite3"
    _old_and_new_events(f"sqlite:{db}")
    rec = Recorder(db, keep_days=180)
    rec.search("退货", 3, "return-apply", 1.0)
    rec.close()
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM searches").fetchone()[0]
    assert rows == 2 and report(db, days=365)["trend"][0]["searches"] == 2
