"""The typed shapes the library hands its adapters (the `kb` CLI, the HTTP API), and their JSON Schema.

Each result stays a plain dict at run time (JSON as it is), typed with a TypedDict here; the
OpenAPI document is generated from the same types, so the API's description cannot drift
from what the code returns.
"""

# No `from __future__ import annotations` here: TypedDict must see NotRequired to know a key is optional.
import types
from typing import (
    Any,
    NotRequired,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)


class IndexStats(TypedDict):
    """What `kb index` changed: sections added, rewritten, removed, untouched; the index's size."""

    added: int
    updated: int
    removed: int
    unchanged: int
    documents: int
    seconds: NotRequired[float]  # the whole update, analysis included (build_index sets it)


class IndexInfo(TypedDict):
    """The index generation a search engine serves."""

    version: str
    documents: int


class Health(IndexInfo):
    """GET /api/health: the service is up, with its index and the categories to filter by."""

    status: str
    categories: list[str]


class PublishResult(TypedDict):
    """What `kb publish` made live: the site release, the index update, the check's warnings."""

    release: str
    index: IndexStats
    warnings: list[str]
    seconds: float


class QueryCount(TypedDict):
    query: str
    count: int


class TopQuery(QueryCount):
    results: int  # the most results that query had


class UnclickedQuery(QueryCount):
    top_id: str | None  # the first result shoppers saw and did not open


class ReadAnswer(TypedDict):
    id: str
    clicks: int


class AnswerFeedback(TypedDict):
    id: str
    helpful: int
    not_helpful: int
    reasons: dict[str, int]  # why not helpful: fixed reason → votes


class DayTrend(TypedDict):
    """One day of searching (China time): raw events and rolled-up daily counts together."""

    day: str  # YYYY-MM-DD
    searches: int
    zero_share: float  # share of the day's searches that found nothing
    click_through: float  # share of the searches with results whose query got a click


class Report(TypedDict):
    """`kb report`: what shoppers searched for, found, opened and thought of, over `days` days."""

    days: int
    start: str  # the window's first day, YYYY-MM-DD (China time)
    end: str  # its last day, inclusive
    searches: int
    trend: list[DayTrend]
    top_queries: list[TopQuery]
    zero_result_queries: list[QueryCount]
    unclicked_queries: list[UnclickedQuery]
    most_read: list[ReadAnswer]
    feedback: list[AnswerFeedback]
    not_helpful_queries: list[QueryCount]  # queries clicked through to an answer then voted 没帮助


class Gap(TypedDict):
    """`kb report --gaps`: queries that mean the same and found nothing (or did not help)."""

    queries: list[str]
    count: int
    why: str  # 无结果、没帮助
    nearest_id: str  # "" when no answer is near
    nearest_title: str
    nearest_url: str
    phrasing: str  # the front matter lines to add under phrasings:


_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_schema(shape: Any) -> dict[str, Any]:
    """Given a TypedDict (or a type inside one), return its JSON Schema as OpenAPI 3.0 writes it."""
    if is_typeddict(shape):
        hints = get_type_hints(shape)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: json_schema(hint) for name, hint in hints.items()},
            "required": sorted(shape.__required_keys__),
        }
        if shape.__doc__:
            schema["description"] = shape.__doc__.strip()
        return schema
    origin, args = get_origin(shape), get_args(shape)
    if origin in (Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return {**json_schema(inner), "nullable": True}
    if origin is list:
        return {"type": "array", "items": json_schema(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": json_schema(args[1])}
    if origin is NotRequired:
        return json_schema(args[0])
    return {"type": _SCALARS[shape]}
