"""Question completions while typing: Chinese prefixes, full pinyin (tuihuo) and initials (thyf)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analyzer import HAN_CHARS, normalize

_LETTERS = re.compile(f"[^0-9a-z{HAN_CHARS}]+")


@dataclass(frozen=True)
class Question:
    """One way of asking an FAQ entry, with its keys: text, full pinyin, pinyin initials."""

    id: str
    title: str
    url: str
    text: str
    pinyin: str
    initials: str
    is_title: bool
    # The text as prefixes are matched against it, cleaned once instead of on every keystroke.
    letters: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "letters", _LETTERS.sub("", self.text))


def match_rank(question: Question, key: str) -> int | None:
    """Given a question and a normalised prefix, return how well it matches (lower is better) or None."""
    text = question.letters
    if text.startswith(key):
        return 0
    if question.pinyin.startswith(key) or question.initials.startswith(key):
        return 1
    if len(key) >= 2 and key in text:
        return 2
    if len(key) >= 4 and key in question.pinyin:
        return 3
    return None


def suggestions(questions: list[Question], prefix: str, limit: int) -> list[dict[str, str]]:
    """Given every question and what the user has typed, return up to `limit` FAQ entries to complete it."""
    key = _LETTERS.sub("", normalize(prefix))
    if not key:
        return []
    ranked = sorted(
        (
            (rank, not q.is_title, len(q.text), n, q)
            for n, q in enumerate(questions)
            if (rank := match_rank(q, key)) is not None
        ),
        key=lambda r: r[:4],
    )
    seen: dict[str, dict[str, str]] = {}
    for *_, q in ranked:
        if q.id not in seen:
            seen[q.id] = {"id": q.id, "title": q.title, "url": q.url}
        if len(seen) == limit:
            break
    return list(seen.values())
