"""The data files editors maintain besides the pages, each with a schema check naming file:line.

`kb check` runs every check in DATA_FILES; the code that loads a file calls `require` first, so a
broken file stops any command with the same located message, never a traceback. A new editor
data file is one more line in DATA_FILES (a test fails for a data file that is not listed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .catalogue import catalogue_problems
from .errors import DataFileError, Problem
from .house_style import STYLE_FILE, load_style
from .settings import Settings
from .workdays import OVERRIDES_FILE, load_overrides
from .yamlfile import parse_yaml

RULES_FILE = "tools/calculator-rules.json"  # relative to docs_dir; the calculator page loads it

Check = Callable[[Path], list[Problem]]


@dataclass(frozen=True)
class DataFile:
    """One editor data file: its name, the folder a checkout keeps it in, and the check it must pass."""

    name: str
    folder: Callable[[Settings], Path]
    check: Check
    required: bool = True  # a missing optional file means "nothing to add"


def _lines(path: Path) -> list[tuple[int, str]]:
    """Given a text data file, return its (line number, text) pairs, comments and blanks dropped."""
    numbered = enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
    return [
        (n, text.split("#", 1)[0].strip()) for n, text in numbered if text.split("#", 1)[0].strip()
    ]


def check_synonyms(path: Path) -> list[Problem]:
    """synonyms.txt: one meaning a line, `标准词: 说法1, 说法2`."""
    hint = "每行写成 “标准词: 说法1, 说法2”（标准词必须是帮助页面里出现的词）"
    out = []
    for n, line in _lines(path):
        canonical, sep, variants = line.partition(":")
        if not sep:
            canonical, sep, variants = line.partition("：")
        canonical = canonical.strip()
        words = {w.strip() for w in re.split(r"[,，、]", variants)} - {"", canonical}
        if not sep or not canonical:
            out.append(Problem(str(path), n, f"同义词行格式不对：{line}", hint))
        elif not words:
            out.append(Problem(str(path), n, f"“{canonical}” 后面没有写说法", hint))
    return out


# jieba's own user-dictionary format: a word, then optionally a frequency and a part-of-speech tag.
_WORD_LINE = re.compile(r"\S+( [0-9]+)?( [a-z]+)?")


def check_words(path: Path) -> list[Problem]:
    """words.txt: `词 词频 词性` a line, no comments (Material's built-in search reads it too)."""
    hint = "每行写成 “词 词频 词性”，用一个空格隔开，例如 易客满 50 nz；这个文件不能写注释"
    out, first = [], {}
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = text.strip()
        if line.startswith("#"):
            message = "words.txt 不能写注释（站内自带搜索会把它当成词）"
            out.append(Problem(str(path), n, message, hint))
            continue
        if line and not _WORD_LINE.fullmatch(line):
            out.append(Problem(str(path), n, f"领域词行格式不对：{line}", hint))
        word = line.split()[0] if line else ""
        if word in first:
            message = f"“{word}” 重复（第一次在第 {first[word]} 行）"
            out.append(Problem(str(path), n, message, "删掉其中一行", "warning"))
        elif word:
            first[word] = n
    return out


def check_names(path: Path) -> list[Problem]:
    """platforms.txt, uncovered.txt: names (or topics), variants after commas; `甲+乙` means both."""
    hint = "一行写一个名称（或话题），别的写法用逗号隔开，例如 “发票, 开票, invoice”；“地址+改” 表示两个词都出现"
    out = []
    for n, line in _lines(path):
        names = [name.strip() for name in line.replace("，", ",").split(",")]
        if re.search(r"[:：]", line):
            out.append(Problem(str(path), n, f"这一行像同义词的写法（有冒号）：{line}", hint))
        elif not all(names) or any(not part.strip() for name in names for part in name.split("+")):
            out.append(Problem(str(path), n, f"有空的名称（多了逗号或 +）：{line}", hint))
    return out


# The file's own header: words that change a question's meaning must never weigh nothing.
MEANINGFUL = frozenset(("不", "没", "多久", "什么时候", "为什么", "谁", "哪里"))


def check_particles(path: Path) -> list[Problem]:
    """particles.txt: words separated by spaces or lines; none that changes a question's meaning."""
    hint = "词之间用空格或换行隔开，不要加标点；改变意思的词（不 没 多久 为什么 谁 哪里）不能放进来"
    out = []
    for n, line in _lines(path):
        for word in line.split():
            if not re.fullmatch(r"\w+", word):
                out.append(Problem(str(path), n, f"“{word}” 里有标点或符号", hint))
            elif word in MEANINGFUL:
                out.append(
                    Problem(str(path), n, f"“{word}” 会改变问题的意思，不能算无意义的词", hint)
                )
    return out


def check_catalogue(path: Path) -> list[Problem]:
    """catalogue.yml: categories, and entries `faq-id: 分类` in one of them."""
    return catalogue_problems(path)


def check_style(path: Path) -> list[Problem]:
    """style.yml: the house style's terms, each with the words to avoid and what to write instead."""
    return [replace(p, path=str(path)) for p in load_style(path)[1]]


def check_calendar_overrides(path: Path) -> list[Problem]:
    """calendar-overrides.yml: whole years of days off and make-up working days."""
    try:
        load_overrides(path)
    except DataFileError as e:
        return [e.problem()]
    return []


_RULE_COUNTS = (
    "cancel.fee_yuan",
    "cancel.refund_after_days",
    "return.notice_within_hours",
    "return.assumed_pickup_after_days",
    "return.pay_at_pickup_yuan",
    "return.transit_working_days",
    "return.refund_working_days.min",
    "return.refund_working_days.max",
)
_RULE_LIMITS = (
    "limits.max_amount_yuan",
    "limits.request_max_days_ago",
    "limits.request_max_days_ahead",
    "limits.pickup_max_days_after_request",
)
_RULE_LISTS = (
    "states",
    "reasons",
    "cancel.allowed_states",
    "return.allowed_states",
    "return.fee_deducted_for_reasons",
)


def _counts(data: Any, *keys: str) -> bool:
    return isinstance(data, dict) and all(type(data.get(k)) is int for k in keys)


def _at(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


# Python's JSON messages, in the words an editor needs (the commonest slip first: a comma).
_JSON_GLOSSES = (
    ("Expecting ',' delimiter", "上一项后面少了逗号"),
    ("Illegal trailing comma", "最后一项后面多了逗号"),
    ("Expecting property name", "键要用英文双引号括起来，或者上一项后面多了逗号"),
    ("Expecting ':' delimiter", "键后面少了英文冒号"),
    (
        "Expecting value",
        "这里少了值，或者多了逗号（值是数字、true、false，或用英文双引号括起来的文字）",
    ),
    ("Unterminated string", "引号没有合上"),
    ("Invalid control character", "引号里不能换行或有控制字符"),
    ("Invalid \\", "反斜杠（\\）的写法不对：写成两个反斜杠"),
    ("Extra data", "文件在完整的 {…} 之后还有内容"),
)


def _json_reason(error: json.JSONDecodeError) -> str:
    """Given Python's JSON error, return what is wrong in Chinese, with its column and Python's words."""
    why = next((g for needle, g in _JSON_GLOSSES if error.msg.startswith(needle)), None)
    return (
        f"{why}（第 {error.colno} 列，{error.msg}）"
        if why
        else f"{error.msg}（第 {error.colno} 列）"
    )


def check_calculator_rules(path: Path) -> list[Problem]:
    """calculator-rules.json: the calculator's day counts, states, reasons, limits and FAQ links."""
    hint = "按文件里 “说明” 的格式改正（数字写整数，不加引号），再运行 kb check 和 kb build"
    text = path.read_text(encoding="utf-8")
    try:
        rules = json.loads(text)
    except json.JSONDecodeError as e:
        return [Problem(str(path), e.lineno, f"不是合法的 JSON：{_json_reason(e)}", hint)]
    doc = parse_yaml(text)  # JSON is YAML: this gives the line of every key

    def problem(message: str, dotted: str) -> Problem:
        return Problem(str(path), doc.line(*dotted.split(".")), message, hint)

    if not isinstance(rules, dict):
        return [problem("规则文件必须是一个 JSON 对象 {…}", "")]
    out = []
    for key in _RULE_LISTS:
        if not isinstance(_at(rules, key), list) or not _at(rules, key):
            out.append(problem(f"{key} 要是不空的列表", key))
    for key in _RULE_COUNTS + _RULE_LIMITS:
        value = _at(rules, key)
        least = 1 if key in _RULE_LIMITS else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            out.append(problem(f"{key} 要是不小于 {least} 的整数（现在是 {value!r}）", key))
    days = _at(rules, "return.refund_working_days")
    if _counts(days, "min", "max") and days["min"] > days["max"]:
        key = "return.refund_working_days"
        out.append(problem(f"{key} 的 min 不能大于 max", key))
    for part, listed in (
        ("cancel.allowed_states", "states"),
        ("return.allowed_states", "states"),
        ("return.fee_deducted_for_reasons", "reasons"),
    ):
        known = _at(rules, listed) if isinstance(_at(rules, listed), list) else []
        for value in _at(rules, part) if isinstance(_at(rules, part), list) else []:
            if value not in known:
                out.append(problem(f"{part} 里的 {value} 不在 {listed} 里", part))
    for part in ("cancel", "return"):
        faq = _at(rules, f"{part}.faq")
        steps = faq.items() if isinstance(faq, dict) else []
        if not steps or not all(isinstance(ids, list) and ids for _, ids in steps):
            out.append(problem(f"{part}.faq 要为每一步列出它链接的 FAQ id", f"{part}.faq"))
    return out


def calculator_faq_links(path: Path) -> list[tuple[int, str, str]]:
    """Given calculator-rules.json, return (line, step, FAQ id) for every FAQ entry a step links to."""
    text = path.read_text(encoding="utf-8")
    try:
        rules = json.loads(text)
    except json.JSONDecodeError:
        return []  # check_calculator_rules names the problem
    doc = parse_yaml(text)
    out = []
    for part in ("cancel", "return"):
        faq = _at(rules, f"{part}.faq")
        for step, ids in faq.items() if isinstance(faq, dict) else []:
            for fid in ids if isinstance(ids, list) else []:
                out.append((doc.line(part, "faq", step), f"{part}.faq.{step}", str(fid)))
    return out


_OVERRIDES, _RULES = Path(OVERRIDES_FILE), Path(RULES_FILE)
DATA_FILES: tuple[DataFile, ...] = (
    DataFile("catalogue.yml", lambda s: s.data_dir, check_catalogue),
    DataFile("synonyms.txt", lambda s: s.data_dir, check_synonyms),
    DataFile("regional.txt", lambda s: s.data_dir, check_synonyms),
    DataFile("desk.txt", lambda s: s.data_dir, check_synonyms),
    DataFile("english.txt", lambda s: s.data_dir, check_synonyms),
    DataFile("platforms.txt", lambda s: s.data_dir, check_names),
    DataFile("uncovered.txt", lambda s: s.data_dir, check_names),
    DataFile("words.txt", lambda s: s.data_dir, check_words),
    DataFile("particles.txt", lambda s: s.data_dir, check_particles),
    DataFile(STYLE_FILE, lambda s: s.data_dir, check_style, required=False),
    DataFile(
        _OVERRIDES.name, lambda s: s.docs_dir / _OVERRIDES.parent, check_calendar_overrides, False
    ),
    DataFile(_RULES.name, lambda s: s.docs_dir / _RULES.parent, check_calculator_rules, False),
)


# Written by scripts, never by editors (their loaders say how to regenerate them).
GENERATED = ("syllables.txt", "ranking.json")


def _problems(data_file: DataFile, path: Path) -> list[Problem]:
    if not path.is_file():
        if not data_file.required:
            return []
        return [
            Problem(str(path), 1, "缺少这个数据文件", "从版本库里恢复它（git checkout -- 文件名）")
        ]
    try:
        return data_file.check(path)
    except (OSError, UnicodeDecodeError) as e:
        return [Problem(str(path), 1, f"读不了这个文件：{e}", "文件要用 UTF-8 保存")]


def data_file_problems(settings: Settings) -> list[Problem]:
    """Given a checkout, return every problem in its editor data files, paths relative to the checkout."""
    out = []
    for data_file in DATA_FILES:
        for p in _problems(data_file, data_file.folder(settings) / data_file.name):
            try:
                where = Path(p.path).relative_to(settings.root).as_posix()
            except ValueError:
                where = p.path
            out.append(replace(p, path=where))
    return out


def require(*paths: Path) -> None:
    """Given editor data files, raise DataFileError for the first error any of them has."""
    for path in paths:
        for data_file in DATA_FILES:
            if data_file.name != path.name:
                continue
            for p in _problems(data_file, path):
                if p.severity == "error":
                    raise DataFileError(p.path, p.line, p.message, p.hint)
