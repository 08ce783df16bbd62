"""The calculator's working-day calendar: agrees with the libraries, honours editor overrides, flags estimates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import chinese_calendar
import holidays
import pytest

from search.errors import KbError
from search.settings import Settings
from search.workdays import (
    FIRST_YEAR,
    OVERRIDES_FILE,
    SITE_FILE,
    build_calendar,
    load_overrides,
    write_calendar,
)

ROOT = Path(__file__).resolve().parent.parent
BUILD_DAY = dt.date(2026, 11, 26)
VECTORS = ROOT / "tests" / "js" / "vectors.json"


def days(first: str, last: str) -> list[dt.date]:
    """Every date from first to last, inclusive."""
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [start + dt.timedelta(n) for n in range((end - start).days + 1)]


def working(calendar: dict, day: dt.date) -> bool:
    """Whether the calendar data says people work on day (the rule calc.js applies)."""
    year = calendar["years"][str(day.year)]
    iso = day.isoformat()
    if iso in year["workdays"]:
        return True
    return iso not in year["holidays"] and day.isoweekday() not in calendar["weekend"]


def write_overrides(tmp_path: Path, text: str) -> Path:
    """An overrides file with the given YAML text; return its path."""
    path = tmp_path / "calendar-overrides.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def calendar() -> dict:
    return build_calendar(BUILD_DAY, load_overrides(ROOT / "docs" / OVERRIDES_FILE))


def test_covers_first_year_to_next_year(calendar):
    assert calendar["first"] == f"{FIRST_YEAR}-01-01"
    assert calendar["last"] == "2027-12-31"
    assert sorted(calendar["years"]) == ["2024", "2025", "2026", "2027"]


def test_agrees_with_holidays_library_on_every_day(calendar):
    lib = holidays.China(years=range(FIRST_YEAR, 2029))
    for day in days(calendar["first"], calendar["last"]):
        assert working(calendar, day) == lib.is_working_day(day), day
    holidays_in_data = {d for y in calendar["years"].values() for d in y["holidays"]}
    in_range = {d.isoformat() for d in lib if FIRST_YEAR <= d.year <= 2027}
    assert holidays_in_data == in_range


def test_official_years_agree_with_chinese_calendar(calendar):
    official = [y for y, data in calendar["years"].items() if data["official"]]
    assert official == ["2024", "2025", "2026"]
    for day in days(f"{official[0]}-01-01", f"{official[-1]}-12-31"):
        assert working(calendar, day) == chinese_calendar.is_workday(day), day


def test_2026_make_up_days_and_national_day():
    data = build_calendar(BUILD_DAY, {})["years"]["2026"]
    assert data["workdays"] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    for day in days("2026-10-01", "2026-10-07"):
        assert not working({"years": {"2026": data}, "weekend": [6, 7]}, day)
    assert working({"years": {"2026": data}, "weekend": [6, 7]}, dt.date(2026, 10, 10))


def test_unpublished_year_is_flagged_and_estimated(calendar):
    year = calendar["years"]["2027"]
    assert year["official"] is False
    assert "未正式公布" in year["source"]
    assert year["workdays"] == []  # no make-up days until the State Council publishes them
    assert "2027-10-01" in year["holidays"]
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2027, 1, 4))


def test_override_replaces_a_whole_year_and_marks_it_official(tmp_path):
    path = write_overrides(
        tmp_path,
        """
years:
  2027:
    official: true
    source: 国务院办公厅关于2027年部分节假日安排的通知（测试）
    holidays:
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
      - {name: 国庆节, from: 2027-10-01, to: 2027-10-07}
    workdays: [2027-09-26, 2027-10-09]
