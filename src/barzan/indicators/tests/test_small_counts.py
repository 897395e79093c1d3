"""
Small counts stay hidden in every view, as the security test found them leaking (issue 9,
finding 5): in the audit event's before and after, in the entry grid, through a calculated
indicator that divides by one, and by subtracting the visible children from their parent.
"""

import csv
import io
import re
from decimal import Decimal

import pytest

from barzan.audit.models import AuditEvent
from barzan.geo.models import AreaLevel
from barzan.indicators import actions, readers
from barzan.indicators.models import IndicatorValue, Period

pytestmark = pytest.mark.django_db

API = "/api/v1/indicators"
SMALL_COMMENT = "سه خانوار تحت پوشش"


def put(indicator, area, value, *, period="1402", breakdown=None, actor=None, comment=""):
    from barzan.indicators.models import Breakdown

    return actions.set_value(
        actor=actor,
        indicator=indicator,
        area=area,
        period=Period.objects.get(code=period),
        breakdown=Breakdown.objects.get(code=breakdown) if breakdown else None,
        value=value,
        comment=comment,
    )


def page(client, url, language="en"):
    client.cookies["barzan_language"] = language
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def api_items(client, path, **query) -> list[dict]:
    response = client.get(path, query)
    assert response.status_code == 200, response.content
    return response.json()["items"]


# -- the audit log ------------------------------------------------------------------------


@pytest.fixture
def small_entry(people, catalogue, neighborhoods):
    """The focal point of the owning agency enters 3 households in N1, with a comment."""
    put(
        catalogue.households,
        neighborhoods.n1,
        "3",
        actor=people.focal_point,
        comment=SMALL_COMMENT,
    )
    return AuditEvent.objects.filter(verb=actions.VALUE_SET).latest("id")


class TestAuditLog:
    @pytest.mark.parametrize("who", ["tehran_manager", "admin"])
    def test_a_manager_sees_the_small_count_of_an_audit_event_as_hidden(
        self, client, login, people, small_entry, who
    ):
        login(getattr(people, who))
        html = page(client, f"/audit/{small_entry.pk}/")
        changes = html[html.index("What changed") :]
        assert ">3<" not in changes
        assert SMALL_COMMENT not in html
        assert "data-hidden" in changes
        assert ">hidden<" in changes

    def test_the_audit_event_reads_hidden_in_persian(self, client, login, people, small_entry):
        login(people.tehran_manager)
        html = page(client, f"/audit/{small_entry.pk}/", language="fa")
        changes = html[html.index("data-hidden") - 400 :]
        assert "پنهان" in changes
        assert ">۳<" not in changes and ">3<" not in changes

    def test_the_audit_api_blanks_the_small_count_and_its_comment(
        self, client, login, people, small_entry
    ):
        login(people.tehran_manager)
        event = client.get(f"/api/v1/audit-events/{small_entry.pk}").json()
        assert event["after"]["value"] is None
        assert event["after"]["comment"] is None
        assert event["after"]["indicator"] == "households"
        assert event["hidden_fields"] == ["after.comment", "after.value"]
        listed = api_items(client, "/api/v1/audit-events/", limit=500)
        mine = next(item for item in listed if item["id"] == small_entry.pk)
        assert mine["after"]["value"] is None
        assert all(value not in (3, "3", "3.0") for value in mine["after"].values())

    def test_changing_a_small_count_hides_the_before_and_shows_a_large_after(
        self, client, login, people, catalogue, neighborhoods, small_entry
    ):
        put(catalogue.households, neighborhoods.n1, "40", actor=people.focal_point)
        event = AuditEvent.objects.filter(verb=actions.VALUE_SET).latest("id")
        login(people.tehran_manager)
        body = client.get(f"/api/v1/audit-events/{event.pk}").json()
        assert body["before"]["value"] is None
        assert body["after"]["value"] == "40"
        assert body["hidden_fields"] == ["before.comment", "before.value"]

    def test_clearing_a_small_count_keeps_it_hidden(
        self, client, login, people, catalogue, neighborhoods, small_entry
    ):
        put(catalogue.households, neighborhoods.n1, "", actor=people.focal_point)
        event = AuditEvent.objects.filter(verb=actions.VALUE_CLEARED).latest("id")
        login(people.tehran_manager)
        body = client.get(f"/api/v1/audit-events/{event.pk}").json()
        assert body["before"]["value"] is None

    def test_a_large_count_is_shown_in_the_audit_event(
        self, client, login, people, catalogue, neighborhoods
    ):
        put(catalogue.households, neighborhoods.n1, "40", actor=people.focal_point)
        event = AuditEvent.objects.filter(verb=actions.VALUE_SET).latest("id")
        login(people.tehran_manager)
        body = client.get(f"/api/v1/audit-events/{event.pk}").json()
        assert body["after"]["value"] == "40"
        assert body["hidden_fields"] == []
        assert ">40<" in page(client, f"/audit/{event.pk}/")

    def test_other_audit_events_are_untouched(self, client, login, people, catalogue):
        event = AuditEvent.objects.filter(verb=actions.INDICATOR_CREATED).first()
        login(people.admin)
        body = client.get(f"/api/v1/audit-events/{event.pk}").json()
        assert body["hidden_fields"] == []
        assert body["after"]["code"]


