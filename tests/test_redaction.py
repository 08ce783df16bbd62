"""Personal numbers and emails in queries are replaced before anything is recorded."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from search.redaction import redact


@pytest.mark.parametrize(
    ("text", "secret", "label"),
    [
        ("我的身份证11010519491231002X退货失败", "11010519491231002X", "[身份证号]"),
        ("身份证号 11010519491231002x", "11010519491231002x", "[身份证号]"),
        ("身份证110105194912310021清关", "110105194912310021", "[身份证号]"),
        ("老身份证 110105491231002", "110105491231002", "[身份证号]"),
        ("快递员打13812345678没人接", "13812345678", "[手机号]"),
        ("电话 138 1234 5678", "138 1234 5678", "[手机号]"),
        ("+86-13812345678", "13812345678", "[手机号]"),
        ("全角 １３８１２３４５６７８", "１３８１２３４５６７８", "[手机号]"),
        ("邮箱 wang.li+shop@example.com.cn 收不到", "wang.li+shop@example.com.cn", "[邮箱]"),
        ("订单 112-1234567-1234567 不见了", "112-1234567-1234567", "[订单号]"),
        ("银行卡6222021234567890123没到账", "6222021234567890123", "[号码]"),
    ],
)
def test_personal_numbers_are_replaced_by_labels(text: str, secret: str, label: str):
    redacted = redact(text)
    assert secret not in redacted
    assert label in redacted
    digits = "".join(ch for ch in secret if ch.isdigit())
    assert not digits or digits not in "".join(ch for ch in redacted if ch.isdigit())


@pytest.mark.parametrize(
    "text",
    ["24小时内会收到通知", "平均15个工作日", "3-10个工作日到账", "退款¥199.00", "2026年10月10日"],
)
def test_policy_numbers_and_dates_are_kept(text: str):
    assert redact(text) == text


# -- 12: whatever the spelling, no phone, ID, card or email survives (property tests) ----------

# Ordinary words around the secret: no digits, no Chinese numerals, no units that end a number.
CONTEXT = st.text(alphabet="我的电话手机号码是请帮查退货款订单身份证银行卡邮箱收不到谢", max_size=8)
SEPARATORS = [
    "",
    " ",
    "  ",
    "-",
    ".",
    "/",
    "_",
    "—",
    "，",
    ",",
    "、",
    "·",
    "\u200b",
    "\ufeff",
    "和",
    "然后",
    " then ",
]
SHORT_SEPARATORS = [s for s in SEPARATORS if len(s.strip()) <= 2]  # between Chinese numerals
NUMERALS = {
    "0": "〇零",
    "1": "一幺",
    "2": "二两",
    "3": "三",
    "4": "四",
    "5": "五",
    "6": "六",
    "7": "七",
    "8": "八",
    "9": "九",
}
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def spelled(draw, digits: str) -> str:
    """Given a number's digits, return it as a shopper might type it: grouped, separated, in any script."""
    script = draw(st.sampled_from(["ascii", "wide", "numerals", "mixed"]))
    separators = SHORT_SEPARATORS if script in ("numerals", "mixed") else SEPARATORS
    out, i = [], 0
    while i < len(digits):
        size = draw(st.integers(1, 6))
        group = digits[i : i + size]
        if script == "wide":
            group = group.translate(WIDE)
        elif script == "numerals" or (script == "mixed" and draw(st.booleans())):
            group = "".join(
                draw(st.sampled_from(NUMERALS[d])) if d in NUMERALS else d for d in group
            )
        out.append(group)
        i += size
    sep = draw(st.sampled_from(separators))
    return (
        sep.join(out)
        if draw(st.booleans())
        else "".join(
            g + (draw(st.sampled_from(separators)) if k < len(out) - 1 else "")
            for k, g in enumerate(out)
        )
    )


def phone():
    return st.builds(
        lambda a, b: "1" + a + b,
        st.sampled_from("3456789"),
        st.text("0123456789", min_size=9, max_size=9),
    )


def id_number():
    return st.builds(
        lambda a, b: a + b,
        st.text("0123456789", min_size=17, max_size=17),
        st.sampled_from("0123456789X"),
    )


def card():
    return st.text("0123456789", min_size=16, max_size=19)


@hsettings(max_examples=400, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["phone", "id", "card"]))
def test_12_no_spelling_of_a_phone_id_or_card_number_survives(data, kind: str):
    digits = data.draw({"phone": phone(), "id": id_number(), "card": card()}[kind])
    prefix = data.draw(st.sampled_from(["", "+86 ", "86-"])) if kind == "phone" else ""
    text = data.draw(CONTEXT) + " " + prefix + data.draw(spelled(digits)) + " " + data.draw(CONTEXT)
    out = redact(text)
    assert not any(unicodedata.numeric(ch, None) is not None for ch in out), (text, out)
    assert "[" in out


@st.composite
def email(draw) -> tuple[str, str]:
    local = draw(st.from_regex(r"[a-z][a-z0-9._-]{2,10}", fullmatch=True))
    labels = draw(st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=1, max_size=3))
    at = draw(st.sampled_from(["@", "＠", "﹫", " @ ", "\u200b@\u200b", "(at)"]))
    dots = [draw(st.sampled_from([".", "。", "．", " . ", "\u200b."])) for _ in labels]
    domain = "".join(label + dot for label, dot in zip(labels, dots, strict=True)) + draw(
        st.sampled_from(["com", "cn", "net", "org"])
    )
    return local, local + at + domain


@hsettings(max_examples=300, deadline=None)
@given(pair=email(), before=CONTEXT, after=CONTEXT)
def test_12_no_spelling_of_an_email_survives(pair: tuple[str, str], before: str, after: str):
    local, address = pair
    out = redact(f"{before} {address} {after}")
    assert "[邮箱]" in out and local not in out and "@" not in out, out


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("北京市朝阳区建国路88号3号楼2单元501室，退货怎么寄", "退货怎么寄"),
        ("阳光花园3栋1202收件", "收件"),
        ("门牌号：12，快递找不到", "快递找不到"),
        ("我叫王小明，想退货", "想退货"),
        ("收件人：李四，电话打不通", "电话打不通"),
    ],
)
def test_12_addresses_and_announced_names_are_redacted(text: str, kept: str):
    out = redact(text)
    assert kept in out and ("[地址]" in out or "[姓名]" in out)
    for secret in ("建国路88号", "3号楼", "501室", "3栋", "1202", "门牌号:12", "王小明", "李四"):
        assert secret not in out


@pytest.mark.parametrize(
    "text",
    [
        "11月15号能到吗",
        "姓名和身份证不一致怎么办",
        "收件人信息怎么改",
        "一个订单，两件商品",
        "10:30到11:45之间送货",
    ],
)
def test_questions_that_only_look_personal_are_kept(text: str):
    assert redact(text) == text
