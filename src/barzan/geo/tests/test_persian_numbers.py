"""Numbers in area files typed the Persian way: «٫» as the decimal point, «٬» between
thousands, Persian and Arabic-Indic digits; a comma that is not between thousands is a
problem of its line, not a misreading."""

import pytest

from barzan.geo import importing
from barzan.geo.actions import import_areas
from barzan.geo.models import Area

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def import_csv(content: str, level):
    return import_areas(
        actor=None,
        format=importing.CSV,
        content=content.encode(),
        source="areas.csv",
        options=importing.Options(level=level),
    )


def test_points_and_populations_in_persian_digits_and_separators_are_read(areas, levels):
    report = import_csv(
        "code,name_fa,parent_code,latitude,longitude,population\n"
        "2301021606101,محله الف,2301021606,۳۵٫۷۰۱,۵۱٫۴۰۱,۱۲٬۳۴۵\n"
        '2301021606102,محله ب,2301021606,٣٥٫٧٠٢,51.402,"12,346"\n',
        levels["neighborhood"],
    )
    assert report.ok, report.problems
    first = Area.objects.get(code="2301021606101")
    assert (first.latitude, first.longitude, first.population) == (35.701, 51.401, 12345)
    second = Area.objects.get(code="2301021606102")
    assert (second.latitude, second.longitude, second.population) == (35.702, 51.402, 12346)


@pytest.mark.parametrize(
    ("latitude", "population", "column"),
    [("35/701", "5000", "latitude"), ("35.701", '"1,5"', "population")],
)
def test_a_slash_or_a_decimal_comma_is_a_problem_of_its_line(
    areas, levels, latitude, population, column
):
    report = import_csv(
        "code,name_fa,parent_code,latitude,longitude,population\n"
        f"2301021606101,محله الف,2301021606,{latitude},51.401,{population}\n",
        levels["neighborhood"],
    )
    assert [problem.where for problem in report.problems] == [f"line 2, column “{column}”"]
    assert not Area.objects.filter(code="2301021606101").exists()
