"""Personal data in shoppers' queries (ID, phone and order numbers, emails) replaced before anything is recorded."""

from __future__ import annotations

import re
import unicodedata

# Order matters: the specific shapes first, then any long run of digits (bank cards, other numbers).
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII), "[邮箱]"),
    (re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<!\d)\d{15}(?!\d)"), "[身份证号]"),
    (re.compile(r"(?<![\dA-Za-z])\d{3}-\d{7}-\d{7}(?!\d)"), "[订单号]"),
    (re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"), "[手机号]"),
    (re.compile(r"(?<![\dA-Za-z])[A-Za-z]{0,3}\d(?:[ -]?\d){6,}[A-Za-z]?(?![\dA-Za-z])"), "[号码]"),
)


def redact(text: str) -> str:
    """Given user text, return it with ID/phone/order/card numbers and emails replaced by labels."""
    if "@" not in text and not any(ch.isdigit() for ch in text):
        return text  # every pattern needs a digit or an @ (isdigit() covers full-width digits too)
    text = unicodedata.normalize("NFKC", text)  # full-width digits must not slip through
    for pattern, label in _PATTERNS:
        text = pattern.sub(label, text)
    return text


def strip_identifiers(text: str) -> str:
    """Given user text, return it with every identifier redact() finds replaced by a space."""
    labelled = redact(text)
    for _, label in _PATTERNS:
        labelled = labelled.replace(label, " ")
    return labelled
