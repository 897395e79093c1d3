"""Whether a figure typed or imported is a plausible value of its indicator: `checks.parse`."""

from decimal import Decimal

import pytest

from barzan.indicators.checks import Rule, ValueProblem, parse
from barzan.indicators.choices import ValueType

COUNT = Rule(ValueType.COUNT)
NUMBER = Rule(ValueType.NUMBER)
PERCENT = Rule(ValueType.PERCENT)
RATE = Rule(ValueType.RATE)
BOOLEAN = Rule(ValueType.BOOLEAN)


def refused(rule: Rule, text: str) -> str:
    """Return the message `parse` refuses `text` with."""
    with pytest.raises(ValueProblem) as raised:
        parse(rule, text)
    return str(raised.value)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are compared with their English source text."""


class TestCounts:
    @pytest.mark.parametrize(
        ("text", "value"),
        [("0", 0), ("12", 12), ("12.0", 12), (" 7 ", 7), ("1e3", 1000), ("+5", 5)],
    )
    def test_a_whole_non_negative_number_is_a_count(self, text, value):
        assert parse(COUNT, text) == Decimal(value)

    @pytest.mark.parametrize("text", ["1.5", "0.1", "12.000001"])
    def test_a_count_is_whole(self, text):
        assert refused(COUNT, text) == f"A count is a whole number, not {text}."

    @pytest.mark.parametrize("text", ["-1", "-0.5e1", "-۳"])
    def test_a_count_is_not_negative(self, text):
        assert refused(COUNT, text) == "A count cannot be negative."


class TestPercentages:
    @pytest.mark.parametrize("text", ["0", "0.5", "50", "99.999999", "100", "100.000"])
    def test_a_percentage_lies_between_0_and_100(self, text):
        assert parse(PERCENT, text) == Decimal(text)

    @pytest.mark.parametrize("text", ["-0.1", "100.01", "101", "1e3"])
    def test_a_percentage_outside_0_to_100_is_refused(self, text):
        assert refused(PERCENT, text) == f"A percentage lies between 0 and 100, not {text}."


class TestRates:
    @pytest.mark.parametrize("text", ["0", "0.25", "1234.5", "1000"])
    def test_a_rate_is_zero_or_more_and_may_exceed_100(self, text):
        assert parse(RATE, text) == Decimal(text)

    def test_a_rate_is_not_negative(self):
        assert refused(RATE, "-0.01") == "A rate cannot be negative."


class TestNumbers:
    @pytest.mark.parametrize("text", ["-12.5", "0", "123456789.123456"])
    def test_a_plain_number_may_be_negative_or_fractional(self, text):
        assert parse(NUMBER, text) == Decimal(text)


class TestYesOrNo:
    @pytest.mark.parametrize(
        "text", ["1", "yes", "Yes", "YES", "true", "y", "بله", "بلی", "آری", "دارد", "۱", " yes "]
    )
    def test_yes_in_persian_or_english_is_one(self, text):
        assert parse(BOOLEAN, text) == 1

    @pytest.mark.parametrize(
        "text", ["0", "no", "No", "FALSE", "n", "خیر", "نه", "ندارد", "۰", "٠"]
    )
    def test_no_in_persian_or_english_is_zero(self, text):
        assert parse(BOOLEAN, text) == 0

    def test_arabic_letters_in_the_word_are_read_as_persian(self):
        assert parse(BOOLEAN, "بلي") == 1  # Arabic yeh
        assert parse(BOOLEAN, "ندارد") == 0

    @pytest.mark.parametrize("text", ["2", "maybe", "", "-1", "0.5", "شاید"])
    def test_anything_else_is_refused(self, text):
        assert refused(BOOLEAN, text) == f"Write 1 for yes or 0 for no, not «{text}»."


class TestPersianNumbers:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("۱۲۳۴", "1234"),
            ("١٢٣٤", "1234"),  # Arabic-Indic digits
            ("۱٬۲۳۴٫۵", "1234.5"),  # Persian thousands and decimal separators
            ("١٬٢٣٤٫٥", "1234.5"),
            ("۱۲٫۵", "12.5"),
            ("1,234,567", "1234567"),
            ("۱،۲۳۴", "1234"),  # Persian comma
            ("1 234", "1234"),
            ("1\u00a0234", "1234"),  # no-break space
            ("1'234", "1234"),
            ("\u200f۱۲\u200e", "12"),  # direction marks
            ("٫5", "0.5"),
        ],
    )
    def test_persian_digits_and_separators_are_read(self, text, value):
        assert parse(NUMBER, text) == Decimal(value)

    def test_a_persian_count_is_checked_like_a_latin_one(self):
        assert parse(COUNT, "۱٬۲۳۴") == 1234
        assert refused(COUNT, "۱۲٫۵") == "A count is a whole number, not ۱۲٫۵."

    def test_a_separator_after_the_decimal_point_is_refused(self):
        with pytest.raises(ValueProblem):
            parse(NUMBER, "1.234,5")

    @pytest.mark.parametrize("text", ["1,5", "12,34", "۱٬۲۳", "1.234,5"])
    def test_a_separator_that_does_not_group_three_digits_is_refused(self, text):
        assert "a thousands separator must have three digits after it" in refused(NUMBER, text)

    def test_a_slash_is_not_read_as_a_decimal_point(self):
        assert refused(NUMBER, "1/2") == "«1/2»: write the decimal point as «٫» or «.», not «/»."


class TestNotNumbers:
    @pytest.mark.parametrize(
        "text",
        ["abc", "12abc", "۱۲ تا", "1.2.3", "0x10", "--1", "١٢-", "=1+1", "\x00"],
    )
    def test_text_that_is_not_a_number_is_refused(self, text):
        assert refused(NUMBER, text) == f"«{text}» is not a number."

    @pytest.mark.parametrize(
        "text", ["NaN", "nan", "sNaN", "-NaN", "Infinity", "-Infinity", "inf", "-inf", "Inf"]
    )
    @pytest.mark.parametrize("rule", [COUNT, NUMBER, PERCENT, RATE], ids=lambda r: r.value_type)
    def test_nan_and_infinity_are_refused(self, rule, text):
        assert refused(rule, text) == f"«{text}» is not a number."

    def test_an_empty_value_is_not_a_number(self):
        assert refused(NUMBER, "") == "«» is not a number."


class TestSize:
    @pytest.mark.parametrize(
        "text", ["100000000000000", "-100000000000000", "1e14", "1e400", "۱۰۰۰۰۰۰۰۰۰۰۰۰۰۰"]
    )
    def test_a_value_too_large_to_store_is_refused(self, text):
        assert refused(NUMBER, text) == f"{text} is too large to store."

    def test_the_largest_storable_value_is_accepted(self):
        assert parse(NUMBER, "99999999999999.999999") == Decimal("99999999999999.999999")

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("1.23456789", "1.234568"),
            ("33.3333333", "33.333333"),
            ("0.0000004", "0.000000"),
            ("0.0000006", "0.000001"),
            ("۱٫۲۳۴۵۶۷۸۹", "1.234568"),
            ("1e-7", "0.000000"),
        ],
    )
    def test_more_than_six_decimals_are_rounded_to_six(self, text, value):
        parsed = parse(NUMBER, text)
        assert parsed == Decimal(value)
        assert parsed.as_tuple().exponent >= -6

    def test_six_decimals_are_kept_as_they_are(self):
        assert parse(PERCENT, "12.345678").as_tuple().exponent == -6

    def test_a_value_that_rounds_up_past_the_largest_is_refused(self):
        with pytest.raises(ValueProblem):
            parse(NUMBER, "99999999999999.9999999")


class TestPlausibleRange:
    RANGE = Rule(ValueType.NUMBER, minimum=Decimal(0), maximum=Decimal(10))

    @pytest.mark.parametrize(("text", "value"), [("0", 0), ("5.5", 5.5), ("10", 10), ("۱۰", 10)])
    def test_a_value_within_the_range_is_accepted(self, text, value):
        assert parse(self.RANGE, text) == Decimal(str(value))

    def test_a_value_below_the_minimum_is_refused(self):
        assert refused(self.RANGE, "-1") == "-1 is below the smallest plausible value, 0."

    def test_a_value_above_the_maximum_is_refused(self):
        assert refused(self.RANGE, "10.5") == "10.5 is above the largest plausible value, 10."

    def test_the_bounds_are_written_plainly(self):
        rule = Rule(ValueType.RATE, minimum=Decimal("1.500000"), maximum=Decimal("2E+3"))
        assert refused(rule, "1") == "1 is below the smallest plausible value, 1.5."
        assert refused(rule, "2001") == "2001 is above the largest plausible value, 2,000."

    def test_the_type_is_checked_before_the_range(self):
        rule = Rule(ValueType.COUNT, minimum=Decimal(10))
        assert refused(rule, "-1") == "A count cannot be negative."

    def test_only_a_minimum_or_only_a_maximum_may_be_set(self):
        assert parse(Rule(ValueType.NUMBER, minimum=Decimal(0)), "1e10") == Decimal("1e10")
        assert parse(Rule(ValueType.NUMBER, maximum=Decimal(0)), "-1e10") == Decimal("-1e10")

    def test_the_rule_of_an_indicator_carries_its_type_and_range(self, catalogue):
        rule = Rule.of(catalogue.satisfaction)
        assert rule == Rule(ValueType.NUMBER, Decimal(0), Decimal(10))
        assert refused(rule, "11") == "11 is above the largest plausible value, 10."