# -- the entry grid -----------------------------------------------------------------------


@pytest.fixture
def data_set(catalogue):
    return actions.create_data_set(
        actor=None,
        code="neighborhood-profile",
        name_fa="شناسنامه محله",
        name_en="Neighborhood profile",
        level=AreaLevel.objects.get(code="neighborhood"),
        period_type="year",
        owner=catalogue.owner,
        indicators=[catalogue.households, catalogue.population],
    )


def grid_url(data_set, area) -> str:
    return f"/indicators/entry/{data_set.code}/{area.pk}/1402/"


def households_row(html: str) -> str:
    match = re.search(
        r'<form[^>]*data-indicator="households" data-breakdown="total".*?</form>', html, re.S
    )
    assert match, "no households row"
    return match.group(0)


class TestEntryGrid:
    @pytest.fixture(autouse=True)
    def _small(self, catalogue, neighborhoods, people):
        put(catalogue.households, neighborhoods.n1, "3", comment=SMALL_COMMENT)
        put(catalogue.households, neighborhoods.n1, "2", period="1401")

    def test_the_secretary_sees_a_stored_small_count_as_less_than_five(
        self, client, login, people, neighborhoods, data_set
    ):
        login(people.secretary)
        row = households_row(page(client, grid_url(data_set, neighborhoods.n1)))
        assert 'value=""' in row
        assert 'placeholder="&lt;5"' in row
        assert 'value="3"' not in row
        assert SMALL_COMMENT not in row
        # The previous period's small count too.
        assert re.search(r"data-previous>&lt;5<", row)

    def test_the_secretary_sees_it_in_persian_as_fewer_than_five(
        self, client, login, people, neighborhoods, data_set
    ):
        login(people.secretary)
        row = households_row(page(client, grid_url(data_set, neighborhoods.n1), "fa"))
        assert 'placeholder="کمتر از ۵"' in row
        assert "۳" not in row and 'value="3"' not in row

    def test_the_owners_focal_point_sees_the_number(
        self, client, login, people, neighborhoods, data_set
    ):
        login(people.focal_point)
        row = households_row(page(client, grid_url(data_set, neighborhoods.n1)))
        assert 'value="3"' in row
        assert SMALL_COMMENT in row

    def test_saving_an_empty_input_over_a_hidden_count_keeps_it(
        self, client, login, people, catalogue, neighborhoods, data_set
    ):
        login(people.secretary)
        stored = IndicatorValue.objects.get(indicator=catalogue.households, period__code="1402")
        response = client.post(
            grid_url(data_set, neighborhoods.n1) + "cell/",
            {"indicator": "households", "breakdown": "", "value": "", "comment": "",
             "version": stored.version, "masked": "1"},
            HTTP_HX_REQUEST="true",
        )  # fmt: skip
        assert response.status_code == 200
        stored.refresh_from_db()
        assert stored.value == 3
        assert stored.comment == SMALL_COMMENT
        assert 'value="3"' not in response.content.decode()

    def test_a_new_small_count_typed_by_the_secretary_is_saved_and_not_echoed(
        self, client, login, people, catalogue, neighborhoods, data_set
    ):
        login(people.secretary)
        stored = IndicatorValue.objects.get(indicator=catalogue.households, period__code="1402")
        response = client.post(
            grid_url(data_set, neighborhoods.n1) + "cell/",
            {"indicator": "households", "breakdown": "", "value": "4", "comment": "",
             "version": stored.version, "masked": "1"},
            HTTP_HX_REQUEST="true",
        )  # fmt: skip
        html = response.content.decode()
        stored.refresh_from_db()
        assert stored.value == 4
        assert "data-saved" in html
        assert 'value="4"' not in html and 'value="3"' not in html


