"""Personal data in shoppers' text (ID, phone, card and order numbers, emails, addresses, names) replaced before anything is recorded.

Text is normalised first (NFKC, zero-width characters removed, whitespace collapsed, runs of
Chinese numerals read as digits), so spacing and look-alike characters cannot hide a number.
Digit groups joined by short connectors (separators or a few words) count as one number: seven
or more digits in such a chain are personal. Dates, amounts and durations stay, because their
units (年 月 日 元 个 …) end a chain.
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_NUMERALS = "〇零一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖"
_FOLD = str.maketrans(_NUMERALS, "0012345678912123456789")
# What ends a chain of digit groups: units of dates, times, money and counts.
_BREAKERS = "年月日号天周时分秒点个元块角毛次件岁位步页条%℃¥$￥到至~～第期"
# Five or more digits, Chinese numerals among them, at most two other characters apart: a
# number read out (一三八 一二三四 五六七八).
_NUMERAL_RUN = re.compile(
    rf"[{_NUMERALS}\d](?:[^{_NUMERALS}{_BREAKERS}\d]{{0,2}}[{_NUMERALS}\d]){{4,}}"
)
_DIGITS = re.compile(r"\d+")
_MAX_GAP = 6  # characters between two digit groups of one number
_SEPARATORS = frozenset(" -.,/_—–、,·|*#:;()")
_MIN_DIGITS = 7  # a chain this long is someone's number; policy numbers are shorter

_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+\s?(?:@|\(at\)|\[at\])\s?[A-Za-z0-9-]+(?:\s?[.。｡]\s?[A-Za-z0-9-]+)+"
)
_STREET = r"[\u4e00-\u9fff]{2,4}(?:路|街|大道|巷|弄|胡同)"
_ESTATE = r"[\u4e00-\u9fff]{2,4}(?:小区|花园|家园|新村|公寓|大厦|苑)"
_UNIT = r"\d+\s?(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|户)"
_ADDRESS = re.compile(
    rf"(?:{_STREET}\s?\d+\s?号(?:\s?{_UNIT})*|(?:{_ESTATE}\s?)?{_UNIT}(?:\s?{_UNIT})*)"
    r"(?:[\s-]?\d{1,5}(?!\d))?|门牌号?\s?[:：]?\s?\d+"  # a bare flat number after the units
)
_CERTAIN_UNIT = re.compile(r"号楼|号院|栋|幢|单元|室|户")
# A name only after words that announce one ("姓名和身份证不一致" is a question, not a name).
_NAME = re.compile(
    r"(?P<cue>我叫|名字(?:是|叫)|(?:姓名|收件人|收货人|联系人|寄件人)\s?(?:[:：]|是|叫))"
    r"\s?[\u4e00-\u9fff·]{2,4}"
)
# Text without any of these has nothing to redact, and is recorded as typed (whitespace collapsed).
_NEEDS = re.compile(
    r"[\d@＠﹫]|\(at\)|\[at\]|门牌|我叫|名字|姓名|收件人|收货人|联系人|寄件人"
    rf"|[{_NUMERALS}](?:[^{_NUMERALS}\d]{{0,2}}[{_NUMERALS}\d]){{4,}}"
)


def normalize(text: str) -> str:
    """Given user text, return it as redaction matches it: NFKC, no zero-width, single spaces, numerals as digits."""
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))
    text = " ".join(text.split())
    return _NUMERAL_RUN.sub(lambda m: m.group().translate(_FOLD), text)


def redact(text: str) -> str:
    """Given user text, return it normalised, with personal numbers, emails, addresses and names replaced by labels."""
    if not _NEEDS.search(text):
        return " ".join(text.split())
    text = normalize(text)
    text = _EMAIL.sub("[邮箱]", text)
    text = _ADDRESS.sub(_address, text)
    text = _NAME.sub(lambda m: f"{m.group('cue')}[姓名]", text)
    return _numbers(text)


def _address(m: re.Match[str]) -> str:
    """Given an address-like match, return [地址] when it surely is one (a street, an estate, a flat; not “15号”)."""
    span = m.group()
    return "[地址]" if _CERTAIN_UNIT.search(span) or not span[0].isdigit() else span


def _numbers(text: str) -> str:
    """Given normalised text, return it with every chain of 7 or more digits replaced by its label."""
    runs = [m.span() for m in _DIGITS.finditer(text)]
    out, last, i = [], 0, 0
    while i < len(runs):
        start, end = runs[i]
        j = i
        while j + 1 < len(runs) and _joins(text, runs[j], runs[j + 1]):
            j += 1
            end = runs[j][1]
        digits = "".join(text[a:b] for a, b in runs[i : j + 1])
        if len(digits) >= _MIN_DIGITS:
            if end < len(text) and text[end] in "Xx":
                end += 1
                digits += "X"
            if start > 0 and text[start - 1] == "+":
                start -= 1
            out += [text[last:start], _label(digits, [b - a for a, b in runs[i : j + 1]])]
            last = end
        i = j + 1
    out.append(text[last:])
    return "".join(out)


def _joins(text: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    """Given two digit groups, return True when the text between them leaves them one number.

    Separators always join; words (138 和 1234) join unless both groups are numbers on their own,
    so that an ID number and a phone number in one sentence stay two. An ID's final X ends it.
    """
    gap = text[left[1] : right[0]]
    if not gap or len(gap) > _MAX_GAP or any(ch in _BREAKERS for ch in gap) or gap[0] in "Xx":
        return False
    if all(ch in _SEPARATORS for ch in gap):
        return True
    alone = min(left[1] - left[0], right[1] - right[0]) >= _MIN_DIGITS
    return not alone and sum("\u4e00" <= ch <= "\u9fff" for ch in gap) <= 3


def _label(digits: str, groups: list[int]) -> str:
    """Given a number's digits and group lengths, return the label it is replaced with."""
    if groups == [3, 7, 7]:
        return "[订单号]"
    if (len(digits) == 11 and re.match(r"1[3-9]", digits)) or (
        len(digits) == 13 and re.match(r"861[3-9]", digits)
    ):
        return "[手机号]"
    if len(digits) == 15 or (len(digits) == 18 and digits[:17].isdigit()):
        return "[身份证号]"
    return "[号码]"


LABELS = ("[邮箱]", "[身份证号]", "[订单号]", "[手机号]", "[号码]", "[地址]", "[姓名]")


def strip_identifiers(text: str) -> str:
    """Given user text, return it with every identifier redact() finds replaced by a space."""
    labelled = redact(text)
    for label in LABELS:
        labelled = labelled.replace(label, " ")
    return labelled
