"""Content gaps: what shoppers asked and did not find, grouped by meaning, with the answer to extend.

Zero-result searches and searches whose answer was voted 没帮助 are grouped when they share
concepts as the search itself understands them (its words, synonyms, pinyin and sound-alikes).
Each group names the nearest FAQ entry and the exact `phrasings:` lines to add to its page.
"""

from __future__ import annotations

from typing import Any

from .contracts import Gap, Report
from .engine import query_concepts, search, suggest
from .errors import KbError
from .settings import Settings

SAME = 0.5  # share of concepts two queries must have in common to mean the same thing
MAX_GROUPS = 30


def similarity(a: list[frozenset[str]], b: list[frozenset[str]]) -> float:
    """Given two queries' concepts, return the share of concepts they have in common (0–1)."""
    if not a or not b:
        return 0.0
    in_a = sum(1 for x in a if any(x & y for y in b))
    in_b = sum(1 for y in b if any(x & y for x in a))  # a compound (取消订单) may cover two words
    return (in_a + in_b) / (len(a) + len(b))


def group(
    queries: list[dict[str, Any]], concepts: dict[str, list[frozenset[str]]]
) -> list[list[dict[str, Any]]]:
    """Given queries with counts, return groups of those that mean the same thing, largest first."""
    groups: list[list[dict[str, Any]]] = []
    for q in sorted(queries, key=lambda r: (-r["count"], r["query"])):
        for g in groups:
            if any(similarity(concepts[q["query"]], concepts[o["query"]]) >= SAME for o in g):
                g.append(q)
                break
        else:
            groups.append([q])
    return sorted(groups, key=lambda g: -sum(q["count"] for q in g))


def nearest(settings: Settings, texts: list[str]) -> dict[str, str] | None:
    """Given a group's queries, return the FAQ entry nearest to them ({"id", "title", "url"}), if any."""
    for text in texts:
        hits = search(settings, text, limit=1)["results"]
        if hits:
            return {k: hits[0][k] for k in ("id", "title", "url")}
    for text in texts:
        found = suggest(settings, text, limit=1)["suggestions"]
        if found:
            return found[0]
    return None


def _plain(query: str) -> bool:
    """A query fit to become a phrasing: no redaction placeholder, not too long."""
    return "[" not in query and 2 <= len(query) <= 40


def gaps(settings: Settings, data: Report) -> list[Gap]:
    """Given report data, return content-gap groups: queries, count, nearest entry, phrasings to add."""
    asked: dict[str, dict[str, Any]] = {}
    for source, rows in (
        ("无结果", data["zero_result_queries"]),
        ("没帮助", data["not_helpful_queries"]),
    ):
        for row in rows:
            entry = asked.setdefault(
                row["query"], {"query": row["query"], "count": 0, "why": set()}
            )
            entry["count"] += row["count"]
            entry["why"].add(source)
    concepts: dict[str, list[frozenset[str]]] = {}
    for q in list(asked):
        try:
            concepts[q] = query_concepts(settings, q)
        except KbError:
            concepts[q] = []
    out: list[Gap] = []
    for g in group(list(asked.values()), concepts)[:MAX_GROUPS]:
        texts = [q["query"] for q in g]
        try:
            near = nearest(settings, texts)
        except KbError:
            near = None
        lines = [f"- {t}" for t in texts if _plain(t)][:5]
        out.append(
            Gap(
                queries=texts,
                count=sum(q["count"] for q in g),
                why="、".join(sorted(set().union(*(q["why"] for q in g)))),
                nearest_id=near["id"] if near else "",
                nearest_title=near["title"] if near else "",
                nearest_url=near["url"] if near else "",
                phrasing="\n".join([f"{near['id']}:", *(f"  {line}" for line in lines)])
                if near
                else "（没有接近的答案：考虑写一个新答案）",
            )
        )
    return out
