"""Personal numbers and emails in queries are replaced before anything is recorded."""

from __future__ import annotations

import pytest

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
