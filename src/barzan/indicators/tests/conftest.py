"""Fixtures for the indicator tests: a small catalogue and neighborhoods under district 6."""

from decimal import Decimal
from types import SimpleNamespace

import pytest


@pytest.fixture
def english(client):
    """Read messages in English, in the test and on the test client's pages: these tests
    compare them with the source text."""
    from django.utils import translation

    client.cookies["barzan_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def neighborhoods(areas):
    """Three neighborhoods in district 6 (populations 1,000, 3,000 and none) and one in
    Isfahan county."""
    from barzan.geo.actions import create_area
    from barzan.geo.models import AreaLevel

    level = AreaLevel.objects.get(code="neighborhood")

    def make(code, name, parent, population):
        return create_area(
            actor=None,
            level=level,
            code=code,
            name_fa=name,
            parent=parent,
            population=population,
        )

    return SimpleNamespace(
        n1=make("N1", "محله یک", areas.district6, 1000),
        n2=make("N2", "محله دو", areas.district6, 3000),
        n3=make("N3", "محله سه", areas.district6, None),
        isfahan=make("I1", "محله اصفهان", areas.isfahan_county, 500),
    )


@pytest.fixture
def catalogue(organizations):
    """Indicators of each kind, owned by Tehran's education department."""
    from barzan.indicators.actions import create_indicator, create_validation_rule
    from barzan.indicators.models import Category

    owner = organizations.education_tehran
    people = Category.objects.create(code="population", name_fa="جمعیت", name_en="Population")
    work = Category.objects.create(code="work", name_fa="اشتغال", name_en="Work", order=1)

    def make(code, name_fa, category=people, **fields):
        fields.setdefault("value_type", "count")
        fields.setdefault("aggregation", "sum")
        return create_indicator(
            actor=None,
            code=code,
            name_fa=name_fa,
            name_en=code.replace("_", " ").capitalize(),
            category=category,
            owner=owner,
            **fields,
        )

    population = make("population", "جمعیت", dimensions=["sex", "age_group"])
    households = make("households", "خانوار", direction="neutral")
    active = make("active", "جمعیت فعال", work, dimensions=["sex"])
    unemployed = make(
        "unemployed", "بیکاران", work, dimensions=["sex", "education"], direction="lower_better"
    )
    unemployment_rate = make(
        "unemployment_rate",
        "نرخ بیکاری",
        work,
        value_type="percent",
        aggregation="none",
        kind="calculated",
        numerator=unemployed,
        denominator=active,
        factor=Decimal(100),
        direction="lower_better",
    )
    literacy = make(
        "literacy",
        "نرخ باسوادی",
        value_type="percent",
        aggregation="weighted_mean",
        direction="higher_better",
    )
    satisfaction = make(
        "satisfaction", "رضایت", value_type="number", aggregation="mean", minimum=0, maximum=10
    )
    has_park = make("has_park", "بوستان دارد", value_type="boolean", aggregation="none")
    unemployed_le_active = create_validation_rule(
        actor=None,
        code="unemployed-le-active",
        name_fa="بیکاران از جمعیت فعال بیشتر نیست",
        left=unemployed,
        operator="le",
        right=active,
    )
    sexes_le_total = create_validation_rule(
        actor=None,
        code="population-sexes",
        name_fa="جمع زن و مرد از کل بیشتر نیست",
        left=population,
        left_dimension="sex",
        operator="le",
        right=population,
    )
    return SimpleNamespace(
        owner=owner,
        population=population,
        households=households,
        active=active,
        unemployed=unemployed,
        unemployment_rate=unemployment_rate,
        literacy=literacy,
        satisfaction=satisfaction,
        has_park=has_park,
        unemployed_le_active=unemployed_le_active,
        sexes_le_total=sexes_le_total,
    )


@pytest.fixture
def period():
    from barzan.indicators.models import Period

    return Period.objects.get(code="1402")


@pytest.fixture
def csv_of():
    """Return a function that turns rows (indicator, area, period, breakdown, value) into
    the bytes of a Barzan CSV file."""

    def make(*rows) -> bytes:
        lines = ["indicator,area,period,breakdown,value,comment"]
        for row in rows:
            row = list(row) + [""] * (6 - len(row))
            lines.append(",".join(row))
        return ("\n".join(lines) + "\n").encode()

    return make
