"""Editor data files: each has a schema check, and a mistake is a file:line message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.cli import main
from search.datafiles import DATA_FILES, GENERATED, data_file_problems
from search.settings import Settings, load_settings
from tests.helpers import ROOT, edit


def kb(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--root", str(settings.root), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_editor_data_file_is_registered():
    settings = load_settings(ROOT)
    shipped = {
        p
        for folder in (settings.data_dir, settings.docs_dir / "tools")
        for p in folder.iterdir()
        if p.is_file() and p.suffix != ".md" and p.name not in GENERATED
    }
    registered = {d.folder(settings) / d.name for d in DATA_FILES}
    assert shipped <= registered, "add the new data file to search/datafiles.py DATA_FILES"


def test_the_shipped_and_the_fixture_data_files_pass(project: Settings):
    assert data_file_problems(load_settings(ROOT)) == []
    assert data_file_problems(project) == []


DATA = "search/data"
# (file, text to replace, replacement, the message kb check prints after "file:line: error: ");
# the mistake is on the replacement's last line.
PLANTED = [
    (
        f"{DATA}/catalogue.yml",
        "categories:",
        "categries:",
        "未知字段 categries；你是不是想写 categories？",
    ),
    (
        f"{DATA}/catalogue.yml",
        "  return-apply: 退货",
        "  return-apply: 退换",
        "#return-apply 的分类 “退换” 不在 categories 里",
    ),
    (
        f"{DATA}/catalogue.yml",
        "  return-apply: 退货",
        "  Return_Apply: 退货",
        "FAQ id “Return_Apply” 不合适",
    ),
    (
        f"{DATA}/catalogue.yml",
        "  return-apply: 退货",
        "  return-apply: 退货\n  return-apply: 退货",
        "键 return-apply 重复",
    ),
    (f"{DATA}/synonyms.txt", "运费: 邮费", "运费 邮费", "同义词行格式不对：运费 邮费"),
    (
        f"{DATA}/synonyms.txt",
        "运费: 邮费, 快递费, 运输费, 物流费, 寄费, 邮资, 寄回费",
        "运费:",
        "“运费” 后面没有写说法",
    ),
    (f"{DATA}/words.txt", "易客满 50 nz", "易客满 五十 nz", "领域词行格式不对：易客满 五十 nz"),
    (f"{DATA}/words.txt", "易客满 50 nz", "# 物流公司\n易客满 50 nz", "words.txt 不能写注释"),
    (f"{DATA}/regional.txt", "\n", "\n发货 出货\n", "同义词行格式不对：发货 出货"),
    (f"{DATA}/platforms.txt", "淘宝网\n", "淘宝网: 淘宝\n", "这一行像同义词的写法（有冒号）"),
    (f"{DATA}/uncovered.txt", "地址+改, ", "地址+, ", "有空的名称（多了逗号或 +）"),
    (f"{DATA}/particles.txt", "吗 呢 吧", "吗，呢 吧", "“吗，呢” 里有标点或符号"),
    (f"{DATA}/particles.txt", "吗 呢 吧", "吗 呢 吧 为什么", "“为什么” 会改变问题的意思"),
    (
        "docs/tools/calendar-overrides.yml",
        "years: {}",
        "years:\n  2027:\n    workdays: [2027-13-01]",
        "“2027-13-01” 不是存在的日期（2027 年的 workdays）",
    ),
    (
        "docs/tools/calendar-overrides.yml",
        "years: {}",
        "years:\n  2027:\n    official: maybe",
        "2027 年的 official 只能是 true 或 false",
    ),
    (
        "docs/tools/calculator-rules.json",
        '"transit_working_days": 15',
        '"transit_working_days": "15"',
        "return.transit_working_days 要是不小于 0 的整数（现在是 '15'）",
    ),
    (
        "docs/tools/calculator-rules.json",
        '"states": [',
        '"states" [',
        "不是合法的 JSON：键后面少了英文冒号",
    ),
    (
        "docs/tools/calculator-rules.json",
        '"states": ["not_shipped", "shipped"],',
        '"states": ["not_shipped" "shipped"],',
        "不是合法的 JSON：上一项后面少了逗号",
    ),
    (
        f"{DATA}/catalogue.yml",
        "  return-apply: 退货",
        "  return-apply: 退货: 申请",
        "不是合法的 YAML：值里有英文冒号加空格",
    ),
    (
        f"{DATA}/catalogue.yml",
        "  return-apply: 退货",
        "\treturn-apply: 退货",
        "不是合法的 YAML：不能用 Tab 缩进",
    ),
    (
        "docs/tools/calculator-rules.json",
        '"pickup": ["return-pickup"',
        '"pickup": ["return-pick-up"',
        "return.faq.pickup 里的 #return-pick-up 不是目录里的 FAQ id",
    ),
]


@pytest.mark.parametrize(("rel", "old", "new", "message"), PLANTED)
def test_a_planted_mistake_is_named_at_its_line_with_a_fix(
    project: Settings, capsys, rel: str, old: str, new: str, message: str
):
    line = edit(project.root / rel, old, new) + new.rstrip("\n").count("\n")  # its last line
    if "注释" in message:
        line -= 1  # the comment is the first of the two new lines
    code, output = kb(project, capsys, "check")
    assert code == 2, output
    assert f"{rel}:{line}: error: {message}" in output, output
    located = next(row for row in output.splitlines() if f"{rel}:{line}: error: {message}" in row)
    assert "（修改方法：" in located and "Traceback" not in output


def test_a_broken_catalogue_stops_every_command_with_the_same_message(project: Settings, capsys):
    line = edit(project.catalogue_file, "categories:", "categries:")
    expected = (
        f"search/data/catalogue.yml:{line}: error: 未知字段 categries；你是不是想写 categories？"
    )
    for args in (
        ["check"],
        ["publish"],
        ["search", "退货"],
        [
            "new",
            "gifts",
            "--title",
            "礼品",
            "--category",
            "订单",
            "--id",
            "gift-x",
            "--question",
            "能送人吗",
        ],
    ):
        code, output = kb(project, capsys, *args)
        assert code == 2 and expected in output and "Traceback" not in output, (args, output)


def test_a_broken_word_list_stops_indexing_with_a_located_message(project: Settings, capsys):
    line = edit(project.data_dir / "synonyms.txt", "运费: 邮费", "运费 邮费")
    code, output = kb(project, capsys, "index")
    assert code == 2 and "Traceback" not in output
    assert f"search/data/synonyms.txt:{line}: error: 同义词行格式不对" in output


def test_a_word_list_that_is_not_utf8_is_a_message(project: Settings, capsys):
    words: Path = project.data_dir / "words.txt"
    words.write_bytes(words.read_bytes() + "退货运费 50 n\n".encode("gbk"))
    code, output = kb(project, capsys, "check")
    assert code == 2 and "search/data/words.txt:1: error: 读不了这个文件" in output
