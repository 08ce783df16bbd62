"""The mainland-China working-day calendar the calculator page loads: library data plus editor overrides.

At build time the `holidays` library gives each year's public holidays and official make-up
working days (调休); a year whose schedule the State Council has not published yet is the
library's estimate and is marked `"official": false`. An editor adds or corrects a year in
`docs/tools/calendar-overrides.yml`, which replaces that whole year.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import holidays
import yaml

from .errors import KbError

OVERRIDES_FILE = "tools/calendar-overrides.yml"  # relative to docs_dir
SITE_FILE = "tools/workdays.json"  # relative to site_dir; the page fetches it from there
FIRST_YEAR = 2024
YEARS_AHEAD = 1  # cover up to the build year + this
WEEKEND = (6, 7)  # ISO weekdays: Saturday, Sunday
LANGUAGE = "zh_CN"


@dataclass(frozen=True)
class YearSchedule:
    """One calendar year: its days off, its make-up working days, and whether it is official."""

    year: int
    official: bool
    holidays: dict[dt.date, str]
    workdays: frozenset[dt.date]
    source: str

    def is_working_day(self, day: dt.date) -> bool:
        """Given a day of this year, return True when people work that day."""
        if day in self.workdays:
            return True
        return day not in self.holidays and day.isoweekday() not in WEEKEND


def library_years(years: range) -> dict[int, YearSchedule]:
    """Given a range of years, return each year's schedule as the `holidays` library has it."""
    # One instance for all years (plus the next): a notice may put make-up days in late December.
    cn = holidays.China(years=range(years.start, years.stop + 1), language=LANGUAGE)
    published = set(cn.special_public_holidays)
    source = f"holidays {holidays.__version__}"
    return {
        year: YearSchedule(
            year=year,
            official=year in published,
            holidays={d: str(name) for d, name in sorted(cn.items()) if d.year == year},
            workdays=frozenset(d for d in cn.weekend_workdays if d.year == year),
            source=source if year in published else f"{source}（按规则推算，未正式公布）",
        )
        for year in years
    }


def _problem(path: Path, message: str, line: int | None = None) -> KbError:
    return KbError(
        f"{path}{f':{line}' if line else ''}：{message}",
        "按文件开头注释里的格式改正（日期写成 YYYY-MM-DD），再运行 kb build",
    )


def _as_date(value: Any, path: Path, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _problem(path, f"{where} 的 “{value}” 不是 YYYY-MM-DD 格式的日期") from None


def _holiday_days(entry: Any, year: int, path: Path) -> dict[dt.date, str]:
    where = f"{year} 年的 holidays"
    if not isinstance(entry, dict) or not entry.get("name") or "from" not in entry:
        raise _problem(path, f"{where} 每一项要写成 {{name: 名称, from: 日期, to: 日期}}")
    start = _as_date(entry["from"], path, where)
    end = _as_date(entry.get("to", start), path, where)
    if end < start or start.year != year or end.year != year:
        raise _problem(path, f"{where} 里 {start} 至 {end} 不在 {year} 年内或先后颠倒")
    return {start + dt.timedelta(days=i): str(entry["name"]) for i in range((end - start).days + 1)}


def _override_year(year: Any, body: Any, path: Path) -> YearSchedule:
    if not isinstance(year, int) or not isinstance(body, dict):
        raise _problem(path, f"years 下的 “{year}” 要写成年份（如 2027:），下面是这一年的安排")
    days_off: dict[dt.date, str] = {}
    for entry in body.get("holidays") or []:
        days_off.update(_holiday_days(entry, year, path))
    workdays = frozenset(
        _as_date(v, path, f"{year} 年的 workdays") for v in body.get("workdays") or []
    )
    for day in sorted(workdays):
        if day.year != year or day.isoweekday() not in WEEKEND:
            raise _problem(path, f"{year} 年的 workdays 里 {day} 不是 {year} 年的周六或周日")
        if day in days_off:
            raise _problem(path, f"{day} 同时写在了 {year} 年的 holidays 和 workdays 里")
    official = body.get("official", True)
    if not isinstance(official, bool):
        raise _problem(path, f"{year} 年的 official 只能是 true 或 false")
    source = str(body.get("source") or path.name)
    return YearSchedule(year, official, dict(sorted(days_off.items())), workdays, source)


def _impossible_date(text: str) -> tuple[int | None, str]:
    """Given the overrides text, return (line, value) of its first date-shaped value that is no date."""
    for n, line in enumerate(text.splitlines(), start=1):
        for value in re.findall(r"\b\d{4}-\d{1,2}-\d{1,2}\b", line.split("#", 1)[0]):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return n, value
    return None, "?"


def load_overrides(path: Path) -> dict[int, YearSchedule]:
    """Given the overrides file (it may be missing), return the years it replaces."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as e:
        raise _problem(path, f"读不了这个 YAML 文件：{e}") from e
    except ValueError as e:  # PyYAML turns 2027-13-01 into a date and fails
        line, value = _impossible_date(text)
        raise _problem(path, f"“{value}” 不是存在的日期（{e}）", line) from e
    if not isinstance(data, dict) or not isinstance(data.get("years") or {}, dict):
        raise _problem(path, "文件里要有 “years:”，下面按年份列出安排")
    return {
        year: _override_year(year, body, path) for year, body in (data.get("years") or {}).items()
    }


def covered_years(today: dt.date, overrides: dict[int, YearSchedule]) -> range:
    """Given the build date and the overrides, return the years the calendar covers."""
    last = max([today.year + YEARS_AHEAD, *overrides])
    return range(min([FIRST_YEAR, *overrides]), last + 1)


def build_calendar(today: dt.date, overrides: dict[int, YearSchedule]) -> dict[str, Any]:
    """Given the build date and the overrides, return the calendar data the page loads."""
    years = covered_years(today, overrides)
    schedules = library_years(years) | overrides
    return {
        "generated": today.isoformat(),
        "first": dt.date(years.start, 1, 1).isoformat(),
        "last": dt.date(years.stop - 1, 12, 31).isoformat(),
        "weekend": list(WEEKEND),
        "years": {str(y): _year_json(schedules[y]) for y in years},
    }


def _year_json(year: YearSchedule) -> dict[str, Any]:
    return {
        "official": year.official,
        "source": year.source,
        "holidays": {d.isoformat(): name for d, name in sorted(year.holidays.items())},
        "workdays": sorted(d.isoformat() for d in year.workdays),
    }


def write_calendar(docs_dir: Path, site_dir: Path, today: dt.date | None = None) -> Path:
    """Given the docs and site folders, write the calendar JSON into the site and return its path."""
    overrides = load_overrides(docs_dir / OVERRIDES_FILE)
    data = build_calendar(today or dt.date.today(), overrides)
    target = site_dir / SITE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target
