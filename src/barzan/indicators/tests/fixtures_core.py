"""
Fixtures and helpers for the tests of the indicators core (periods, checks, imports,
roll-ups, actions, display and readers).

A test module imports the fixtures it uses as `<name>_fixture` (registered under
`<name>`, so the test's argument does not shadow the import); the helpers are plain
functions.
"""

import io
from decimal import Decimal

import pytest

SIX_PLACES = Decimal("0.000001")


def q6(value) -> Decimal | None:
    """Return `value` as a Decimal of six places: SQLite hands back floats, PostgreSQL not."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(SIX_PLACES)


def stored_values() -> dict[tuple[str, str, str, str], Decimal]:
    """Return every raw value by (indicator, area, period, breakdown) code."""
    from barzan.indicators.models import IndicatorValue

    return {
        (indicator, area, period, breakdown): q6(value)
        for indicator, area, period, breakdown, value in IndicatorValue.objects.values_list(
            "indicator__code", "area__code", "period__code", "breakdown__code", "value"
        )
    }


def aggregate_rows() -> dict[tuple[str, str, str, str], tuple]:
    """Return every stored roll-up as (value, reported, expected, weight) by its codes."""
    from barzan.indicators.models import IndicatorAggregate

    rows = IndicatorAggregate.objects.values_list(
        "indicator__code",
        "area__code",
        "period__code",
        "breakdown__code",
        "value",
        "reported_count",
        "expected_count",
        "weight",
    )
    return {tuple(row[:4]): (q6(row[4]), row[5], row[6], q6(row[7])) for row in rows}


def aggregate(indicator, area, period, breakdown="total"):
    """Return the stored roll-up of `indicator` for `area` and `period`, or None."""
    from barzan.indicators.models import IndicatorAggregate

    return IndicatorAggregate.objects.filter(
        indicator=indicator, area=area, period=period, breakdown__code=breakdown
    ).first()


def row_counts() -> dict[str, int]:
    """Return how many values, roll-ups, changes and audit events are stored."""
    from barzan.audit.models import AuditEvent
    from barzan.indicators.models import (
        IndicatorAggregate,
        IndicatorValue,
        ValueChange,
        ValueImport,
    )

    return {
        "values": IndicatorValue.objects.count(),
        "aggregates": IndicatorAggregate.objects.count(),
        "changes": ValueChange.objects.count(),
        "audit": AuditEvent.objects.count(),
        "imports": ValueImport.objects.count(),
    }


def breakdown(code: str):
    from barzan.indicators.models import Breakdown

    return Breakdown.objects.get(code=code)


def period_of(code: str):
    from barzan.indicators.models import Period

    return Period.objects.get(code=code)


@pytest.fixture(name="enter")
def enter_fixture(catalogue, period):
    """Return a function that enters one figure as the system (no actor), by default for
    1402 and the total."""
    from barzan.indicators.actions import set_value

    def enter(indicator, area, value, *, at=None, by=None, actor=None, **options):
        return set_value(
            actor=actor,
            indicator=indicator,
            area=area,
            period=at or period,
            breakdown=breakdown(by) if isinstance(by, str) else by,
            value=value,
            **options,
        )

    return enter


@pytest.fixture(name="importer")
def importer_fixture(catalogue, areas):
    """Return a function that imports `content` into Tehran province (or `area`) with
    `actions.import_values` and returns the Outcome."""
    from barzan.indicators.actions import import_values

    def run(content, *, format="csv", area=None, actor=None, source=None, dry_run=False):
        if isinstance(content, str):
            content = content.encode()
        return import_values(
            actor=actor,
            stream=io.BytesIO(content),
            format=format,
            area=area or areas.tehran,
            source=source or catalogue.owner,
            dry_run=dry_run,
        )

    return run


@pytest.fixture(name="welfare_indicator")
def welfare_indicator_fixture(catalogue, organizations):
    """A count owned by Tehran's welfare office, not by the catalogue's owner."""
    from barzan.indicators.actions import create_indicator

    return create_indicator(
        actor=None,
        code="welfare_clients",
        name_fa="مددجویان بهزیستی",
        name_en="Welfare clients",
        category=catalogue.population.category,
        owner=organizations.welfare_tehran,
        value_type="count",
        aggregation="sum",
    )


@pytest.fixture(name="isfahan_indicator")
def isfahan_indicator_fixture(catalogue, organizations):
    """A count owned by Isfahan's education department."""
    from barzan.indicators.actions import create_indicator

    return create_indicator(
        actor=None,
        code="isfahan_schools",
        name_fa="مدارس اصفهان",
        name_en="Isfahan schools",
        category=catalogue.population.category,
        owner=organizations.education_isfahan,
        value_type="count",
        aggregation="sum",
        direction="higher_better",
    )
