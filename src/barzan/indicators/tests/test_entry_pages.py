"""The data-entry grid from a user's seat: typing figures in Persian, seeing the previous
period, being told what is wrong, not overwriting someone else's change, and entering only
where one may."""

import re
from decimal import Decimal

import pytest

from barzan.audit.models import AuditEvent
from barzan.geo.models import AreaLevel
from barzan.indicators import actions
from barzan.indicators.entry_forms import offered_periods
from barzan.indicators.models import Breakdown, IndicatorValue, Period, ValueChange

pytestmark = pytest.mark.django_db


# -- Helpers ----------------------------------------------------------------------------------


@pytest.fixture
def data_set(catalogue):
    """The yearly neighborhood profile: counts, a percent, a boolean, a breakdown and a
    calculated rate."""
    return actions.create_data_set(
        actor=None,
        code="neighborhood-profile",
        name_fa="شناسنامه محله",
        name_en="Neighborhood profile",
        level=AreaLevel.objects.get(code="neighborhood"),
        period_type="year",
        owner=catalogue.owner,
        indicators=[
            catalogue.population,
            catalogue.households,
            catalogue.literacy,
            catalogue.unemployed,
            catalogue.active,
            catalogue.unemployment_rate,
            catalogue.has_park,
            catalogue.satisfaction,
        ],
    )


def in_english(client):
    """Read the page in English (the language cookie), so the tests can quote its messages."""
    client.cookies["barzan_language"] = "en"
    return client


def grid_url(data_set, area, period_code="1402") -> str:
    return f"/indicators/entry/{data_set.code}/{area.pk}/{period_code}/"


def cell_url(data_set, area, period_code="1402") -> str:
    return grid_url(data_set, area, period_code) + "cell/"


def post_cell(client, data_set, area, indicator, value, *, breakdown="", version=0, **extra):
    """Leave a cell of the grid as htmx does: post it and get the cell back."""
    return client.post(
        cell_url(data_set, area),
        {
            "indicator": indicator.code,
            "breakdown": breakdown,
            "value": value,
            "comment": extra.pop("comment", ""),
            "version": version,
        },
        HTTP_HX_REQUEST="true",
        **extra,
    )


def row_of(html: str, indicator, breakdown: str = "total") -> str:
    """Return the markup of one row of the grid (or of a cell response)."""
    match = re.search(
        rf'<form[^>]*data-indicator="{indicator.code}" data-breakdown="{breakdown}".*?</form>',
        html,
        re.S,
    )
    assert match, f"no row for {indicator.code}/{breakdown}"
    return match.group(0)


def input_value(row: str) -> str:
    return re.search(r'name="value"[^>]*value="([^"]*)"', row, re.S).group(1)


def stored(indicator, area, period_code="1402", breakdown="total"):
    return IndicatorValue.objects.filter(
        indicator=indicator, area=area, period__code=period_code, breakdown__code=breakdown
    ).first()


def set_value(indicator, area, value, period_code="1402", breakdown=None, actor=None):
    return actions.set_value(
        actor=actor,
        indicator=indicator,
        area=area,
        period=Period.objects.get(code=period_code),
        breakdown=Breakdown.objects.get(code=breakdown) if breakdown else None,
        value=value,
    )


# -- Typing figures --------------------------------------------------------------------------


def test_a_figure_typed_with_persian_digits_is_saved_and_shown_back(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)

    response = post_cell(client, data_set, neighborhoods.n1, catalogue.households, "۱٬۲۳۴")

    assert response.status_code == 200
    assert stored(catalogue.households, neighborhoods.n1).value == Decimal(1234)
    cell = row_of(response.content.decode(), catalogue.households)
    assert 'data-state="saved"' in cell
    assert "bi-check-lg" in cell
    assert input_value(cell) == "۱٬۲۳۴"
    assert 'name="version" value="1"' in cell
    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
    assert input_value(row_of(page, catalogue.households)) == "۱٬۲۳۴"


def test_the_saved_mark_is_read_out_as_saved(
    client, login, people, neighborhoods, data_set, catalogue
):
    in_english(client)
    login(people.secretary)
    cell = post_cell(client, data_set, neighborhoods.n1, catalogue.households, "12").content
    assert '<span class="visually-hidden">saved</span>' in cell.decode()