""",
    )
    data = build_calendar(BUILD_DAY, load_overrides(path))
    year = data["years"]["2027"]
    assert year["official"] is True
    assert year["source"].startswith("国务院办公厅")
    assert year["workdays"] == ["2027-09-26", "2027-10-09"]
    assert sorted(year["holidays"])[:3] == ["2027-01-01", "2027-01-02", "2027-01-03"]
    assert year["holidays"]["2027-10-07"] == "国庆节"
    # The library's estimated Spring Festival is gone: the override replaces the whole year.
    assert "2027-02-08" not in year["holidays"]
    assert working(data, dt.date(2027, 10, 9)) and not working(data, dt.date(2027, 10, 6))
    # Other years still come from the library.
    assert data["years"]["2026"]["workdays"][-1] == "2026-10-10"


def test_override_can_add_a_later_year(tmp_path):
    path = write_overrides(
        tmp_path,
        "years:\n  2029:\n    official: false\n    holidays: [{name: 元旦, from: 2029-01-01}]\n",
    )
    data = build_calendar(BUILD_DAY, load_overrides(path))
    assert data["last"] == "2029-12-31"
    assert data["years"]["2028"]["official"] is False  # filled in from the library's estimate
    assert data["years"]["2029"] == {
        "official": False,
        "source": "calendar-overrides.yml",
        "holidays": {"2029-01-01": "元旦"},
        "workdays": [],
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  2027:\n    workdays: [2027-02-22]\n", "2027-02-22 不是 2027 年的周六或周日"),
        ("  2027:\n    workdays: [2026-12-26]\n", "2026-12-26 不是 2027 年的周六或周日"),
        (
            "  2027:\n    holidays: [{name: 春节, from: 2027-02-06, to: 2027-02-06}]\n"
            "    workdays: [2027-02-06]\n",
            "同时写在了 2027 年的 holidays 和 workdays 里",
        ),
        ("  2027:\n    holidays: [{name: 国庆节, from: 2027-10-07, to: 2027-10-01}]\n", "先后颠倒"),
        ("  2027:\n    holidays: [2027-10-01]\n", "{name: 名称, from: 日期, to: 日期}"),
        ("  2027:\n    workdays: [2027-13-01]\n", "“2027-13-01” 不是存在的日期"),
        ("  2027:\n    workdays: [2027-1-9]\n", "不是 YYYY-MM-DD 格式的日期"),
        ("  2027:\n    official: maybe\n", "official 只能是 true 或 false"),
        ("  next: {}\n", "要写成年份"),
    ],
)
def test_bad_override_names_the_problem(tmp_path, body, message):
    path = write_overrides(tmp_path, "years:\n" + body)
    with pytest.raises(KbError) as err:
        load_overrides(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert err.value.hint


def test_missing_or_empty_overrides_change_nothing(tmp_path):
    assert load_overrides(tmp_path / "none.yml") == {}
    assert load_overrides(write_overrides(tmp_path, "years: {}\n")) == {}
    assert load_overrides(write_overrides(tmp_path, "# only comments\n")) == {}


def test_shipped_overrides_file_is_valid():
    load_overrides(ROOT / "docs" / OVERRIDES_FILE)


def test_write_calendar_puts_json_where_the_page_fetches_it(tmp_path):
    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "tools").mkdir(parents=True)
    path = write_calendar(docs, site, BUILD_DAY)
    assert path == site / SITE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["generated"] == "2026-11-26"
    assert data["years"]["2026"]["holidays"]["2026-10-01"] == "国庆节"


def test_built_site_serves_the_calendar(built_project: Settings):
    data = json.loads((built_project.site_dir / SITE_FILE).read_text(encoding="utf-8"))
    this_year = dt.date.today().year
    assert str(this_year + 1) in data["years"]
    assert (built_project.site_dir / "tools" / "calculator-rules.json").is_file()


def test_js_test_calendar_matches_the_generated_data(calendar):
    """The Node tests use a hand-typed copy of the official schedule: it must match the library."""
    fixture = json.loads(VECTORS.read_text(encoding="utf-8"))["calendar"]
    assert fixture["weekend"] == calendar["weekend"]
    for year, data in fixture["years"].items():
        assert data["official"] == calendar["years"][year]["official"], year
        assert data["workdays"] == calendar["years"][year]["workdays"], year
    for day in days(fixture["first"], fixture["last"]):
        assert working(fixture, day) == working(calendar, day), day