# -- a calculated indicator over a small count --------------------------------------------


@pytest.fixture
def per_person(people, catalogue, organizations):
    """What the manager defined: households ÷ population, owned by another agency."""
    return actions.create_indicator(
        actor=people.tehran_manager,
        code="households_per_person",
        name_fa="خانوار به ازای هر نفر",
        name_en="Households per person",
        category=catalogue.population.category,
        owner=organizations.welfare_tehran,
        value_type="number",
        aggregation="none",
        kind="calculated",
        numerator=catalogue.households,
        denominator=catalogue.population,
        factor=Decimal(1),
        is_key=True,
    )


class TestCalculatedOverASmallCount:
    @pytest.fixture(autouse=True)
    def _figures(self, catalogue, neighborhoods):
        # 3 people and 40 households: 13.33 households a person gives the 3 away.
        put(catalogue.households, neighborhoods.n1, "40")
        put(catalogue.population, neighborhoods.n1, "3")

    def levels(self, areas, neighborhoods):
        return [
            neighborhoods.n1,
            areas.district6,
            areas.tehran_city,
            areas.tehran_county,
            areas.tehran,
            areas.country,
        ]

    def test_the_ratio_is_hidden_from_non_owners_at_every_level(
        self, people, areas, neighborhoods, per_person
    ):
        period = Period.objects.get(code="1402")
        levels = self.levels(areas, neighborhoods)
        for who in ("tehran_manager", "admin", "tehran_analyst"):
            user = getattr(people, who)
            found = readers.figures(
                user=user, indicators=[per_person], areas=levels, periods=[period]
            )
            viewer = readers.display.viewer_of(user)
            # A grant over Tehran does not reach the country.
            for area in levels if who == "admin" else levels[:-1]:
                figure = found[(per_person.pk, area.pk, period.pk, readers.total_breakdown_id())]
                assert figure.value == Decimal(40) / Decimal(3)
                assert readers.display.is_hidden(per_person, figure, viewer) is True, (who, area)

    def test_the_owner_of_the_count_sees_the_ratio(
        self, people, neighborhoods, per_person, english
    ):
        period = Period.objects.get(code="1402")
        found = readers.figures(
            user=people.focal_point, indicators=[per_person], areas=[neighborhoods.n1],
            periods=[period],
        )  # fmt: skip
        figure = found[
            (per_person.pk, neighborhoods.n1.pk, period.pk, readers.total_breakdown_id())
        ]
        viewer = readers.display.viewer_of(people.focal_point)
        assert readers.display.show(per_person, figure, viewer) == "13.33"

    def test_the_api_suppresses_the_ratio_at_every_level(
        self, client, login, people, areas, neighborhoods, per_person
    ):
        login(people.admin)
        for area in self.levels(areas, neighborhoods):
            response = client.get(
                f"{API}/aggregates",
                {"indicator": per_person.code, "area": area.pk, "periods": "1402"},
            )
            item = response.json()["items"][0]
            assert item["suppressed"] is True, area
            assert item["value"] is None

    def test_the_profile_shows_less_than_five_for_the_ratio(
        self, client, login, people, areas, neighborhoods, per_person
    ):
        login(people.tehran_manager)
        for language, label in (("en", "&lt;5"), ("fa", "کمتر از ۵")):
            html = page(client, f"/indicators/profile/{areas.district6.pk}/", language)
            row = re.search(rf'<tr data-indicator="{per_person.code}">(.*?)</tr>', html, re.S)
            assert row, "no row for the ratio"
            shown = re.search(r'<span class="profile-value[^"]*">(.*?)</span>', row.group(1), re.S)
            assert shown.group(1).strip() == label
            assert "13.3" not in row.group(1) and "۱۳٫۳" not in row.group(1)

    def test_the_profile_api_suppresses_the_ratio(
        self, client, login, people, neighborhoods, per_person
    ):
        login(people.tehran_manager)
        body = client.get(f"{API}/areas/{neighborhoods.n1.pk}/profile").json()
        rows = [row for section in body["sections"] for row in section["rows"]]
        ratio = next(row for row in rows if row["indicator"] == per_person.code)
        assert ratio["suppressed"] is True
        assert ratio["value"] is None
        assert all(point["value"] is None for point in ratio["series"])


