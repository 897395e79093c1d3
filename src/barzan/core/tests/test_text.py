"""Persian text: what is stored (clean), compared (normalize), searched (search_key), shown."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from barzan.core.text import (
    ZWNJ,
    clean,
    clean_multiline,
    format_number,
    localize_digits,
    normalize,
    parse_decimal,
    search_key,
    to_latin_digits,
    to_persian_digits,
)

ZWSP = "\u200b"
ZWJ = "\u200d"
LRM = "\u200e"
RLM = "\u200f"
TATWEEL = "\u0640"
FATHA = "\u064e"
SHADDA = "\u0651"

ALL_LEVELS = [clean, normalize, search_key]


class TestLetters:
    @pytest.mark.parametrize("level", ALL_LEVELS)
    def test_arabic_yeh_becomes_persian_yeh(self, level):
        assert level("علي") == "علی"

    @pytest.mark.parametrize("level", ALL_LEVELS)
    def test_arabic_kaf_becomes_persian_kaf(self, level):
        assert level("كتاب") == "کتاب"

    @pytest.mark.parametrize("level", ALL_LEVELS)
    def test_alef_maksura_becomes_persian_yeh(self, level):
        assert level("موسى") == "موسی"

    def test_teh_marbuta_is_folded_to_heh_by_normalize(self):
        assert normalize("مدرسة") == "مدرسه"
        assert search_key("مدرسة") == "مدرسه"

    def test_teh_marbuta_is_kept_by_clean(self):
        assert clean("مدرسة") == "مدرسة"

    def test_hamza_forms_are_folded_by_normalize_only(self):
        assert normalize("مسئله") == normalize("مسیله")
        assert normalize("خانۀ") == "خانه"
        assert clean("خانۀ") == "خانۀ"

    def test_arabic_presentation_forms_become_letters(self):
        assert clean("\ufefb") == "\u0644\u0627"  # the lam-alef ligature ﻻ


class TestDigits:
    @pytest.mark.parametrize("level", ALL_LEVELS)
    def test_persian_digits_become_latin(self, level):
        assert level("۰۱۲۳۴۵۶۷۸۹") == "0123456789"

    @pytest.mark.parametrize("level", ALL_LEVELS)
    def test_arabic_indic_digits_become_latin(self, level):
        assert level("٠١٢٣٤٥٦٧٨٩") == "0123456789"

    def test_to_persian_digits_converts_latin_and_arabic_indic(self):
        assert to_persian_digits("12 ٣٤") == "۱۲ ۳۴"

    def test_to_latin_digits_leaves_other_text_alone(self):
        assert to_latin_digits("پلاک ۱۲") == "پلاک 12"


class TestInvisibleCharacters:
    def test_a_zero_width_space_becomes_a_zwnj(self):
        assert clean(f"می{ZWSP}رود") == f"می{ZWNJ}رود"

    def test_repeated_zwnj_collapse_to_one(self):
        assert clean(f"می{ZWNJ}{ZWNJ}{ZWNJ}رود") == f"می{ZWNJ}رود"

    @pytest.mark.parametrize(
        "text",
        [f"کتاب{ZWNJ} ها", f"کتاب {ZWNJ}ها", f"کتاب {ZWNJ} ها", f"کتاب {ZWNJ} {ZWNJ} ها"],
    )
    def test_a_zwnj_beside_a_space_goes(self, text):
        assert clean(text) == "کتاب ها"

    def test_a_zwnj_at_either_end_goes(self):
        assert clean(f"{ZWNJ}کتاب{ZWNJ}") == "کتاب"

    def test_zwj_is_removed(self):
        assert clean(f"کتاب{ZWJ}ها") == "کتابها"

    @pytest.mark.parametrize("mark", [LRM, RLM, "\u202b", "\u202c", "\u2067", "\u2069", "\ufeff"])
    def test_direction_marks_are_removed(self, mark):
        assert clean(f"{mark}تهران{mark} 12") == "تهران 12"

    def test_tatweel_is_removed(self):
        assert clean(f"تـ{TATWEEL}هران") == "تهران"

    def test_the_zwnj_is_kept_by_clean_and_read_as_a_space_by_normalize(self):
        assert clean(f"می{ZWNJ}رود") == f"می{ZWNJ}رود"
        assert normalize(f"می{ZWNJ}رود") == "می رود"
        assert search_key(f"می{ZWNJ}رود") == "میرود"

    def test_alef_with_madda_is_read_as_alef_by_search_key_only(self):
        assert search_key("آبادان") == search_key("ابادان") == "ابادان"
        assert search_key("حاجی آباد") == search_key("حاجی اباد")
        assert normalize("آبادان") == "آبادان"
        assert clean("آبادان") == "آبادان"


class TestDiacriticsAndSpaces:
    def test_diacritics_are_removed_by_normalize(self):
        assert normalize("مُحَمَّد") == "محمد"
        assert normalize(f"ب{FATHA}{SHADDA}") == "ب"

    def test_diacritics_are_kept_by_clean(self):
        assert clean(f"ب{SHADDA}") == f"ب{SHADDA}"

    def test_whitespace_runs_become_one_space(self):
        assert clean("  اسلام \t آباد\n\nغرب  ") == "اسلام آباد غرب"
        assert normalize("اسلام \u00a0 آباد") == "اسلام آباد"

    def test_clean_multiline_keeps_paragraphs(self):
        assert clean_multiline("يك  خط\r\n\r\n\r\n\r\nخط  دوم ") == "یک خط\n\nخط دوم"

    def test_case_is_folded_by_normalize(self):
        assert normalize("Tehran") == normalize("TEHRAN") == "tehran"

    @pytest.mark.parametrize("level", [*ALL_LEVELS, clean_multiline])
    def test_no_text_gives_empty_text(self, level):
        assert level(None) == ""
        assert level("") == ""


class TestSearchKey:
    def test_kermanshah_typed_with_arabic_kaf_finds_the_persian_spelling(self):
        assert search_key("كرمانشاه") == search_key("کرمانشاه")

    def test_spacing_does_not_matter(self):
        assert search_key("اسلام آبادغرب") == search_key("اسلام آباد غرب")

    def test_a_half_space_matches_no_space_and_a_full_space(self):
        assert search_key(f"اسلام{ZWNJ}آباد") == search_key("اسلام آباد") == "اسلاماباد"


class TestIdempotence:
    @given(st.text())
    @example("a \u200c \u200c b")
    @example(f"\u0627{TATWEEL}\u0653")  # alef, tatweel, madda: cleaned, it composes to آ
    @example(f"A{TATWEEL}\u0301")
    def test_clean_twice_is_clean_once(self, text):
        once = clean(text)
        assert clean(once) == once

    @given(st.text())
    @example("a \u200c \u200c b")
    @example(f"A{TATWEEL}\u0301")
    @example("A\u06e5\u0301")  # a small waw, removed as a diacritic, kept A from its accent
    def test_normalize_twice_is_normalize_once(self, text):
        once = normalize(text)
        assert normalize(once) == once

    @given(st.text())
    def test_search_key_has_no_spaces(self, text):
        assert " " not in search_key(text)


class TestNumbers:
    def test_persian_uses_persian_digits_and_separators(self):
        assert format_number(1234567, language="fa") == "۱٬۲۳۴٬۵۶۷"
        assert format_number(Decimal("1234.5"), language="fa") == "۱٬۲۳۴٫۵۰"

    def test_english_uses_latin_digits_and_separators(self):
        assert format_number(1234567, language="en") == "1,234,567"
        assert format_number(1234.5, language="en") == "1,234.50"

    def test_decimals_can_be_chosen(self):
        assert format_number(3.14159, decimals=3, language="en") == "3.142"
        assert format_number(2, decimals=1, language="fa") == "۲٫۰"

    def test_a_number_typed_with_persian_digits_is_read(self):
        assert format_number("۱۲۳۴", language="en") == "1,234"

    def test_text_that_is_no_number_is_returned_as_it_is(self):
        assert format_number("بدون عدد", language="en") == "بدون عدد"

    def test_nothing_formats_as_empty_text(self):
        assert format_number(None) == ""
        assert format_number("") == ""

    def test_the_active_language_is_used_when_none_is_given(self):
        with translation.override("en"):
            assert format_number(1000) == "1,000"
        with translation.override("fa"):
            assert format_number(1000) == "۱٬۰۰۰"


class TestLocalizeDigits:
    def test_persian_gets_persian_digits(self):
        assert localize_digits("کد 0123", language="fa") == "کد ۰۱۲۳"
        assert localize_digits(42, language="fa") == "۴۲"

    def test_english_gets_latin_digits(self):
        assert localize_digits("کد ۰۱۲۳ و ٤٥", language="en") == "کد 0123 و 45"

    def test_the_active_language_is_used_when_none_is_given(self):
        with translation.override("fa"):
            assert localize_digits(2025) == "۲۰۲۵"
        with translation.override("en"):
            assert localize_digits("۲۰۲۵") == "2025"

    def test_none_is_empty_text(self):
        assert localize_digits(None) == ""


class TestParseDecimal:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("12", "12"),
            ("-12.5", "-12.5"),
            ("۳۵٫۷", "35.7"),  # the locate page refused this
            ("۱۲٬۳۴۵٫۶", "12345.6"),
            ("١٢٬٣٤٥٫٦", "12345.6"),  # Arabic-Indic digits
            ("12,345.6", "12345.6"),
            ("1,234,567", "1234567"),
            ("۱،۲۳۴", "1234"),  # Persian comma between thousands
            ("1 234", "1234"),
            ("1\u00a0234", "1234"),  # no-break space
            ("1\u202f234", "1234"),  # narrow no-break space
            ("1'234", "1234"),
            ("٫5", "0.5"),
            ("5.", "5"),
            ("\u200f۱۲\u200e", "12"),  # direction marks copied with the number
            ("\u2212۵", "-5"),  # a Unicode minus sign
            ("+5", "5"),
            ("1e3", "1000"),
            (" 7 ", "7"),
        ],
    )
    def test_numbers_typed_the_persian_or_latin_way_are_read(self, text, value):
        assert parse_decimal(text) == Decimal(value)

    def test_numbers_already_read_pass_through(self):
        assert parse_decimal(Decimal("1.5")) == Decimal("1.5")
        assert parse_decimal(12) == Decimal(12)
        assert parse_decimal(0.1) == Decimal("0.1")

    @pytest.mark.parametrize("text", ["1,5", "1,23", "12,3456", "1.234,5", "۱٬۲۳", "1٬234,567"])
    def test_a_separator_not_between_groups_of_three_digits_is_refused(self, text):
        with translation.override("en"), pytest.raises(ValueError, match="three digits after it"):
            parse_decimal(text)

    def test_two_kinds_of_decimal_point_are_refused(self):
        with translation.override("en"), pytest.raises(ValueError, match="two kinds"):
            parse_decimal("۱۲٫۳.۴")

    def test_a_slash_is_not_read_as_a_decimal_point(self):
        with translation.override("en"), pytest.raises(ValueError, match="not «/»"):
            parse_decimal("۳۵/۷")

    @pytest.mark.parametrize(
        "text", ["", " ", ".", "abc", "1_000", "NaN", "Infinity", "0x10", "--1", "1.2.3", True]
    )
    def test_what_is_not_a_number_is_refused(self, text):
        with translation.override("en"), pytest.raises(ValueError, match="is not a number"):
            parse_decimal(text)

    def test_the_message_is_in_persian_on_a_persian_page(self):
        with translation.override("fa"), pytest.raises(ValueError) as raised:
            parse_decimal("۳۵/۷")
        assert "٫" in str(raised.value)
        assert "decimal" not in str(raised.value)

    @given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
    @example(Decimal("-1234567.5"))
    def test_a_number_as_shown_on_a_persian_page_reads_back_as_itself(self, number):
        shown = format_number(number, decimals=4, language="fa")
        assert parse_decimal(shown) == number
