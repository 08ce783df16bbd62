"""YAML as editors write it, read safely: every key's line, and mistakes as located messages.

PyYAML alone raises ValueError on an impossible date (2026-13-01), silently keeps the last of two
equal keys, and knows no lines once the data is loaded. `parse_yaml` never raises: it returns the
data, the source line of every key and list item, and the problems it found, each with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

KeyPath = tuple[Any, ...]  # keys and list indexes from the document's root, e.g. ("years", 2027)
_MAX_DEPTH = 50  # deeper nesting is a mistake (or an alias loop), not a help center's data


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong in an editor's YAML, at a 1-based line of the file."""

    line: int
    message: str


@dataclass
class YamlDoc:
    """Parsed YAML: the data (None when unreadable), each key's line, and what was wrong."""

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def line(self, *path: Any, default: int | None = None) -> int:
        """Given a key path, return its line, else the nearest enclosing key's line (else the first line)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return default if default is not None else self.lines.get((), 1)


# libyaml's parser where PyYAML has it (its wheels do): about ten times faster than PyYAML's own,
# which kb check, publish and the service's start run over every page's front matter.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """Constructs scalars the safe way, but keeps an impossible date as the text it was."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return str(node.value)


_Builder.add_constructor("tag:yaml.org,2002:timestamp", _Builder.construct_yaml_timestamp)