# -- differencing: a parent's total minus its visible children ---------------------------


@pytest.fixture
def district(catalogue, neighborhoods):
    """Households in district 6: 3 in N1 (hidden), 40 in N2, 12 in N3; the district's roll-up
    is 55, so 55 − 40 − 12 would give the 3 away. Population of N2 by sex: 3 men of 300."""
    put(catalogue.households, neighborhoods.n1, "3")
    put(catalogue.households, neighborhoods.n2, "40")
    put(catalogue.households, neighborhoods.n3, "12")
    put(catalogue.population, neighborhoods.n2, "300")
    put(catalogue.population, neighborhoods.n2, "3", breakdown="male")
    put(catalogue.population, neighborhoods.n2, "297", breakdown="female")
    return catalogue


def by_area(items: list[dict]) -> dict[str, dict]:
    return {(item["area_code"], item["breakdown"]): item for item in items}


class TestDifferencing:
    def test_the_api_hides_the_smallest_visible_sibling_beside_a_hidden_one(
        self, client, login, people, areas, district
    ):
        login(people.tehran_manager)
        values = by_area(
            api_items(
                client, f"{API}/values", area=areas.district6.pk, below="true",
                indicator="households",
            )
        )  # fmt: skip
        assert values[("N1", "total")]["suppressed"] is True
        assert values[("N3", "total")]["suppressed"] is True
        assert values[("N3", "total")]["value"] is None
        assert values[("N2", "total")]["value"] == "40"
        total = client.get(
            f"{API}/aggregates",
            {"indicator": "households", "area": areas.district6.pk, "periods": "1402"},
        ).json()["items"][0]
        assert total["value"] == "55"
        # 55 − 40 leaves 15 for two hidden figures: neither can be told.

    def test_the_other_breakdown_part_is_hidden_beside_a_hidden_one(
        self, client, login, people, neighborhoods, district
    ):
        login(people.tehran_manager)
        values = by_area(
            api_items(client, f"{API}/values", area=neighborhoods.n2.pk, indicator="population")
        )
        assert values[("N2", "total")]["value"] == "300"
        assert values[("N2", "male")]["suppressed"] is True
        assert values[("N2", "female")]["suppressed"] is True

    def test_the_export_hides_the_same_figures(self, client, login, people, areas, district):
        login(people.tehran_manager)
        response = client.get(
            "/indicators/export/",
            {"format": "csv", "area": areas.district6.pk, "below": "on", "period": "1402"},
        )
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = {
            (row["indicator"], row["area"], row["breakdown"]): row["value"]
            for row in csv.DictReader(io.StringIO(content))
        }
        assert rows[("households", "N1", "")] == "<5"
        assert rows[("households", "N3", "")] == "<5"
        assert rows[("households", "N2", "")] == "40"
        assert rows[("population", "N2", "male")] == "<5"
        assert rows[("population", "N2", "female")] == "<5"
        assert rows[("population", "N2", "")] == "300"

    def test_the_withheld_sibling_is_hidden_on_its_own_profile_too(
        self, client, login, people, neighborhoods, district
    ):
        login(people.tehran_manager)
        for language, label in (("en", "&lt;5"), ("fa", "کمتر از ۵")):
            html = page(client, f"/indicators/profile/{neighborhoods.n3.pk}/", language)
            row = re.search(r'<tr data-indicator="households">(.*?)</tr>', html, re.S).group(1)
            shown = re.search(r'<span class="profile-value[^"]*">(.*?)</span>', row, re.S)
            assert shown.group(1).strip() == label
            assert ">12<" not in row and "۱۲" not in row

    def test_the_owner_sees_every_figure(self, client, login, people, areas, district):
        login(people.focal_point)
        values = by_area(
            api_items(
                client, f"{API}/values", area=areas.district6.pk, below="true",
                indicator="households",
            )
        )  # fmt: skip
        assert [values[(code, "total")]["value"] for code in ("N1", "N2", "N3")] == [
            "3",
            "40",
            "12",
        ]

    def test_without_a_hidden_sibling_nothing_is_withheld(
        self, client, login, people, areas, catalogue, neighborhoods
    ):
        put(catalogue.households, neighborhoods.n1, "30")
        put(catalogue.households, neighborhoods.n2, "40")
        put(catalogue.households, neighborhoods.n3, "12")
        login(people.tehran_manager)
        values = api_items(client, f"{API}/values", area=areas.district6.pk, below="true")
        assert not any(item["suppressed"] for item in values)


