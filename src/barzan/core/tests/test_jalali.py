"""The Jalali calendar: leap years, parsing what people type, formatting, period bounds."""

from datetime import UTC, date, datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from barzan.core import jalali
from barzan.core.jalali import JalaliDateError

MEHR_29_1402 = date(2023, 10, 21)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


class TestLeapYears:
    @pytest.mark.parametrize("year", [1399, 1403])
    def test_1399_and_1403_are_leap_years(self, year):
        assert jalali.is_leap(year) is True

    @pytest.mark.parametrize("year", [1400, 1404])
    def test_1400_and_1404_are_not_leap_years(self, year):
        assert jalali.is_leap(year) is False

    def test_1403_esfand_30_exists_and_is_2025_03_20(self):
        assert jalali.to_gregorian(1403, 12, 30) == date(2025, 3, 20)

    def test_1404_esfand_30_does_not_exist(self, english):
        with pytest.raises(JalaliDateError, match=r"^Esfand 1404 has 29 days\.$"):
            jalali.to_gregorian(1404, 12, 30)

    def test_the_reason_is_given_in_persian_on_a_persian_page(self):
        with translation.override("fa"), pytest.raises(JalaliDateError) as raised:
            jalali.to_gregorian(1404, 12, 30)
        assert "اسفند" in str(raised.value)
        assert "۱۴۰۴" in str(raised.value)
        assert "۲۹" in str(raised.value)

    def test_parsing_1404_esfand_30_gives_the_same_reason(self, english):
        with pytest.raises(JalaliDateError, match="Esfand 1404 has 29 days"):
            jalali.parse_date("1404/12/30")

    def test_esfand_1403_has_30_days_and_esfand_1404_has_29(self):
        assert jalali.month_length(1403, 12) == 30
        assert jalali.month_length(1404, 12) == 29

    def test_the_first_six_months_have_31_days_and_the_next_five_30(self):
        assert [jalali.month_length(1402, month) for month in range(1, 12)] == [31] * 6 + [30] * 5


class TestParseDate:
    @pytest.mark.parametrize(
        "text",
        [
            "۱۴۰۲/۰۷/۲۹",
            "1402/07/29",
            "1402-7-29",
            "١٤٠٢/٠٧/٢٩",
            "١٤٠٢.٠٧.٢٩",
            "۱۴۰2/7/۲9",
            "14020729",
            "29 مهر 1402",
            "۲۹ مهر ۱۴۰۲",
            "29 Mehr 1402",
            "29 mehr 1402",
            "  1402/07/29  ",
        ],
    )
    def test_accepts_every_way_people_type_mehr_29_1402(self, text):
        assert jalali.parse_date(text) == MEHR_29_1402

    def test_rejects_a_gregorian_year_and_says_so(self, english):
        with pytest.raises(JalaliDateError, match="2023 looks like a Gregorian year"):
            jalali.parse_date("2023/10/21")

    def test_rejects_a_two_digit_year(self, english):
        with pytest.raises(JalaliDateError, match="four digits"):
            jalali.parse_date("02/07/29")

    def test_rejects_month_13(self, english):
        with pytest.raises(JalaliDateError, match="month must be between 1 and 12"):
            jalali.parse_date("1402/13/01")

    def test_rejects_day_32(self, english):
        with pytest.raises(JalaliDateError, match="Mehr 1402 has 30 days"):
            jalali.parse_date("1402/07/32")

    @pytest.mark.parametrize("text", ["", "   ", None])
    def test_rejects_empty_text(self, english, text):
        with pytest.raises(JalaliDateError, match="Enter a date"):
            jalali.parse_date(text)

    def test_rejects_an_unknown_month_name(self, english):
        with pytest.raises(JalaliDateError, match="is not a Jalali month"):
            jalali.parse_date("29 Brumaire 1402")

    def test_rejects_text_that_is_no_date(self, english):
        with pytest.raises(JalaliDateError, match="year/month/day"):
            jalali.parse_date("yesterday")

    def test_a_year_far_outside_the_calendar_is_refused(self, english):
        with pytest.raises(JalaliDateError, match="between 1200 and 1600"):
            jalali.to_gregorian(1100, 1, 1)

    def test_the_error_is_a_value_error(self):
        assert issubclass(JalaliDateError, ValueError) is True


