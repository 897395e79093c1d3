"""Template filters and tags: Jalali dates, local times, numbers and digits in the page language."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

DAY = date(2023, 10, 21)
# 11:00 UTC is 14:30 in Tehran; 21:00 UTC is already the next day there.
AFTERNOON = datetime(2023, 10, 21, 11, 0, tzinfo=UTC)
LATE_EVENING = datetime(2023, 10, 21, 21, 0, tzinfo=UTC)


def render(source, **context):
    # The filters are builtins: no {% load %} is needed.
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("fa", "{{ day|jdate }}", "۱۴۰۲/۰۷/۲۹"),
        ("fa", '{{ day|jdate:"long" }}', "۲۹ مهر ۱۴۰۲"),
        ("en", "{{ day|jdate }}", "1402/07/29"),
        ("en", '{{ day|jdate:"long" }}', "29 Mehr 1402"),
    ],
)
def test_jdate_shows_a_jalali_date_in_the_page_language(language, source, expected):
    with translation.override(language):
        assert render(source, day=DAY) == expected


@pytest.mark.parametrize(
    ("language", "moment", "expected"),
    [
        ("fa", AFTERNOON, "۱۴۰۲/۰۷/۲۹ ۱۴:۳۰"),
        ("en", AFTERNOON, "1402/07/29 14:30"),
        ("fa", LATE_EVENING, "۱۴۰۲/۰۷/۳۰ ۰۰:۳۰"),
        ("en", LATE_EVENING, "1402/07/30 00:30"),
    ],
)
def test_jdatetime_shows_tehran_time_in_the_page_language(language, moment, expected):
    with translation.override(language):
        assert render("{{ moment|jdatetime }}", moment=moment) == expected


@pytest.mark.parametrize(
    ("language", "source", "value", "expected"),
    [
        ("fa", "{{ value|num }}", 1952434, "۱٬۹۵۲٬۴۳۴"),
        ("en", "{{ value|num }}", 1952434, "1,952,434"),
        ("fa", "{{ value|num }}", Decimal("12.5"), "۱۲٫۵۰"),
        ("en", '{{ value|num:"1" }}', 3.14159, "3.1"),
        ("fa", '{{ value|num:"0" }}', Decimal("1234.4"), "۱٬۲۳۴"),
    ],
)
def test_num_groups_thousands_in_the_page_language(language, source, value, expected):
    with translation.override(language):
        assert render(source, value=value) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("fa", "2301021606", "۲۳۰۱۰۲۱۶۰۶"),
        ("fa", 7, "۷"),
        ("en", "۲۳۰۱", "2301"),
        ("en", "کد ٤٥", "کد 45"),
    ],
)
def test_digits_uses_the_page_languages_digits(language, value, expected):
    with translation.override(language):
        assert render("{{ value|digits }}", value=value) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fa", '<time datetime="2023-10-21T11:00:00+00:00">۱۴۰۲/۰۷/۲۹ ۱۴:۳۰</time>'),
        ("en", '<time datetime="2023-10-21T11:00:00+00:00">1402/07/29 14:30</time>'),
    ],
)
def test_jtime_renders_a_machine_readable_time_element(language, expected):
    with translation.override(language):
        assert render("{% jtime moment %}", moment=AFTERNOON) == expected


@pytest.mark.parametrize(
    "source",
    ["{{ value|jdate }}", "{{ value|jdatetime }}", "{{ value|num }}", "{% jtime value %}"],
)
@pytest.mark.parametrize("value", [None, ""])
def test_nothing_renders_as_nothing(source, value):
    with translation.override("fa"):
        assert render(source, value=value) == ""


def test_digits_of_nothing_is_empty():
    with translation.override("fa"):
        assert render("{{ value|digits }}", value=None) == ""
