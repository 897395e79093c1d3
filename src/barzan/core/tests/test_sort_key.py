"""Persian dictionary order: the key lists are ordered by, the same on every database."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from barzan.core.text import PERSIAN_ALPHABET, SORT_KEY_LENGTH, sort_key


def ordered(*names: str) -> list[str]:
    return sorted(names, key=sort_key)


@pytest.mark.parametrize(
    ("variant", "persian"),
    [
        ("علي", "علی"),  # Arabic yeh
        ("كرمان", "کرمان"),  # Arabic kaf
        ("آبادان", "ابادان"),  # alef with madda is alef
        ("أحمد", "احمد"),
        ("مؤمن", "مومن"),
        ("رئیس", "رییس"),
        ("محلة", "محله"),
        ("خانهٔ", "خانه"),
        ("مُحَمَّد", "محمد"),  # diacritics
        ("تهران‌پارس", "تهرانپارس"),  # a ZWNJ is spelling, not a word break
        ("تهران ۶", "تهران 6"),  # digits in any script
        ("تهران ٦", "تهران 6"),
        ("Tehran", "TEHRAN"),
        ("Québec", "Quebec"),
    ],
)
def test_letter_variants_sort_as_the_same_letter(variant, persian):
    assert sort_key(variant) == sort_key(persian)


def test_the_alphabet_is_in_dictionary_order_not_code_point_order():
    letters = list(PERSIAN_ALPHABET)
    assert ordered(*reversed(letters)) == letters
    # Code-point order puts پ چ ژ گ after ی; Persian order puts each beside its sister letter.
    assert ordered("گیلان", "کرمان", "یزد", "لرستان") == ["کرمان", "گیلان", "لرستان", "یزد"]
    assert ordered("پیشوا", "بهارستان", "تهران") == ["بهارستان", "پیشوا", "تهران"]
    assert ordered("چهارمحال", "حافظ", "جهرم") == ["جهرم", "چهارمحال", "حافظ"]
    assert ordered("ژاله", "زنجان", "سمنان") == ["زنجان", "ژاله", "سمنان"]


def test_the_provinces_found_out_of_order_come_in_persian_order():
    # Issue 11: by code point these came after «همدان».
    names = ["همدان", "گیلان", "گلستان", "کرمان", "کردستان", "چهارمحال و بختیاری", "یزد", "تهران"]
    assert ordered(*names) == [
        "تهران",
        "چهارمحال و بختیاری",
        "کردستان",
        "کرمان",
        "گلستان",
        "گیلان",
        "همدان",
        "یزد",
    ]


def test_numbers_inside_names_sort_as_numbers():
    assert ordered("۶-۱۰", "۶-۲", "۶-۱") == ["۶-۱", "۶-۲", "۶-۱۰"]
    assert ordered("تهران 10", "تهران 9", "تهران 22", "تهران 1") == [
        "تهران 1",
        "تهران 9",
        "تهران 10",
        "تهران 22",
    ]
    assert ordered("محلهٔ نمونهٔ 6-10", "محلهٔ نمونهٔ ۶-۲") == [
        "محلهٔ نمونهٔ ۶-۲",
        "محلهٔ نمونهٔ 6-10",
    ]
    # Leading zeros do not change a number; a longer number is a larger one.
    assert sort_key("منطقه 06") == sort_key("منطقه 6")
    assert ordered("1" + "0" * 120, "9" * 99) == ["9" * 99, "1" + "0" * 120]


def test_a_shorter_word_comes_before_a_longer_one_that_starts_with_it():
    assert ordered("تهرانپارس", "تهران شمال", "تهران") == ["تهران", "تهران شمال", "تهرانپارس"]
    assert ordered("ری", "رباط کریم", "رباط") == ["رباط", "رباط کریم", "ری"]


def test_latin_names_come_after_persian_ones():
    assert ordered("Zanjan", "یزد", "Abadan", "آبادان") == ["آبادان", "یزد", "Abadan", "Zanjan"]


def test_spacing_and_punctuation_are_one_word_break():
    assert sort_key("کهگیلویه و بویراحمد") == sort_key("کهگیلویه  و   بویراحمد")
    assert sort_key("آرژانتین-ساعی") == sort_key("آرژانتین ساعی")


def test_empty_and_missing_names_have_an_empty_key():
    assert sort_key("") == sort_key(None) == ""


@given(st.text())
def test_the_key_is_short_lowercase_ascii_for_any_text(text):
    key = sort_key(text)
    assert len(key) <= SORT_KEY_LENGTH
    assert re.fullmatch(r"[0-9a-z]*", key)


@given(st.text(alphabet=PERSIAN_ALPHABET + " ‌0123456789۰۱۲۳۴۵۶۷۸۹-", max_size=30))
def test_the_key_of_a_cleaned_name_is_the_key_of_the_name(text):
    from barzan.core.text import clean

    assert sort_key(clean(text)) == sort_key(text)
