"""
The demo works for every role: as the education department's focal point, the profile and
the grid of an education indicator show and accept figures; data entry opens on the
period that needs work; the secretary's home lists this quarter's forms; the province's
manager sees the files imported this quarter.
"""

import html
import re

import pytest
from django.db import connection, transaction

from barzan.accounts.models import User
from barzan.geo.models import Area
from barzan.indicators import demo as indicators_demo
from barzan.indicators.models import Indicator, IndicatorValue, Period
from barzan.reports import readers

pytestmark = pytest.mark.django_db

NO_FIGURES = "There are no figures for this area yet."


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo, as `barzan demo` loads it, once for the module, rolled back after."""
    from conftest import seed_reference_data

    from barzan import demo

    with django_db_blocker.unblock(), transaction.atomic():
        seed_reference_data()
        demo.load()
        connection.check_constraints()
        yield demo
        transaction.set_rollback(True)


@pytest.fixture
def as_user(client, login, loaded):
    def log_in(username):
        login(User.objects.get(username=username), on=client)
        client.cookies["barzan_language"] = "en"
        return client

    return log_in


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def neighborhood(state: str, district: str = "2301021606") -> Area:
    """A district 6 neighborhood whose current quarter is `state` (empty, municipality…)."""
    return next(
        area
        for area in Area.objects.filter(level__code="neighborhood", parent__code=district).order_by(
            "code"
        )
        if indicators_demo.current_state(area.code) == state
    )


def current() -> Period:
    return readers.current_period("quarter")


def grid_url(area, period=None) -> str:
    return f"/indicators/entry/neighborhood-quarterly/{area.pk}/{(period or current()).code}/"


def test_the_focal_point_sees_the_education_figures_on_a_profile(as_user):
    client = as_user("focal-point")
    response = client.get(f"/indicators/profile/{neighborhood('complete').pk}/")
    assert response.status_code == 200
    text = text_of(response)
    assert NO_FIGURES not in text
    assert "Schools" in text
    assert "Literacy rate" in text
    # The census and the other agencies' figures are not theirs to see.
    assert "Households" not in text.split("Figures still missing")[0]


def test_the_focal_point_enters_an_education_figure_in_the_grid(as_user):
    client = as_user("focal-point")
    area = neighborhood("empty")
    response = client.get(grid_url(area))
    assert response.status_code == 200
    rows = {row.indicator.code: row for row in response.context["rows"] if row.is_total}
    assert rows["schools"].may_enter
    assert rows["literacy_rate"].may_enter
    assert not rows["households"].may_enter
    assert response.context["can_enter"]

    saved = client.post(
        grid_url(area) + "cell/",
        {"indicator": "schools", "breakdown": "total", "value": "۱۲", "version": "0"},
    )
    assert saved.status_code == 302
    stored = IndicatorValue.objects.get(
        indicator__code="schools", area=area, period=current(), breakdown__code="total"
    )
    assert stored.value == 12
    assert stored.entered_by.username == "focal-point"
    # The profile now shows it, for the current quarter.
    text = text_of(client.get(f"/indicators/profile/{area.pk}/"))
    assert NO_FIGURES not in text
    assert "12" in text


def test_the_focal_point_may_not_enter_another_agencys_figure(as_user):
    client = as_user("focal-point")
    area = neighborhood("empty")
    response = client.post(
        grid_url(area) + "cell/",
        {"indicator": "households", "breakdown": "total", "value": "100", "version": "0"},
    )
    assert response.status_code == 403
    assert not IndicatorValue.objects.filter(
        indicator__code="households", area=area, period=current()
    ).exists()


@pytest.mark.parametrize("username", ["focal-point", "secretary"])
def test_data_entry_opens_on_the_current_quarter_which_needs_work(as_user, username):
    client = as_user(username)
    response = client.get("/indicators/entry/", {"data_set": "neighborhood-quarterly"})
    form = response.context["form"]
    assert form.initial["period"] == current().code
    labels = dict(form.fields["period"].choices)
    assert "entered" in labels[current().code]


def test_the_grid_lists_the_periods_with_how_far_each_is(as_user):
    client = as_user("secretary")
    area = neighborhood("municipality")
    text = text_of(client.get(grid_url(area)))
    codes = re.findall(r'data-testid="entry-periods".*?</nav>', text, re.S)[0]
    assert f'data-period="{current().code}"' in codes
    entered = re.search(
        rf'data-period="{current().code}"[^>]*>.*?data-entered="(\d+)" data-expected="(\d+)"',
        codes,
        re.S,
    )
    municipality = list(indicators_demo.OWNERS.values()).count(indicators_demo.MUNICIPALITY)
    assert entered.groups() == (str(municipality), str(len(indicators_demo.OWNERS)))


def test_the_focal_points_home_page_lists_what_is_missing_this_quarter(as_user):
    client = as_user("focal-point")
    text = text_of(client.get("/"))
    assert 'data-panel="organization-figures-' in text
    assert 'data-indicator="schools"' in text
    assert 'data-indicator="literacy_rate"' in text
    assert grid_url(neighborhood("empty"), current()).split("/neighborhood-quarterly/")[0] in text


def test_the_secretarys_home_page_lists_the_forms_to_fill_this_quarter(as_user):
    text = text_of(as_user("secretary").get("/"))
    assert 'data-panel="indicators.forms_to_fill"' in text
    # Each of district 6's neighborhoods with its grid of this quarter, the empty ones too.
    for state in ("empty", "municipality", "complete"):
        assert grid_url(neighborhood(state)) in text
    assert "not complete" in text


def test_the_province_manager_sees_this_quarters_imports_and_their_outcome(as_user):
    text = text_of(as_user("tehran-manager").get("/"))
    assert indicators_demo.UPLOAD_NAME in text
    assert indicators_demo.MISTAKEN_UPLOAD_NAME in text
    assert re.search(r'data-status="done"', text)


@pytest.mark.parametrize(
    "username", ["admin", "tehran-manager", "analyst", "secretary", "focal-point"]
)
def test_every_demo_login_opens_its_home_page(as_user, username):
    assert as_user(username).get("/").status_code == 200


def test_the_education_indicators_belong_to_the_demo_focal_points_organization(loaded):
    focal_point = User.objects.get(username="focal-point")
    organization = focal_point.grants.get().organization
    owned = set(Indicator.objects.filter(owner=organization).values_list("code", flat=True))
    assert owned == {"schools", "literacy_rate"}
