"""The editors' dashboard behind its sign-in: hashed passwords, strict cookies, rate limits, logged actions."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from search.admin import to_csv
from search.api import create_app
from search.editors import add_editor
from search.errors import EditorError
from search.settings import Settings
from tests.helpers import run_kb

PASSWORD = "correct horse battery"
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def admin(indexed_project: Settings, tmp_path: Path):
    settings = indexed_project.with_paths(analytics_db=tmp_path / "a.sqlite3")
    add_editor(settings.analytics_store, "xiaoli", PASSWORD)
    with TestClient(create_app(settings, analytics=False), base_url="https://help.example") as c:
        yield c, settings


def _login(client: TestClient, name: str, password: str):
    return client.post(
        "/admin/login",
        data={"name": name, "password": password},
        headers=SAME_SITE,
        follow_redirects=False,
    )


def test_kb_admin_add_editor_stores_only_an_argon2_hash(indexed_project: Settings, tmp_path: Path):
    db = tmp_path / "a.sqlite3"
    env = {"KB_ANALYTICS_DB": str(db), "PATH": "/usr/bin:/bin"}
    run = run_kb(indexed_project, "admin", "add-editor", "xiaoli", env=env, stdin=f"{PASSWORD}\n")
    assert run.returncode == 0, run.stderr
    (stored,) = sqlite3.connect(db).execute("SELECT password_hash FROM editors").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    short = run_kb(indexed_project, "admin", "add-editor", "x y", env=env, stdin="short\n")
    assert (
        short.returncode == 2 and "编辑名不合法" in short.stderr and "Traceback" not in short.stderr
    )


def test_weak_passwords_are_refused(tmp_path: Path):
    with pytest.raises(EditorError):
        add_editor(f"sqlite:{tmp_path / 'a.sqlite3'}", "xiaoli", "123")


def test_the_session_cookie_is_httponly_strict_and_secure_behind_tls(admin):
    client, _ = admin
    response = _login(client, "xiaoli", PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    assert client.get("/admin/api/report").status_code == 200


def test_a_sign_in_from_another_site_is_refused(admin):
    client, _ = admin
    response = client.post(
        "/admin/login",
        data={"name": "xiaoli", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403


def test_failed_sign_ins_are_rate_limited_per_account_and_logged_without_the_password(
    admin, caplog
):
    client, _ = admin
    with caplog.at_level(logging.INFO, logger="kb.admin"):
        codes = [_login(client, "xiaoli", f"guess number {n}").status_code for n in range(12)]
        assert codes[:10] == [401] * 10 and codes[-1] == 429
        assert _login(client, "xiaoli", PASSWORD).status_code == 429, (
            "even the right password waits"
        )
    assert "sign-in refused for 'xiaoli'" in caplog.text
    assert "guess number" not in caplog.text and PASSWORD not in caplog.text


def test_admin_actions_are_logged(admin, caplog):
    client, _ = admin
    _login(client, "xiaoli", PASSWORD)
    with caplog.at_level(logging.INFO, logger="kb.admin"):
        assert (
            client.get(
                "/admin/api/report", params={"from": "2026-11-01", "to": "2026-11-27"}
            ).status_code
            == 200
        )
        assert client.get("/admin/export/feedback.csv").status_code == 200
    assert "xiaoli viewed the report 2026-11-01..2026-11-27" in caplog.text
    assert "xiaoli exported feedback.csv" in caplog.text


def test_bad_dates_and_tables_are_clear_errors(admin):
    client, _ = admin
    _login(client, "xiaoli", PASSWORD)
    bad = client.get("/admin/api/report", params={"from": "11/01/2026"})
    assert bad.status_code == 400 and bad.json()["hint"]
    assert client.get("/admin/api/report", params={"from": "2026-02-30"}).status_code == 400
    assert (
        client.get(
            "/admin/api/report", params={"from": "2026-11-27", "to": "2026-11-01"}
        ).status_code
        == 400
    )
    assert client.get("/admin/export/editors.csv").status_code == 404


def test_csv_keeps_a_typed_formula_as_text():
    text = to_csv([{"query": '=HYPERLINK("x")', "count": 2}])
    assert text.lstrip("\ufeff").splitlines() == ["query,count", '"\'=HYPERLINK(""x"")",2']


def test_shoppers_endpoints_do_not_mention_the_dashboard(admin):
    client, _ = admin
    paths = client.get("/api/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/admin")]
