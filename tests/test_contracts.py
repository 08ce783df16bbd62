"""Typed results: what the library returns fits its TypedDict, and the OpenAPI document says the same."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from search.analytics import Recorder, report
from search.api import create_app
from search.contracts import Health, Report, json_schema
from search.settings import Settings
from tests.helpers import conforms


def test_json_schema_follows_the_typed_dict():
    schema = json_schema(Health)
    assert schema["required"] == ["categories", "documents", "status", "version"]
    assert schema["properties"]["categories"] == {"type": "array", "items": {"type": "string"}}
    feedback = json_schema(Report)["properties"]["feedback"]["items"]
    assert feedback["properties"]["reasons"] == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
    }
    unclicked = json_schema(Report)["properties"]["unclicked_queries"]["items"]
    assert unclicked["properties"]["top_id"] == {"type": "string", "nullable": True}


def test_conforms_names_what_does_not_fit():
    assert "result.searches is missing" in conforms({"days": 7}, Report)
    assert "result.extra is not in Report" in conforms({"extra": 1}, Report)


def test_health_fits_its_type_and_its_openapi_description(
    indexed_project: Settings, tmp_path: Path
):
    with TestClient(create_app(indexed_project, analytics=False)) as client:
        health = client.get("/api/health").json()
        doc = client.get("/api/openapi.json").json()
    assert conforms(health, Health) == []
    assert doc["components"]["schemas"]["Health"] == json_schema(Health)
    ok = doc["paths"]["/api/health"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}


def test_report_fits_its_type(tmp_path: Path):
    db = tmp_path / "analytics.sqlite3"
    recorder = Recorder(db)
    recorder.search("退货运费", 4, "return-shipping-fee", 1.0)
    recorder.search("怎么做红烧肉", 0, None, 0.4)
    recorder.click("退货运费", "return-shipping-fee", 1)
    recorder.feedback("cancel-fee", False, "看不懂")
    recorder.close()
    data = report(db, days=7)
    assert data["feedback"] and data["unclicked_queries"] == []
    assert conforms(data, Report) == []
    assert conforms(report(tmp_path / "none.sqlite3"), Report) == []
