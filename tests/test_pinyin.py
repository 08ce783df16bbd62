"""Pinyin typed for Chinese: syllables, index words with one typo, initials."""

from __future__ import annotations

from search.pinyin import is_pinyin, looks_like_initials, read, read_initials

INDEX = {"tuihuo": ("退货",), "yunfei": ("运费",), "tuikuan": ("退款",), "qingguan": ("清关",)}
INITIALS = {"th": ("退货",), "yf": ("运费",), "tk": ("退款",), "qg": ("清关",)}


def sounding(key: str) -> tuple[str, ...]:
    return INDEX.get(key, ())


def initials(key: str) -> tuple[str, ...]:
    return INITIALS.get(key, ())


def test_run_together_pinyin_splits_into_index_words():
    assert read("tuihuoyunfei", sounding) == ["tuihuo", "yunfei"]


def test_leftover_syllables_are_allowed_around_index_words():
    assert read("tuikuanduojiu", sounding) == ["tuikuan"]


def test_one_swapped_letter_is_repaired():
    assert read("tuikaun", sounding) == ["tuikuan"]


def test_a_swap_is_preferred_to_a_replaced_letter():
    assert read("tuihou", sounding) == ["tuihuo"]


def test_interjection_syllables_do_not_make_english_pinyin():
    assert is_pinyin("shenfenzheng")
    assert not is_pinyin("coupon")


def test_initials_spell_index_words_and_may_skip_a_letter():
    assert looks_like_initials("thyf") and not looks_like_initials("tuihuo")
    assert read_initials("thyf", initials) == ["th", "yf"]
    assert read_initials("tkmqg", initials) == ["tk", "qg"]
    assert read_initials("xyz", initials) == []


def test_stopping_where_no_key_begins_reads_the_same_with_fewer_look_ups():
    starts = {k[:n] for k in INDEX for n in range(1, len(k) + 1)}.__contains__
    looked: list[str] = []

    def counted(key: str) -> tuple[str, ...]:
        looked.append(key)
        return sounding(key)

    for letters in ("tuihuoyunfei", "tuikuanduojiu", "tuikaun", "tuihou", "xyqingguanma"):
        looked.clear()
        everywhere = read(letters, counted)
        slow = len(looked)
        looked.clear()
        assert read(letters, counted, starts=starts) == everywhere
        assert len(looked) < slow / 2, letters