def test_a_visible_ratio_is_compared_with_its_parent_in_numbers(
    client, login, people, areas, catalogue, neighborhoods
):
    """A ratio of large counts and its parent's are both shown: so is their difference."""
    actions.update_indicator(
        actor=None, indicator=catalogue.unemployment_rate, version=None, is_key=True
    )
    put(catalogue.unemployed, neighborhoods.n1, "60")
    put(catalogue.active, neighborhoods.n1, "400")
    put(catalogue.unemployed, neighborhoods.n2, "20")
    put(catalogue.active, neighborhoods.n2, "400")
    # Every neighborhood reports, so the district's figure is a total to compare with.
    put(catalogue.unemployed, neighborhoods.n3, "40")
    put(catalogue.active, neighborhoods.n3, "400")
    login(people.tehran_manager)
    html = page(client, f"/indicators/profile/{neighborhoods.n1.pk}/")
    row = re.search(r'<tr data-indicator="unemployment_rate">(.*?)</tr>', html, re.S).group(1)
    assert "15.0%" in row
    assert "<bdi>5.0 percentage points</bdi> above" in row
    assert "&lt;5" not in row


def test_a_hidden_figure_has_no_rank_in_the_profile_api(
    client, login, people, catalogue, neighborhoods
):
    """Its rank among visible siblings would tell between which of them it lies."""
    put(catalogue.unemployed, neighborhoods.n1, "3")
    put(catalogue.unemployed, neighborhoods.n2, "40")
    put(catalogue.unemployed, neighborhoods.n3, "12")
    actions.update_indicator(actor=None, indicator=catalogue.unemployed, version=None, is_key=True)
    login(people.tehran_manager)
    for area, hidden in (
        (neighborhoods.n1, True),
        (neighborhoods.n3, True),
        (neighborhoods.n2, False),
    ):
        body = client.get(f"{API}/areas/{area.pk}/profile").json()
        rows = [row for section in body["sections"] for row in section["rows"]]
        row = next(row for row in rows if row["indicator"] == "unemployed")
        assert row["suppressed"] is hidden
        # (A count ranks per 1,000 residents among the siblings whose figure is shown: here
        # N2 would stand alone, so it has no rank either.)
        if hidden:
            assert row["rank"] is None


class TestDifferencingDownTheTree:
    """Shemiranat reports 3 households; Tehran county's 52 come from N1 (40) and N2 (12)
    three levels down. Withholding Tehran county in the province's table is not enough:
    its only city, that city's district and the district's neighborhoods would add up to
    it again, and 55 − 52 gives the 3 away."""

    @pytest.fixture(autouse=True)
    def _figures(self, catalogue, areas, neighborhoods):
        put(catalogue.households, areas.shemiranat, "3")
        put(catalogue.households, neighborhoods.n1, "40")
        put(catalogue.households, neighborhoods.n2, "12")

    def aggregate(self, client, area) -> dict:
        return client.get(
            f"{API}/aggregates", {"indicator": "households", "area": area.pk, "periods": "1402"}
        ).json()["items"][0]

    def test_the_province_total_stays_and_no_level_below_adds_up_to_the_withheld_county(
        self, client, login, people, areas, neighborhoods
    ):
        login(people.tehran_manager)
        assert self.aggregate(client, areas.tehran)["value"] == "55"
        for area in (areas.shemiranat, areas.tehran_county, areas.tehran_city, areas.district6):
            assert self.aggregate(client, area)["suppressed"] is True, area.code
        values = by_area(api_items(client, f"{API}/values", area=areas.tehran.pk, below="true"))
        assert values[("N1", "total")]["value"] == "40"
        assert values[("N2", "total")]["suppressed"] is True
        assert values[("2302", "total")]["suppressed"] is True

    def test_the_profile_of_a_neighborhood_agrees(self, client, login, people, neighborhoods):
        login(people.tehran_manager)
        html = page(client, f"/indicators/profile/{neighborhoods.n2.pk}/")
        row = re.search(r'<tr data-indicator="households">(.*?)</tr>', html, re.S).group(1)
        shown = re.search(r'<span class="profile-value[^"]*">(.*?)</span>', row, re.S)
        assert shown.group(1).strip() == "&lt;5"

    def test_the_owner_sees_every_level(self, client, login, people, areas):
        login(people.focal_point)
        assert self.aggregate(client, areas.tehran_county)["value"] == "52"
