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

from .errors import DataFileError
from .yamlfile import YamlDoc, parse_yaml

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
    import holidays  # ~0.1 s: only the build needs the library, not `kb check`

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


HINT = "按文件开头注释里的格式改正（日期写成 YYYY-MM-DD），再运行 kb build"


@dataclass(frozen=True)
class _Overrides:
    """The overrides file being read: its path and parsed YAML, to name the line of each mistake."""

    path: Path
    doc: YamlDoc

    def error(self, message: str, *key: Any) -> DataFileError:
        """Given what is wrong and where (a key path), return the located error."""
        return DataFileError(self.path, self.doc.line(*key), message, HINT)

    def date(self, value: Any, where: str, *key: Any) -> dt.date:
        """Given a YAML value, return it as a date or raise the located error."""
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise self.error(f"“{value}” 不是存在的日期（{where}）", *key)
        raise self.error(f"{where} 的 “{value}” 不是 YYYY-MM-DD 格式的日期", *key)

    def holiday_days(self, entry: Any, year: int, n: int) -> dict[dt.date, str]:
        """Given the n-th holidays entry of a year, return its days off with their name."""
        where, key = f"{year} 年的 holidays", ("years", year, "holidays", n)
        if not isinstance(entry, dict) or not entry.get("name") or "from" not in entry:
            raise self.error(f"{where} 每一项要写成 {{name: 名称, from: 日期, to: 日期}}", *key)
        start = self.date(entry["from"], where, *key, "from")
        end = self.date(entry.get("to", start), where, *key, "to")
        if end < start or start.year != year or end.year != year:
            raise self.error(f"{where} 里 {start} 至 {end} 不在 {year} 年内或先后颠倒", *key)
        days = (end - start).days + 1
        return {start + dt.timedelta(days=i): str(entry["name"]) for i in range(days)}

    def year(self, year: Any, body: Any) -> YearSchedule:
        """Given one entry under years:, return that year's schedule."""
        if not isinstance(year, int) or not isinstance(body, dict):
            message = f"years 下的 “{year}” 要写成年份（如 2027:），下面是这一年的安排"
            raise self.error(message, "years", year)
        holidays_, workdays_ = body.get("holidays") or [], body.get("workdays") or []
        if not isinstance(holidays_, list) or not isinstance(workdays_, list):
            raise self.error(f"{year} 年的 holidays 和 workdays 都要写成列表", "years", year)
        days_off: dict[dt.date, str] = {}
        for n, entry in enumerate(holidays_):
            days_off.update(self.holiday_days(entry, year, n))
        workdays: set[dt.date] = set()
        for n, value in enumerate(workdays_):
            key = ("years", year, "workdays", n)
            day = self.date(value, f"{year} 年的 workdays", *key)
            if day.year != year or day.isoweekday() not in WEEKEND:
                raise self.error(f"{year} 年的 workdays 里 {day} 不是 {year} 年的周六或周日", *key)
            if day in days_off:
                raise self.error(f"{day} 同时写在了 {year} 年的 holidays 和 workdays 里", *key)
            workdays.add(day)
        official = body.get("official", True)
        if not isinstance(official, bool):
            raise self.error(
                f"{year} 年的 official 只能是 true 或 false", "years", year, "official"
            )
        source = str(body.get("source") or self.path.name)
        return YearSchedule(
            year, official, dict(sorted(days_off.items())), frozenset(workdays), source
        )


def load_overrides(path: Path) -> dict[int, YearSchedule]:
    """Given the overrides file (it may be missing), return the years it replaces.

    Raises DataFileError naming the line of the first mistake.
    """
    if not path.is_file():
        return {}
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, 1, f"读不了这个文件：{e}", HINT) from e
    if doc.problems:
        raise DataFileError(path, doc.problems[0].line, doc.problems[0].message, HINT)
    data = doc.data if doc.data is not None else {}
    overrides = _Overrides(path, doc)
    if not isinstance(data, dict) or not isinstance(data.get("years") or {}, dict):
        raise overrides.error("文件里要有 “years:”，下面按年份列出安排", "years")
    return {year: overrides.year(year, body) for year, body in (data.get("years") or {}).items()}


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