class _AnyTags(_Builder):
    """Also reads tags other tools define (mkdocs.yml's !ENV, !relative, !!python/name:…) as plain data."""

    def construct_tagged(self, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return self.construct_sequence(node, deep=True)
        return self.construct_mapping(node, deep=True)


_AnyTags.add_multi_constructor("", _AnyTags.construct_tagged)


def parse_yaml(text: str, first_line: int = 1, any_tags: bool = False) -> YamlDoc:
    """Given YAML text (starting at file line first_line), return its data, key lines and problems.

    `any_tags` accepts the tags of another tool's file (mkdocs.yml) instead of reporting them.
    """
    try:
        loader = (_AnyTags if any_tags else _Builder)(text)  # the reader already rejects \x08 …
        root = loader.get_single_node()
    except yaml.YAMLError as e:
        line, why = _explain(e, text)
        return YamlDoc(None, problems=[YamlProblem(first_line + line, f"不是合法的 YAML：{why}")])
    except RecursionError:  # deep nesting without libyaml (which stops at 1,000 levels itself)
        return YamlDoc(None, problems=[YamlProblem(first_line, "不是合法的 YAML：层级太深")])
    doc = YamlDoc(None)
    if root is not None:
        doc.lines[()] = first_line + root.start_mark.line
        doc.data = _build(loader, root, (), doc, first_line, set())
    return doc


def _build(
    loader: _Builder, node: yaml.Node, path: KeyPath, doc: YamlDoc, first: int, open_: set[int]
) -> Any:
    line = first + node.start_mark.line
    if id(node) in open_ or len(path) > _MAX_DEPTH:
        doc.problems.append(YamlProblem(line, "引用（&/*）套住了自己，或者层级太深"))
        return None
    if isinstance(node, yaml.ScalarNode):
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            doc.problems.append(YamlProblem(line, f"值 “{node.value}” 读不了：{_reason(e)}"))
            return None
    open_.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            out_list = []
            for i, item in enumerate(node.value):
                doc.lines[(*path, i)] = first + item.start_mark.line
                out_list.append(_build(loader, item, (*path, i), doc, first, open_))
            return out_list
        return _mapping(loader, node, path, doc, first, open_)
    finally:
        open_.discard(id(node))


def _mapping(
    loader: _Builder, node: yaml.Node, path: KeyPath, doc: YamlDoc, first: int, open_: set[int]
) -> dict[Any, Any]:
    try:
        loader.flatten_mapping(node)  # `<<: *defaults` merge keys, as PyYAML itself does
    except yaml.YAMLError as e:
        doc.problems.append(YamlProblem(first + node.start_mark.line, _reason(e)))
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        line = first + key_node.start_mark.line
        key = _build(loader, key_node, (*path, "<key>"), doc, first, open_)
        try:
            hash(key)
        except TypeError:
            doc.problems.append(YamlProblem(line, "键必须是文字，不能是列表或映射"))
            continue
        if key in out:
            doc.problems.append(
                YamlProblem(line, f"键 {key} 重复（第一次在第 {doc.lines[(*path, key)]} 行）")
            )
            continue
        doc.lines[(*path, key)] = line
        out[key] = _build(loader, value_node, (*path, key), doc, first, open_)
    return out


def _reason(error: yaml.YAMLError) -> str:
    return str(getattr(error, "problem", None) or error).splitlines()[0]


_NO_TABS = "不能用 Tab 缩进或对齐：改用空格"
_REINDENT = "缩进没有对齐：同一层的键（或同一列表的 “- ”）要左对齐，下一层比上一层多缩进"
# What the YAML reader says (libyaml's words, or PyYAML's own where they differ), in the words an
# editor needs: what is wrong and how to mend it. `True`: the mistake is where the construct the
# reader was in began (an unclosed quote or bracket, a key without its colon), not where it noticed.
_GLOSSES: tuple[tuple[str, str, bool], ...] = (
    (
        "mapping values are not allowed",
        "值里有英文冒号加空格（“: ”）：把整个值用引号括起来，或改用中文冒号“：”",
        False,
    ),
    ("could not find expected ':'", "这一行缺少 “: ”：键后面要跟英文冒号和一个空格", True),
    ("tab character", _NO_TABS, False),
    ("did not find expected key", _REINDENT, False),
    ("did not find expected '-' indicator", _REINDENT, False),
    ("expected <block end>", _REINDENT, False),
    (
        "found undefined alias",
        "以 * 开头的值是引用，这里没有对应的 &：要写星号本身，把整个值用引号括起来",
        False,
    ),
    (
        "found unexpected end of stream",
        "这一行开始的引号到文件末尾也没有合上：补上结尾的引号",
        True,
    ),
    (
        "found unknown escape character",
        "双引号里的反斜杠（\\）后面不能跟这个字：改用单引号，或写成两个反斜杠",
        False,
    ),
    ("found another document", "一个文件只能有一份 YAML：多了一行 “---”", False),
    ("exceeded maximum nesting depth", "层级太深", False),
    ("',' or ']'", "这一行开始的方括号 [ ] 没有合上，或列表项之间少了逗号", True),
    ("',' or '}'", "这一行开始的花括号 { } 没有合上，或项之间少了逗号", True),
    ("found duplicate anchor", "同一个 &名字 定义了两次：给第二个换个名字", False),
    ("directive", "以 % 开头的行是 YAML 的指令：要写 % 本身，把整个值用引号括起来", False),
)


def _explain(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """Given the reader's error and the text it read, return the 0-based line of the mistake and
    what it is, in Chinese with how to mend it (the reader's own words after it, for engineers)."""
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow
        line = text[: error.position].count("\n")
        code = (
            error.character if isinstance(error.character, int) else ord(error.character[:1] or " ")
        )
        return line, f"有 YAML 不允许的不可见字符（#x{code:04x}），常见于复制来的文字：删掉它"
    problem = _reason(error)
    at = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    start = getattr(error, "context_mark", None) or at
    if "cannot start any token" in problem and at is not None:
        char = text[at.index] if at.index < len(text) else ""
        why = _NO_TABS if char == "\t" else f"值不能以 “{char}” 开头：把整个值用引号括起来"
        return at.line, f"{why}（{problem}）"
    said = f"{getattr(error, 'context', None) or ''} {problem}"
    for needle, why, where_it_began in _GLOSSES:
        if needle in said:
            mark = start if where_it_began else at
            return (mark.line if mark else 0), f"{why}（{problem}）"
    return (at.line if at else 0), problem


class _Dumper(yaml.SafeDumper):
    """Writes lists indented under their key, as the help center's own files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def dump_yaml(data: Any) -> str:
    """Given plain data, return it as block-style YAML (Chinese kept readable, keys in order)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def add_to_block(text: str, key: str, item: Any, before: str | None = None) -> str | None:
    """Given a YAML file's text, return it with `item` written at the end of the top-level block
    `key:` (before its first line containing `before`, if any), comments and layout kept.

    `item` is a one-element list (a sequence item) or a one-key dict (a mapping entry). Returns
    None when the file has no block `key:` to add to.
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{key}:"), None)
    if start is None:
        return None
    end = start + 1  # one past the block's last indented line
    for i in range(start + 1, len(lines)):
        if lines[i].startswith((" ", "\t", "-")):
            end = i + 1
        elif lines[i].strip() and not lines[i].lstrip().startswith("#"):
            break
    block = [line for line in lines[start + 1 : end] if line.strip()]
    indent = block[0][: len(block[0]) - len(block[0].lstrip())] if block else "  "
    at = next(
        (i for i in range(start + 1, end) if before and before in lines[i]),
        end,
    )
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    new = [f"{indent}{line}\n" for line in dump_yaml(item).splitlines()]
    return "".join(lines[:at] + new + lines[at:])
