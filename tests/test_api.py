"""The HTTP API against the real app: result shape, URLs that exist, and a JSON 4xx for every bad input."""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from search.analytics import report
from search.api import create_app
from search.limiter import RateLimiter
from search.settings import Settings


@pytest.fixture(scope="session")  # once per worker, however xdist interleaves modules
def client(indexed_project: Settings, tmp_path_factory: pytest.TempPathFactory):
    settings = dataclasses.replace(
        indexed_project, analytics_db=tmp_path_factory.mktemp("api") / "analytics.sqlite3"
    )
    with TestClient(create_app(settings)) as c:
        c.settings = settings  # type: ignore[attr-defined]
        yield c


@pytest.fixture
def fresh_client(indexed_project: Settings, tmp_path: Path):
    """An app of its own, with an empty analytics database, for tests that read the report."""
    settings = dataclasses.replace(indexed_project, analytics_db=tmp_path / "analytics.sqlite3")
    with TestClient(create_app(settings)) as c:
        c.settings = settings  # type: ignore[attr-defined]
        yield c


def anchors(settings: Settings, url: str) -> set[str]:
    page, _, _ = url.partition("#")
    html = (settings.site_dir / page.strip("/") / "index.html").read_text("utf-8")
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_search_returns_the_documented_shape(client):
    r = client.get("/api/search", params={"q": "退货运费谁出"})
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"query", "total", "took_ms", "results", "related"}
    assert data["query"] == "退货运费谁出" and data["total"] >= 1 and data["took_ms"] >= 0
    first = data["results"][0]
    assert set(first) >= {"id", "title", "url", "category", "snippet", "score"}
    assert first["id"] == "return-shipping-fee"
    assert first["url"] == "/return/#return-shipping-fee"


def test_every_result_url_exists_in_the_built_site(client, indexed_project: Settings):
    for q in ("取消订单", "退款", "清关 身份证", "退货", "海外购"):
        for result in client.get("/api/search", params={"q": q, "limit": 50}).json()["results"]:
            path, _, fragment = result["url"].partition("#")
            assert (indexed_project.site_dir / path.strip("/") / "index.html").is_file(), result[
                "url"
            ]
            if fragment:
                assert fragment in anchors(indexed_project, result["url"]), result["url"]


def test_limit_and_category_narrow_the_results(client):
    data = client.get("/api/search", params={"q": "退款", "limit": 2}).json()
    assert len(data["results"]) <= 2
    data = client.get("/api/search", params={"q": "退款", "category": "退货", "limit": 50}).json()
    assert data["results"] and {r["category"] for r in data["results"]} == {"退货"}


def test_suggest_completes_pinyin_initials(client):
    r = client.get("/api/suggest", params={"q": "thyf"})
    assert r.status_code == 200
    titles = [s["title"] for s in r.json()["suggestions"]]
    assert titles and titles[0].startswith("退货运费")


def test_health_reports_index_version_and_documents(client):
    data = client.get("/api/health").json()
    assert data["status"] == "ok" and data["documents"] > 20 and data["version"]
    assert "退货" in data["categories"]


def test_openapi_document_describes_the_endpoints(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/search", "/api/suggest", "/api/health", "/api/feedback", "/api/click"} <= set(
        doc["paths"]
    )
    params = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {"q", "limit", "category", "record", "view"}


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "缺少参数 q"),
        ({"q": ""}, "不能为空"),
        ({"q": "   "}, "不能为空"),
        ({"q": "退" * 1001}, "太长"),
        ({"q": "退货", "limit": "abc"}, "limit"),
        ({"q": "退货", "limit": "0"}, "limit"),
        ({"q": "退货", "limit": "51"}, "limit"),
        ({"q": "退货", "limit": "1e3"}, "limit"),
        ({"q": "退货", "category": "美食"}, "分类"),
        ({"q": "退货\x00"}, "控制字符"),
        ({"q": "退货\x07运费"}, "控制字符"),
    ],
)
def test_bad_search_input_gets_a_json_400_saying_what_to_change(client, params, needle):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400
    body = r.json()
    assert needle in body["error"] and body["hint"]


def test_unknown_api_path_and_method_are_json_errors(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and "error" in r.json()
    r = client.post("/api/search", params={"q": "退货"})
    assert r.status_code == 405 and "error" in r.json()


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/api/search?q=%E9%80", 400),  # truncated UTF-8
        ("/api/search?q=%FF%FE", 400),  # not UTF-8
        ("/api/search?q=%zz", 400),  # invalid percent-encoding
        ("/api/search?q=%E", 400),
        ("/api/suggest?q=%C3", 400),
        ("/../../etc/passwd", 404),
        ("/%2e%2e/%2e%2e/etc/passwd", 404),
        ("/api/../../etc/passwd", 404),
        ("/assets/..%2f..%2f..%2fpyproject.toml", 404),
    ],
)
def test_raw_malformed_requests_get_a_4xx_from_the_real_server(live_server, target, status):
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    conn.putrequest("GET", target, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == status
    assert b"root:" not in body and b"[project]" not in body
    if target.startswith("/api/search") or target.startswith("/api/suggest"):
        assert json.loads(body)["error"]


@hsettings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=1200), limit=st.one_of(st.none(), st.integers(-5, 80), st.text(max_size=6))
)
def test_arbitrary_queries_and_limits_never_get_a_5xx(client, q, limit):
    client.app.state.search_limiter = RateLimiter(10**6, 60.0)  # inputs under test, not budgets
    params = {"q": q} if limit is None else {"q": q, "limit": str(limit)}
    r = client.get("/api/search", params=params)
    assert r.status_code in (200, 400), r.text
    assert r.headers["content-type"].startswith("application/json")
    r = client.get("/api/suggest", params={"q": q})
    assert r.status_code in (200, 400), r.text


