"""Jalali reporting periods: their codes, their Gregorian bounds, their ADX form and their rows."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.utils import translation

from barzan.core import jalali
from barzan.indicators import periods
from barzan.indicators.choices import PeriodType
from barzan.indicators.models import Period


class TestParse:
    @pytest.mark.parametrize(
        ("text", "code", "period_type", "number"),
        [
            ("1402", "1402", PeriodType.YEAR, 0),
            ("1402H1", "1402H1", PeriodType.HALF, 1),
            ("1402h2", "1402H2", PeriodType.HALF, 2),
            ("1402Q3", "1402Q3", PeriodType.QUARTER, 3),
            ("1402q4", "1402Q4", PeriodType.QUARTER, 4),
            ("1402-07", "1402-07", PeriodType.MONTH, 7),
            ("1402-7", "1402-07", PeriodType.MONTH, 7),
            ("1402-1", "1402-01", PeriodType.MONTH, 1),
            ("1402-12", "1402-12", PeriodType.MONTH, 12),
            (" 1402 Q3 ", "1402Q3", PeriodType.QUARTER, 3),
        ],
    )
    def test_a_code_names_its_period(self, text, code, period_type, number):
        spec = periods.parse(text)
        assert spec is not None
        assert (spec.code, spec.period_type, spec.year, spec.number) == (
            code,
            period_type,
            1402,
            number,
        )

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("۱۴۰۲Q۳", "1402Q3"),
            ("۱۴۰۲", "1402"),
            ("۱۴۰۲-۰۷", "1402-07"),
            ("۱۴۰۲H۱", "1402H1"),
            ("١٤٠٢Q٢", "1402Q2"),  # Arabic-Indic digits
            ("\u200f1402-07\u200e", "1402-07"),  # direction marks from copy and paste
            ("1402\x00", "1402"),  # a stray control character
        ],
    )
    def test_persian_and_arabic_digits_name_the_same_period(self, text, code):
        assert periods.parse(text).code == code

    @pytest.mark.parametrize("text", ["1402-00", "1402-13", "1402-99", "1402Q0", "1402Q5"])
    def test_a_month_or_quarter_out_of_range_names_nothing(self, text):
        assert periods.parse(text) is None

    @pytest.mark.parametrize("text", ["1402H0", "1402H3"])
    def test_a_half_other_than_one_or_two_names_nothing(self, text):
        assert periods.parse(text) is None

    def test_the_first_and_last_seeded_years_are_periods(self):
        assert periods.parse(str(periods.FIRST_YEAR)).code == "1380"
        assert periods.parse(f"{periods.LAST_YEAR}-12").code == "1420-12"

    @pytest.mark.parametrize("text", ["1379", "1421", "1379Q4", "1421-01", "2023", "2024Q1"])
    def test_a_year_outside_the_seeded_years_names_nothing(self, text):
        assert periods.parse(text) is None

    @pytest.mark.parametrize(
        "text",
        [
            "",
            " ",
            "Q3",
            "140",
            "14021",
            "1402/07",
            "1402-007",
            "1402Q",
            "1402Q3x",
            "1402-07-01",
            "Q31402",
            "سال ۱۴۰۲",
            "فصل ۳ ۱۴۰۲",
            "1402H1Q2",
            "\x00",
            "1402" * 50,
            "<script>",
        ],
    )
    def test_garbage_names_nothing(self, text):
        assert periods.parse(text) is None


class TestBounds:
    def test_1402_starts_on_the_21st_of_march_2023(self):
        spec = periods.parse("1402")
        assert spec.start == date(2023, 3, 21)
        assert spec.end == date(2024, 3, 19)

    def test_1403_is_a_leap_year_so_its_last_month_has_30_days(self):
        assert jalali.is_leap(1403)
        esfand = periods.parse("1403-12")
        assert (esfand.end - esfand.start).days + 1 == 30
        assert esfand.end == date(2025, 3, 20)
        assert periods.parse("1404").start == date(2025, 3, 21)

    def test_the_last_month_of_a_common_year_has_29_days(self):
        esfand = periods.parse("1402-12")
        assert (esfand.end - esfand.start).days + 1 == 29
        assert esfand.end + timedelta(days=1) == periods.parse("1403").start

    @pytest.mark.parametrize("year", [1380, 1399, 1402, 1403, 1404, 1420])
    def test_every_period_has_the_bounds_of_core_jalali(self, year):
        for spec in periods.all_specs(year, year):
            if spec.period_type == PeriodType.YEAR:
                expected = jalali.year_bounds(year)
            elif spec.period_type == PeriodType.HALF:
                expected = jalali.half_bounds(year, spec.number)
            elif spec.period_type == PeriodType.QUARTER:
                expected = jalali.quarter_bounds(year, spec.number)
            else:
                expected = jalali.month_bounds(year, spec.number)
            assert (spec.start, spec.end) == expected, spec.code

    @pytest.mark.parametrize("year", [1402, 1403])
    def test_the_parts_of_a_year_tile_it_without_gaps(self, year):
        whole = periods.parse(str(year))
        for period_type in (PeriodType.HALF, PeriodType.QUARTER, PeriodType.MONTH):
            parts = [
                spec for spec in periods.all_specs(year, year) if spec.period_type == period_type
            ]
            assert parts[0].start == whole.start
            assert parts[-1].end == whole.end
            for earlier, later in pairwise(parts):
                assert earlier.end + timedelta(days=1) == later.start

    def test_a_year_has_nineteen_periods(self):
        specs = list(periods.all_specs(1402, 1402))
        assert len(specs) == 19
        assert len({spec.code for spec in specs}) == 19


class TestPrevious:
    @pytest.mark.parametrize(
        ("code", "before"),
        [
            ("1402", "1401"),
            ("1402H1", "1401H2"),
            ("1402H2", "1402H1"),
            ("1402Q1", "1401Q4"),
            ("1402Q3", "1402Q2"),
            ("1402-01", "1401-12"),
            ("1402-07", "1402-06"),
            ("1404-01", "1403-12"),
            ("1403Q1", "1402Q4"),
        ],
    )
    def test_the_previous_period_has_the_same_type(self, code, before):
        assert periods.previous(periods.parse(code)).code == before

    @pytest.mark.parametrize("code", ["1380", "1380H1", "1380Q1", "1380-01"])
    def test_nothing_comes_before_the_first_seeded_year(self, code):
        assert periods.previous(periods.parse(code)) is None

    def test_walking_back_through_every_month_reaches_the_first_year(self):
        spec = periods.parse("1420-12")
        steps = 0
        while (earlier := periods.previous(spec)) is not None:
            assert earlier.end + timedelta(days=1) == spec.start
            spec = earlier
            steps += 1
        assert spec.code == "1380-01"
        assert steps == 41 * 12 - 1


class TestAdx:
    @pytest.mark.parametrize("spec", list(periods.all_specs(1402, 1402)), ids=lambda s: s.code)
    def test_every_period_of_1402_comes_back_from_its_adx_form(self, spec):
        assert periods.from_adx(spec.adx) == spec

    @pytest.mark.parametrize("spec", list(periods.all_specs(1403, 1403)), ids=lambda s: s.code)
    def test_every_period_of_leap_1403_comes_back_from_its_adx_form(self, spec):
        assert periods.from_adx(spec.adx) == spec

    def test_the_adx_form_is_the_first_day_and_a_duration(self):
        assert periods.parse("1402").adx == "2023-03-21/P1Y"
        assert periods.parse("1402H2").adx == "2023-09-23/P6M"
        assert periods.parse("1402Q1").adx == "2023-03-21/P3M"
        assert periods.parse("1402-07").adx == "2023-09-23/P1M"

    def test_a_lowercase_duration_is_understood(self):
        assert periods.from_adx("2023-03-21/p1y").code == "1402"

    @pytest.mark.parametrize(
        "text",
        [
            "2023-03-22/P1M",  # not the first day of a Jalali month
            "2023-04-21/P3M",  # the second month of a quarter
            "2023-04-21/P1Y",  # not the first day of a year
            "2023-04-21/P6M",
            "2023-03-21/P2M",  # no period lasts two months
            "2023-03-21/P1D",
            "2023-03-21",
            "2023-03-21/",
            "/P1Y",
            "2023-02-30/P1M",
            "2023-3-21/P1M",
            "garbage",
            "",
            "1402/P1Y",
            "2000-03-20/P1Y",  # 1379: before the seeded years
            "2060-03-20/P1Y",  # after them
            "9999-12-31/P1Y",
            "0001-01-01/P1Y",
        ],
    )
    def test_anything_else_names_no_period(self, text):
        assert periods.from_adx(text) is None


@pytest.fixture
def seeded(roles):
    """The seeded breakdowns and periods (re-seeded in case a transactional test flushed them)."""


class TestPeriodRows:
    def test_every_period_from_1380_to_1420_is_seeded(self, seeded):
        assert Period.objects.count() == 41 * 19
        assert Period.objects.filter(period_type=PeriodType.YEAR).count() == 41
        assert Period.objects.filter(period_type=PeriodType.MONTH).count() == 41 * 12
        first, last = (
            Period.objects.order_by("start").first(),
            Period.objects.order_by("end").last(),
        )
        assert first.start == periods.parse("1380").start
        assert last.end == periods.parse("1420").end

    def test_the_rows_match_their_specs(self, seeded):
        for row in Period.objects.filter(year__in=(1402, 1403)):
            spec = periods.parse(row.code)
            assert (row.period_type, row.year, row.number, row.start, row.end) == (
                spec.period_type,
                spec.year,
                spec.number,
                spec.start,
                spec.end,
            )

    @pytest.mark.parametrize(
        ("code", "persian", "english"),
        [
            ("1402", "۱۴۰۲", "1402"),
            ("1402-07", "مهر ۱۴۰۲", "Mehr 1402"),
            ("1402-01", "فروردین ۱۴۰۲", "Farvardin 1402"),
            ("1402Q3", "فصل ۳ ۱۴۰۲", "Q3 1402"),
            ("1402H1", "نیمه ۱ ۱۴۰۲", "H1 1402"),
        ],
    )
    def test_a_period_reads_in_the_pages_language(self, seeded, code, persian, english):
        row = Period.objects.get(code=code)
        with translation.override("fa"):
            assert row.name == persian
            assert str(row) == persian
        with translation.override("en"):
            assert row.name == english