class TestFormat:
    def test_short_in_persian_has_persian_digits(self):
        assert jalali.format_date(MEHR_29_1402, language="fa") == "۱۴۰۲/۰۷/۲۹"

    def test_long_in_persian_names_the_month(self):
        assert jalali.format_date(MEHR_29_1402, "long", language="fa") == "۲۹ مهر ۱۴۰۲"

    def test_short_in_english_has_latin_digits(self):
        assert jalali.format_date(MEHR_29_1402, language="en") == "1402/07/29"

    def test_long_in_english_names_the_month(self):
        assert jalali.format_date(MEHR_29_1402, "long", language="en") == "29 Mehr 1402"

    def test_the_active_language_is_used_when_none_is_given(self):
        with translation.override("en"):
            assert jalali.format_date(MEHR_29_1402) == "1402/07/29"
        with translation.override("fa"):
            assert jalali.format_date(MEHR_29_1402) == "۱۴۰۲/۰۷/۲۹"

    def test_no_date_formats_as_empty_text(self):
        assert jalali.format_date(None) == ""
        assert jalali.format_datetime(None) == ""

    def test_format_datetime_converts_to_tehran_time(self):
        # 21:00 UTC is 00:30 the next day in Tehran (UTC+03:30).
        moment = datetime(2023, 10, 21, 21, 0, tzinfo=UTC)
        assert jalali.format_datetime(moment, language="en") == "1402/07/30 00:30"
        assert jalali.format_datetime(moment, language="fa") == "۱۴۰۲/۰۷/۳۰ ۰۰:۳۰"

    def test_format_date_of_an_aware_moment_takes_the_tehran_day(self):
        moment = datetime(2023, 10, 21, 21, 0, tzinfo=UTC)
        assert jalali.format_date(moment, language="en") == "1402/07/30"

    def test_month_names_follow_the_language(self):
        assert jalali.month_name(12, "fa") == "اسفند"
        assert jalali.month_name(12, "en") == "Esfand"


class TestPeriods:
    def test_esfand_1403_runs_30_days_to_2025_03_20(self):
        assert jalali.month_bounds(1403, 12) == (date(2025, 2, 19), date(2025, 3, 20))

    def test_esfand_1404_runs_29_days_to_2026_03_20(self):
        assert jalali.month_bounds(1404, 12) == (date(2026, 2, 20), date(2026, 3, 20))

    def test_quarter_4_of_1403_ends_2025_03_20(self):
        assert jalali.quarter_bounds(1403, 4) == (date(2024, 12, 21), date(2025, 3, 20))

    def test_quarter_1_of_1403_starts_at_nowruz(self):
        assert jalali.quarter_bounds(1403, 1) == (date(2024, 3, 20), date(2024, 6, 20))

    def test_the_halves_of_1403_meet_at_the_end_of_shahrivar(self):
        assert jalali.half_bounds(1403, 1) == (date(2024, 3, 20), date(2024, 9, 21))
        assert jalali.half_bounds(1403, 2) == (date(2024, 9, 22), date(2025, 3, 20))

    def test_year_1403_has_366_days(self):
        first, last = jalali.year_bounds(1403)
        assert (first, last) == (date(2024, 3, 20), date(2025, 3, 20))
        assert (last - first).days + 1 == 366

    @pytest.mark.parametrize("quarter", [0, 5])
    def test_a_quarter_outside_1_to_4_is_refused(self, english, quarter):
        with pytest.raises(JalaliDateError, match="quarter must be between 1 and 4"):
            jalali.quarter_bounds(1403, quarter)

    def test_a_half_other_than_1_or_2_is_refused(self, english):
        with pytest.raises(JalaliDateError, match="half must be 1 or 2"):
            jalali.half_bounds(1403, 3)

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2025, 3, 20), (1403, 4)),
            (date(2025, 3, 21), (1404, 1)),
            (date(2023, 10, 21), (1402, 3)),
            (date(2024, 6, 20), (1403, 1)),
            (date(2024, 6, 21), (1403, 2)),
        ],
    )
    def test_quarter_of_gives_the_jalali_year_and_quarter(self, day, expected):
        assert jalali.quarter_of(day) == expected


class TestProperties:
    dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))

    @given(dates)
    def test_to_jalali_and_to_gregorian_round_trip(self, day):
        converted = jalali.to_jalali(day)
        assert jalali.to_gregorian(converted.year, converted.month, converted.day) == day

    @given(dates, st.sampled_from(["fa", "en"]), st.sampled_from(["short", "long"]))
    def test_parse_date_reads_what_format_date_writes(self, day, language, style):
        assert jalali.parse_date(jalali.format_date(day, style, language=language)) == day

    @given(dates)
    def test_every_date_lies_within_its_quarter(self, day):
        first, last = jalali.quarter_bounds(*jalali.quarter_of(day))
        assert first <= day <= last