def test_a_percent_with_a_persian_decimal_separator_is_saved(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    post_cell(client, data_set, neighborhoods.n1, catalogue.literacy, "۱۲٫۵")
    assert stored(catalogue.literacy, neighborhoods.n1).value == Decimal("12.5")
    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
    assert input_value(row_of(page, catalogue.literacy)) == "۱۲٫۵"


def test_a_breakdown_is_saved_in_its_own_cell(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    response = post_cell(
        client, data_set, neighborhoods.n1, catalogue.population, "520", breakdown="female"
    )
    assert response.status_code == 200
    assert stored(catalogue.population, neighborhoods.n1, breakdown="female").value == 520
    assert stored(catalogue.population, neighborhoods.n1) is None


def test_the_comment_is_saved_with_the_figure(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    post_cell(client, data_set, neighborhoods.n1, catalogue.households, "40", comment="شمارش ۱۴۰۲")
    value = stored(catalogue.households, neighborhoods.n1)
    assert value.comment == "شمارش 1402"
    assert value.entered_by == people.secretary


def test_clearing_a_cell_deletes_the_figure(
    client, login, people, neighborhoods, data_set, catalogue
):
    value = set_value(catalogue.households, neighborhoods.n1, "40")
    login(people.secretary)

    response = post_cell(
        client, data_set, neighborhoods.n1, catalogue.households, "", version=value.version
    )

    assert response.status_code == 200
    assert 'data-state="saved"' in response.content.decode()
    assert stored(catalogue.households, neighborhoods.n1) is None
    assert ValueChange.objects.filter(new_value__isnull=True).count() == 1


def test_a_yes_or_no_figure_is_a_choice(client, login, people, neighborhoods, data_set, catalogue):
    login(people.secretary)
    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
    assert '<select name="value"' in row_of(page, catalogue.has_park)
    post_cell(client, data_set, neighborhoods.n1, catalogue.has_park, "1")
    assert stored(catalogue.has_park, neighborhoods.n1).value == 1


def test_a_plain_form_post_saves_and_goes_back_to_the_grid(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    response = client.post(
        cell_url(data_set, neighborhoods.n1),
        {"indicator": "households", "breakdown": "total", "value": "۷۵", "version": "0"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(grid_url(data_set, neighborhoods.n1))
    assert stored(catalogue.households, neighborhoods.n1).value == 75


def test_a_plain_form_post_with_a_bad_value_says_why_after_the_redirect(
    client, login, people, neighborhoods, data_set, catalogue
):
    in_english(client)
    login(people.secretary)
    response = client.post(
        cell_url(data_set, neighborhoods.n1),
        {"indicator": "households", "value": "many", "version": "0"},
        follow=True,
    )
    assert "«many» is not a number." in response.content.decode()
    assert stored(catalogue.households, neighborhoods.n1) is None


# -- Seeing the previous period --------------------------------------------------------------


def test_the_previous_periods_figure_is_shown_beside_the_input(
    client, login, people, neighborhoods, data_set, catalogue
):
    set_value(catalogue.households, neighborhoods.n1, "900", period_code="1401")
    set_value(catalogue.population, neighborhoods.n1, "410", period_code="1401", breakdown="male")
    login(people.secretary)

    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()

    households = row_of(page, catalogue.households)
    assert re.search(r"data-previous>۹۰۰<", households)
    assert input_value(households) == ""
    assert re.search(r"data-previous>۴۱۰<", row_of(page, catalogue.population, "male"))
    assert "۱۴۰۱" in page


def test_a_census_with_no_figures_the_year_before_has_no_previous_column(
    client, login, people, neighborhoods, data_set, catalogue
):
    # Censuses are years apart: 1401 was not one, so 1402 stands alone.
    set_value(catalogue.households, neighborhoods.n1, "900", period_code="1395")
    login(people.secretary)

    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()

    assert "data-previous" not in page
    assert "قبلی" not in page


def test_a_calculated_figure_is_shown_computed_and_cannot_be_entered(
    client, login, people, neighborhoods, data_set, catalogue
):
    set_value(catalogue.unemployed, neighborhoods.n1, "10")
    set_value(catalogue.active, neighborhoods.n1, "200")
    login(people.secretary)

    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()

    rate = row_of(page, catalogue.unemployment_rate)
    assert 'name="value"' not in rate
    assert "۵٫۰٪" in rate
    in_english(client)
    response = post_cell(client, data_set, neighborhoods.n1, catalogue.unemployment_rate, "5")
    assert "A calculated figure is not entered." in response.content.decode()
    assert stored(catalogue.unemployment_rate, neighborhoods.n1) is None


def test_the_breakdowns_follow_their_total_grouped_by_dimension(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
    order = re.findall(r'data-indicator="population" data-breakdown="([^"]+)"', page)
    assert order[:3] == ["total", "male", "female"]
    assert order[3] == "age-0-4"
    assert order[-1] == "age-100-plus"
    assert len(order) == 1 + 2 + 21
    households = re.findall(r'data-indicator="households" data-breakdown="([^"]+)"', page)
    assert households == ["total"]


def test_inputs_are_for_decimal_keyboards_and_large_enough_to_tap(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    row = row_of(
        client.get(grid_url(data_set, neighborhoods.n1)).content.decode(), catalogue.households
    )
    assert 'inputmode="decimal"' in row
    assert "form-control-lg" in row
    assert 'hx-trigger="change"' in row
    # Stacked on a phone (label, input, previous value), side by side from md up.
    assert "col-12 col-md-4" in row and "col-7 col-md-3" in row


# -- Being told what is wrong ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "typed", "message"),
    [
        ("households", "many", "«many» is not a number."),
        ("households", "-3", "A count cannot be negative."),
        ("households", "2.5", "A count is a whole number, not 2.5."),
        ("literacy", "150", "A percentage lies between 0 and 100, not 150."),
        ("satisfaction", "11", "11 is above the largest plausible value, 10."),
    ],
)
def test_a_bad_value_gives_the_message_keeps_what_was_typed_and_stores_nothing(
    client, login, people, neighborhoods, data_set, catalogue, indicator, typed, message
):
    in_english(client)
    login(people.secretary)
    indicator = getattr(catalogue, indicator)
    events = AuditEvent.objects.count()

    response = post_cell(client, data_set, neighborhoods.n1, indicator, typed)

    assert response.status_code == 200
    cell = row_of(response.content.decode(), indicator)
    assert message in cell
    assert 'data-state="error"' in cell
    assert "is-invalid" in cell and 'aria-invalid="true"' in cell
    assert input_value(cell) == typed
    assert not IndicatorValue.objects.exists()
    assert not ValueChange.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_stale_version_shows_the_conflict_and_keeps_the_other_persons_value(
    client, login, people, neighborhoods, data_set, catalogue
):
    in_english(client)
    login(people.secretary)
    post_cell(client, data_set, neighborhoods.n1, catalogue.households, "100")
    seen = stored(catalogue.households, neighborhoods.n1).version
    # Meanwhile the district's manager corrects the figure.
    set_value(catalogue.households, neighborhoods.n1, "200", actor=people.tehran_manager)

    response = post_cell(
        client, data_set, neighborhoods.n1, catalogue.households, "150", version=seen
    )

    cell = row_of(response.content.decode(), catalogue.households)
    assert "Someone else changed this figure; the stored value is 200." in cell
    assert 'data-state="conflict"' in cell
    assert input_value(cell) == "150"
    current = stored(catalogue.households, neighborhoods.n1)
    assert current.value == 200
    assert f'name="version" value="{current.version}"' in cell
    # Saving again, knowingly, from the version now shown, overwrites it.
    post_cell(
        client, data_set, neighborhoods.n1, catalogue.households, "150", version=current.version
    )
    assert stored(catalogue.households, neighborhoods.n1).value == 150


def test_a_figure_cleared_meanwhile_is_reported_not_recreated(
    client, login, people, neighborhoods, data_set, catalogue
):
    value = set_value(catalogue.households, neighborhoods.n1, "100")
    set_value(catalogue.households, neighborhoods.n1, "")
    in_english(client)
    login(people.secretary)

    response = post_cell(
        client, data_set, neighborhoods.n1, catalogue.households, "150", version=value.version
    )

    assert "Someone else cleared this figure meanwhile." in response.content.decode()
    assert stored(catalogue.households, neighborhoods.n1) is None


@pytest.mark.parametrize(
    "data",
    [
        {"indicator": "nonexistent", "value": "1", "version": "0"},
        {"indicator": "households", "breakdown": "nonexistent", "value": "1", "version": "0"},
        {"indicator": "households", "value": "1", "version": "x"},
        {"indicator": "households", "value": "1"},
        {"value": "1", "version": "0"},
    ],
)
def test_a_tampered_cell_gets_400_and_stores_nothing(
    client, login, people, neighborhoods, data_set, data
):
    login(people.secretary)
    response = client.post(cell_url(data_set, neighborhoods.n1), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert not IndicatorValue.objects.exists()


def test_an_indicator_outside_the_data_set_gets_400(
    client, login, people, neighborhoods, data_set, catalogue
):
    data_set.indicators.remove(catalogue.satisfaction)
    login(people.secretary)
    response = post_cell(client, data_set, neighborhoods.n1, catalogue.satisfaction, "5")
    assert response.status_code == 400


def test_a_breakdown_the_indicator_is_not_given_by_gets_400(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    response = post_cell(
        client, data_set, neighborhoods.n1, catalogue.households, "5", breakdown="female"
    )
    assert response.status_code == 400
    assert not IndicatorValue.objects.exists()


# -- Entering only where one may -------------------------------------------------------------


def test_the_secretary_enters_figures_for_a_neighborhood_of_district_6(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    page = client.get(grid_url(data_set, neighborhoods.n2))
    assert page.status_code == 200
    assert 'name="value"' in row_of(page.content.decode(), catalogue.households)
    assert (
        post_cell(client, data_set, neighborhoods.n2, catalogue.households, "3").status_code == 200
    )
    assert stored(catalogue.households, neighborhoods.n2).value == 3


def test_the_secretary_gets_404_for_the_isfahan_neighborhood(
    client, login, people, neighborhoods, data_set, catalogue
):
    login(people.secretary)
    assert client.get(grid_url(data_set, neighborhoods.isfahan)).status_code == 404
    response = post_cell(client, data_set, neighborhoods.isfahan, catalogue.households, "3")
    assert response.status_code == 404
    assert not IndicatorValue.objects.exists()


def test_an_analyst_sees_the_grid_read_only_and_a_post_gets_403(
    client, login, people, neighborhoods, data_set, catalogue
):
    set_value(catalogue.households, neighborhoods.n1, "1234")
    in_english(client)
    login(people.tehran_analyst)

    page = client.get(grid_url(data_set, neighborhoods.n1))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="value"' not in html
    assert 'name="comment"' not in html
    assert "You may read these figures but not enter them." in html
    assert "1,234" in row_of(html, catalogue.households)
    response = post_cell(client, data_set, neighborhoods.n1, catalogue.households, "5")
    assert response.status_code == 403
    assert stored(catalogue.households, neighborhoods.n1).value == 1234


def test_a_focal_point_enters_only_the_figures_of_their_own_agency(
    client, login, people, neighborhoods, data_set, catalogue, organizations
):
    other = actions.create_indicator(
        actor=None,
        code="pensioners",
        name_fa="مستمری‌بگیران",
        value_type="count",
        category=catalogue.households.category,
        owner=organizations.welfare_tehran,
    )
    data_set.indicators.add(other)
    login(people.focal_point)

    page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()

    assert 'name="value"' in row_of(page, catalogue.households)
    assert 'name="value"' not in row_of(page, other)
    assert post_cell(client, data_set, neighborhoods.n1, other, "3").status_code == 403


@pytest.mark.parametrize(
    "address",
    [
        "/indicators/entry/neighborhood-profile/{district}/1402/",  # not a neighborhood
        "/indicators/entry/neighborhood-profile/{n1}/1402Q1/",  # not a year
        "/indicators/entry/neighborhood-profile/{n1}/abcd/",
        "/indicators/entry/neighborhood-profile/{n1}/1300/",
        "/indicators/entry/neighborhood-profile/999999999/1402/",
        "/indicators/entry/nonexistent/{n1}/1402/",
        "/indicators/entry/neighborhood-profile/99999999999999999999/1402/",
    ],
)
def test_an_address_that_does_not_fit_the_data_set_gets_404(
    client, login, people, neighborhoods, areas, data_set, address
):
    login(people.admin)
    url = address.format(district=areas.district6.pk, n1=neighborhoods.n1.pk)
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url + "cell/", {"indicator": "households", "value": "1", "version": "0"}
        ).status_code
        == 404
    )


def test_a_period_with_persian_digits_in_the_address_is_understood(
    client, login, people, neighborhoods, data_set
):
    login(people.secretary)
    assert client.get(grid_url(data_set, neighborhoods.n1, "۱۴۰۲")).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, neighborhoods, data_set):
    response = client.get(grid_url(data_set, neighborhoods.n1))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_grid_makes_the_same_number_of_queries_however_many_indicators(
    client, login, people, neighborhoods, data_set, catalogue, count_queries
):
    set_value(catalogue.households, neighborhoods.n1, "10")
    set_value(catalogue.households, neighborhoods.n1, "9", period_code="1401")
    login(people.secretary)
    url = grid_url(data_set, neighborhoods.n1)
    client.get(url)
    many = count_queries(lambda: client.get(url))
    # Fewer indicators, with a rule between them still checked (no rule reads nothing).
    data_set.indicators.set([catalogue.households, catalogue.unemployed, catalogue.active])
    few = count_queries(lambda: client.get(url))
    assert many == few
    # 16 for the figures, 8 for the form's completion and its broken rules, 2 for the recent
    # periods and how far each is entered.
    assert many <= 26


# -- Choosing what to enter ------------------------------------------------------------------


def test_the_start_page_lists_the_data_sets_and_preselects_one(
    client, login, people, neighborhoods, data_set
):
    login(people.secretary)
    assert "neighborhood-profile" in client.get("/indicators/entry/").content.decode()
    page = client.get("/indicators/entry/", {"data_set": data_set.code}).content.decode()
    assert re.search(r'<option value="neighborhood-profile" selected', page)
    # Areas of the data set's level only, periods of its type labelled the Jalali way.
    assert f'<option value="{neighborhoods.n1.pk}"' in page
    assert f'<option value="{neighborhoods.isfahan.pk}"' not in page
    latest = offered_periods("year")[0]
    assert latest.code in page
    assert re.search(rf'<option value="{latest.code}"[^>]*>{latest.name}[^<]*</option>', page)
    assert 'value="1402Q1"' not in page


def test_the_start_page_goes_to_the_grid(client, login, people, neighborhoods, data_set):
    login(people.secretary)
    year = offered_periods("year")[1].code
    response = client.get(
        "/indicators/entry/",
        {"data_set": data_set.code, "area": neighborhoods.n2.pk, "period": year},
    )
    assert response.status_code == 302
    assert response["Location"] == grid_url(data_set, neighborhoods.n2, year)


@pytest.mark.parametrize(
    "query",
    [
        {"data_set": "nonexistent"},
        {"data_set": "neighborhood-profile", "area": "abc", "period": "zzz"},
        {"data_set": "neighborhood-profile", "area": "999999", "period": "1402"},
        {"data_set": ["neighborhood-profile", "x"], "area": "1"},
    ],
)
def test_a_tampered_start_form_is_answered_with_its_errors(
    client, login, people, neighborhoods, data_set, query
):
    login(people.secretary)
    response = client.get("/indicators/entry/", query)
    assert response.status_code == 200


def test_the_start_page_does_not_offer_areas_outside_the_users_scope(
    client, login, people, neighborhoods, data_set
):
    login(people.secretary)
    response = client.get(
        "/indicators/entry/",
        {"data_set": data_set.code, "area": neighborhoods.isfahan.pk, "period": "1402"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_a_user_without_a_grant_gets_403_on_the_start_page(client, login, people):
    login(people.nobody)
    assert client.get("/indicators/entry/").status_code == 403


def test_the_start_page_opens_on_the_period_partly_entered_and_says_how_far(
    client, login, people, neighborhoods, data_set, catalogue
):
    from barzan.indicators.entry_forms import offered_periods

    partial = offered_periods("year")[2]
    set_value(catalogue.households, neighborhoods.n1, "10", period_code=partial.code)
    login(people.secretary)
    form = client.get("/indicators/entry/", {"data_set": data_set.code}).context["form"]
    assert form.initial["period"] == partial.code
    labels = dict(form.fields["period"].choices)
    assert labels[partial.code] != partial.name
    assert labels[offered_periods("year")[0].code].startswith(offered_periods("year")[0].name)


def test_the_progress_counts_every_area_and_indicator_the_user_may_enter(
    people, neighborhoods, data_set, catalogue
):
    from barzan.indicators.entry_periods import period_progress

    year = Period.objects.get(code="1402")
    set_value(catalogue.households, neighborhoods.n1, "10")
    set_value(catalogue.households, neighborhoods.isfahan, "10")
    [item] = period_progress(people.secretary, data_set, [year])
    enterable = data_set.indicators.filter(kind="measured", is_active=True).count()
    # District 6's three neighborhoods, not Isfahan's; the Isfahan figure is not counted.
    assert (item.entered, item.expected) == (1, 3 * enterable)
    [focal] = period_progress(people.focal_point, data_set, [year])
    owned = data_set.indicators.filter(
        kind="measured", is_active=True, owner=catalogue.households.owner
    ).count()
    assert focal.expected == 3 * owned