def test_a_zero_result_search_appears_in_the_report(fresh_client):
    client = fresh_client
    assert client.get("/api/search", params={"q": "今天天气怎么样"}).json()["total"] == 0
    client.app.state.recorder.flush()
    data = report(client.settings.analytics_db)
    assert {"query": "今天天气怎么样", "count": 1} in data["zero_result_queries"]


def test_a_click_is_counted_in_the_report(fresh_client):
    client = fresh_client
    client.get("/api/search", params={"q": "退货要自己包装吗"})
    r = client.post(
        "/api/click", json={"query": "退货要自己包装吗", "id": "return-packaging", "rank": 1}
    )
    assert r.status_code == 202
    client.app.state.recorder.flush()
    data = report(client.settings.analytics_db)
    assert {"id": "return-packaging", "clicks": 1} in data["most_read"]
    assert "退货要自己包装吗" not in [q["query"] for q in data["unclicked_queries"]]


@pytest.mark.parametrize(
    "body",
    [
        {"id": "cancel-fee"},
        {"id": "cancel-fee", "helpful": "yes"},
        {"id": "../etc", "helpful": True},
        {"id": "cancel-fee", "helpful": True, "reason": "看不懂"},
        {"id": "cancel-fee", "helpful": False, "reason": "太贵了"},
        {"id": "cancel-fee", "helpful": False, "comment": "我叫王小明，住在北京"},
        {"id": "cancel-fee", "helpful": False, "reason": "其他", "email": "a@b.cn"},
        [1, 2],
    ],
)
def test_bad_feedback_gets_a_json_400(client, body):
    client.app.state.limiter = RateLimiter()  # each case starts with a fresh allowance
    r = client.post("/api/feedback", json=body)
    assert r.status_code == 400 and r.json()["error"]


def test_feedback_that_is_not_json_or_too_big_gets_a_4xx(client):
    client.app.state.limiter = RateLimiter()
    json_type = {"content-type": "application/json"}
    assert client.post("/api/feedback", content=b"{not json", headers=json_type).status_code == 400
    assert client.post("/api/feedback", content=b"\xff\xfe", headers=json_type).status_code == 400
    assert client.post("/api/feedback", content=b"x" * 5000, headers=json_type).status_code == 413


def test_feedback_is_recorded_and_rate_limited_per_client(fresh_client):
    c = fresh_client
    codes = [
        c.post(
            "/api/feedback", json={"id": "cancel-fee", "helpful": False, "reason": "信息不全"}
        ).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [202] * 10
    assert codes[10:] == [429, 429]
    limited = c.post("/api/feedback", json={"id": "cancel-fee", "helpful": True})
    assert limited.json()["error"] and int(limited.headers["retry-after"]) > 0
    c.app.state.recorder.flush()
    data = report(c.settings.analytics_db)
    assert data["feedback"] == [
        {"id": "cancel-fee", "helpful": 0, "not_helpful": 10, "reasons": {"信息不全": 10}}
    ]


def test_the_site_is_served_beside_the_api(client):
    r = client.get("/return/")
    assert r.status_code == 200 and 'id="return-shipping-fee"' in r.text
    assert client.get("/no-such-page/").status_code == 404


def test_sitemap_names_the_host_the_client_reached(client):
    xml = client.get("/sitemap.xml", headers={"host": "127.0.0.1:8443"}).text
    assert "<loc>http://127.0.0.1:8443/return/</loc>" in xml
    assert "127.0.0.1:8000" not in xml
    client.app.state.public_hosts.add("help.example.cn")  # as KB_PUBLIC_HOSTS does
    xml = client.get("/sitemap.xml", headers={"host": "help.example.cn:8443"}).text
    assert "<loc>http://help.example.cn:8443/return/</loc>" in xml


def test_service_file_says_the_api_is_here_while_the_static_copy_says_not(client, indexed_project):
    assert client.get("/assets/kb/service.json").json() == {"api": True}
    static = json.loads(
        (indexed_project.site_dir / "assets" / "kb" / "service.json").read_text("utf-8")
    )
    assert static["api"] is False


def test_an_app_started_again_still_answers_new_questions(indexed_project: Settings):
    app = create_app(indexed_project, analytics=False)
    for asked in ("退货运费谁出", "怎么取消订单"):  # each computed in a search thread
        with TestClient(app) as client:
            r = client.get("/api/search", params={"q": asked})
            assert r.status_code == 200 and r.json()["results"]


def test_a_served_worker_keeps_what_start_up_loaded_out_of_full_collections(
    indexed_project: Settings,
):
    # In a process of its own: freezing the test process would keep its garbage forever.
    code = """
import gc, json
from starlette.testclient import TestClient
from search.api import create_app
from search.settings import load_settings
with TestClient(create_app(load_settings(), analytics=False, worker=True)) as client:
    asked = client.get("/api/search", params={"q": "tuihuo yunfei"})
    print(json.dumps({"status": asked.status_code, "frozen": gc.get_freeze_count(),
                      "tracked": len(gc.get_objects())}))
"""
    env = {**os.environ, "KB_ROOT": str(indexed_project.root), "KB_ANALYTICS": "0"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    # The pinyin and English tables among them: a Latin question loads nothing new.
    assert seen["frozen"] > 100_000 and seen["tracked"] < seen["frozen"] / 4
