"""Ending an area and everything below it: the action, its page and the API, and the flow
that replaces the demo's synthetic areas with real ones."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from barzan.audit.models import AuditEvent
from barzan.core.exceptions import ConcurrentEditError
from barzan.geo import importing
from barzan.geo.actions import AREA_ENDED, end_area, import_areas, update_area
from barzan.geo.models import Area, AreaCell
from barzan.geo.readers import locate
from barzan.geo.tests.shapes import feature_collection, load, square

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOWRUZ_1404 = datetime.date(2025, 3, 21)  # 1404/01/01


def load_synthetic(level, *features, parent=None) -> None:
    """Import (geometry, properties) pairs as the demo does: marked synthetic."""
    report = import_areas(
        actor=None,
        format=importing.GEOJSON,
        content=feature_collection(*features),
        source="demo.geojson",
        options=importing.Options(level=level, parent=parent),
        synthetic=True,
    )
    assert report.ok, report.problems


@pytest.fixture
def demo_district(areas, levels):
    """The demo's synthetic district 6 of Tehran (a 0.1° square) with two synthetic
    neighborhoods filling its south-west corner."""
    load_synthetic(levels["district"], (square(51.40, 35.70, 0.1), {"code": "2301021606"}))
    load_synthetic(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.05), {"code": "S1", "name_fa": "محلهٔ ساختگی ۱"}),
        (square(51.45, 35.70, 0.05), {"code": "S2", "name_fa": "محلهٔ ساختگی ۲"}),
        parent=areas.district6,
    )
    areas.district6.refresh_from_db()
    areas.s1 = Area.objects.get(code="S1")
    areas.s2 = Area.objects.get(code="S2")
    return areas


def current(*areas_) -> list[bool]:
    return [Area.objects.get(pk=area.pk).valid_to is None for area in areas_]


# -- The action ---------------------------------------------------------------------------


class TestEndArea:
    def test_the_area_and_every_current_area_below_it_end_on_the_date(self, demo_district):
        areas = demo_district
        below = end_area(
            actor=None, area=areas.district6, date=NOWRUZ_1404, reason="synthetic", version=None
        )
        assert sorted(area.code for area in below) == ["S1", "S2"]
        for area in (areas.district6, areas.s1, areas.s2):
            assert Area.objects.get(pk=area.pk).valid_to == NOWRUZ_1404
        assert current(areas.tehran_city, areas.tehran_county) == [True, True]

    def test_an_area_that_ended_before_keeps_its_own_date(self, demo_district):
        areas = demo_district
        earlier = datetime.date(2024, 3, 20)
        end_area(actor=None, area=areas.s1, date=earlier, reason="", version=None)
        end_area(actor=None, area=areas.district6, date=NOWRUZ_1404, reason="", version=None)
        assert Area.objects.get(pk=areas.s1.pk).valid_to == earlier

    def test_ended_areas_leave_the_spatial_index_and_are_no_longer_found(self, demo_district):
        areas = demo_district
        assert locate(35.72, 51.42).area == areas.s1
        end_area(actor=None, area=areas.district6, date=NOWRUZ_1404, reason="", version=None)
        assert not AreaCell.objects.filter(area__in=[areas.district6, areas.s1, areas.s2]).exists()
        assert locate(35.72, 51.42) is None

    def test_each_ended_area_gets_a_new_version(self, demo_district):
        areas = demo_district
        versions = {a.pk: a.version for a in Area.objects.filter(code__in=["S1", "S2"])}
        end_area(actor=None, area=areas.district6, date=NOWRUZ_1404, reason="", version=None)
        for area in Area.objects.filter(code__in=["S1", "S2"]):
            assert area.version == versions[area.pk] + 1

    def test_an_audit_event_names_the_reason_and_the_areas_below(self, demo_district, people):
        areas = demo_district
        end_area(
            actor=people.tehran_manager,
            area=areas.district6,
            date=NOWRUZ_1404,
            reason="Replaced by the municipality's districts",
            version=areas.district6.version,
        )
        event = AuditEvent.objects.get(verb=AREA_ENDED)
        assert event.actor == people.tehran_manager
        assert event.target_id == str(areas.district6.pk)
        assert event.reason == "Replaced by the municipality's districts"
        assert event.before["valid_to"] is None
        assert event.after["valid_to"] == "2025-03-21"
        assert event.after["ended_below_count"] == 2
        assert sorted(event.after["ended_below"]) == ["S1", "S2"]


class TestWhatIsRefused:
    def refused(self, message, **kwargs):
        before = list(Area.objects.order_by("pk").values_list("pk", "valid_to", "version"))
        with pytest.raises(ValidationError) as raised:
            end_area(**{"actor": None, "reason": "", "version": None, **kwargs})
        assert message in " ".join(raised.value.messages)
        after = list(Area.objects.order_by("pk").values_list("pk", "valid_to", "version"))
        assert after == before
        assert not AuditEvent.objects.filter(verb=AREA_ENDED).exists()

    def test_an_area_already_ended(self, demo_district):
        end_area(actor=None, area=demo_district.s1, date=NOWRUZ_1404, reason="", version=None)
        with pytest.raises(ValidationError, match="already ended on 1404/01/01"):
            end_area(actor=None, area=demo_district.s1, date=NOWRUZ_1404, reason="", version=None)

    def test_a_date_before_the_area_began(self, demo_district):
        areas = demo_district
        update_area(actor=None, area=areas.district6, version=None, valid_from=NOWRUZ_1404)
        self.refused(
            "began on 1404/01/01; it cannot end before that",
            area=areas.district6,
            date=NOWRUZ_1404 - datetime.timedelta(days=1),
        )

    def test_a_date_before_an_area_below_began(self, demo_district):
        areas = demo_district
        update_area(actor=None, area=areas.s2, version=None, valid_from=NOWRUZ_1404)
        self.refused(
            "below it, began on 1404/01/01, after this date",
            area=areas.district6,
            date=datetime.date(2025, 1, 1),
        )

    def test_a_date_to_come(self, demo_district):
        self.refused(
            "choose today or an earlier day",
            area=demo_district.district6,
            date=timezone.localdate() + datetime.timedelta(days=1),
        )

    def test_the_country(self, demo_district):
        self.refused(
            "The root of the tree (the country) cannot end.",
            area=demo_district.country,
            date=NOWRUZ_1404,
        )

    def test_a_stale_version(self, demo_district):
        areas = demo_district
        version = areas.district6.version
        update_area(actor=None, area=areas.district6, version=version, name_en="District 6")
        with pytest.raises(ConcurrentEditError):
            end_area(actor=None, area=areas.district6, date=NOWRUZ_1404, reason="", version=version)
        assert current(areas.district6, areas.s1) == [True, True]


class TestWhoMayEnd:
    def test_a_manager_of_the_parent_may_end_it(self, demo_district, people):
        end_area(
            actor=people.tehran_manager,
            area=demo_district.district6,
            date=NOWRUZ_1404,
            reason="",
            version=None,
        )
        assert current(demo_district.district6) == [False]

    @pytest.mark.parametrize("who", ["isfahan_manager", "tehran_analyst", "secretary"])
    def test_others_may_not(self, demo_district, people, who):
        with pytest.raises(PermissionDenied):
            end_area(
                actor=getattr(people, who),
                area=demo_district.district6,
                date=NOWRUZ_1404,
                reason="",
                version=None,
            )
        assert current(demo_district.district6, demo_district.s1) == [True, True]


# -- Replacing the demo's synthetic areas with real ones -----------------------------------


def test_ending_a_synthetic_district_lets_points_go_to_the_real_one(demo_district, levels):
    areas = demo_district
    # The municipality's real district, imported beside the synthetic one, over the same
    # ground; its neighborhoods are not drawn yet.
    load(
        levels["district"],
        (square(51.40, 35.70, 0.1), {"code": "2301021616", "name_fa": "منطقهٔ ۶ (واقعی)"}),
        parent=areas.tehran_city,
    )
    real = Area.objects.get(code="2301021616")
    point = (35.72, 51.42)
    # A synthetic neighborhood is still the lowest area holding the point.
    assert locate(*point).area == areas.s1

    end_area(actor=None, area=areas.district6, date=NOWRUZ_1404, reason="synthetic", version=None)

    found = locate(*point)
    assert found.area == real
    assert found.ancestors[-1] == areas.tehran_city


# -- The page ------------------------------------------------------------------------------


def in_english(client):
    client.cookies["barzan_language"] = "en"
    return client


class TestThePage:
    def test_the_area_page_offers_to_end_it_to_a_manager_only(
        self, client, login, people, demo_district
    ):
        url = f"/areas/{demo_district.district6.pk}/"
        login(people.tehran_manager)
        assert f"/areas/{demo_district.district6.pk}/end/" in client.get(url).content.decode()
        login(people.tehran_analyst)
        assert "/end/" not in client.get(url).content.decode()

    def test_the_form_says_how_many_areas_below_end_with_it(
        self, client, login, people, demo_district
    ):
        login(people.tehran_manager)
        response = client.get(f"/areas/{demo_district.district6.pk}/end/")
        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-below-count="2"' in content
        assert "۲" in content  # the count in Persian digits on the Persian page

    def test_the_form_in_english_names_the_count(self, client, login, people, demo_district):
        in_english(login(people.tehran_manager))
        content = client.get(f"/areas/{demo_district.district6.pk}/end/").content.decode()
        assert "2 current areas below" in content
        assert "End تهران 6 and the 2 current areas below it." in content

    def test_posting_the_form_ends_the_area_and_those_below(
        self, client, login, people, demo_district
    ):
        areas = demo_district
        login(people.tehran_manager)
        response = client.post(
            f"/areas/{areas.district6.pk}/end/",
            {
                "date": "۱۴۰۴/۰۱/۰۱",
                "reason": "جایگزین با مناطق واقعی",
                "confirm": "on",
                "version": areas.district6.version,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == f"/areas/{areas.district6.pk}/"
        assert current(areas.district6, areas.s1, areas.s2) == [False, False, False]
        assert AuditEvent.objects.get(verb=AREA_ENDED).reason == "جایگزین با مناطق واقعی"

    def test_without_the_confirmation_nothing_ends(self, client, login, people, demo_district):
        areas = demo_district
        login(people.tehran_manager)
        response = client.post(
            f"/areas/{areas.district6.pk}/end/", {"date": "1404/01/01", "reason": "x"}
        )
        assert response.status_code == 200
        assert "confirm" in response.context["form"].errors
        assert current(areas.district6) == [True]

    def test_a_date_before_the_start_is_a_form_error(self, client, login, people, demo_district):
        areas = demo_district
        update_area(actor=None, area=areas.district6, version=None, valid_from=NOWRUZ_1404)
        in_english(login(people.tehran_manager))
        response = client.post(
            f"/areas/{areas.district6.pk}/end/",
            {"date": "1403/12/01", "reason": "x", "confirm": "on"},
        )
        assert response.status_code == 200
        assert "cannot end before that" in response.context["form"].errors["date"][0]
        assert current(areas.district6) == [True]

    def test_outside_ones_province_the_page_is_404(self, client, login, people, demo_district):
        login(people.isfahan_manager)
        url = f"/areas/{demo_district.district6.pk}/end/"
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"date": "1404/01/01", "reason": "x", "confirm": "on"}).status_code
            == 404
        )
        assert current(demo_district.district6) == [True]

    def test_one_who_may_only_read_gets_403(self, client, login, people, demo_district):
        login(people.tehran_analyst)
        url = f"/areas/{demo_district.district6.pk}/end/"
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"date": "1404/01/01", "reason": "x", "confirm": "on"}).status_code
            == 403
        )
        assert current(demo_district.district6) == [True]

    def test_the_country_cannot_be_ended_from_its_page(self, client, login, people, demo_district):
        login(people.admin)
        assert client.get(f"/areas/{demo_district.country.pk}/end/").status_code == 403


# -- The API -------------------------------------------------------------------------------


def post_end(client, area, **body):
    return client.post(
        f"/api/v1/areas/{area.pk}/end", json.dumps(body), content_type="application/json"
    )


class TestTheApi:
    def test_ending_answers_the_area_and_how_many_below_ended(
        self, client, login, people, demo_district
    ):
        areas = demo_district
        login(people.tehran_manager)
        response = post_end(
            client,
            areas.district6,
            date="2025-03-21",
            reason="synthetic",
            version=areas.district6.version,
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["area"]["id"] == areas.district6.pk
        assert body["area"]["valid_to"] == "2025-03-21"
        assert body["ended_below_count"] == 2
        assert AuditEvent.objects.filter(verb=AREA_ENDED).count() == 1

    def test_outside_ones_province_it_is_404(self, client, login, people, demo_district):
        login(people.isfahan_manager)
        response = post_end(client, demo_district.district6, date="2025-03-21", reason="x")
        assert response.status_code == 404
        assert current(demo_district.district6) == [True]

    def test_one_who_may_only_read_gets_403(self, client, login, people, demo_district):
        login(people.tehran_analyst)
        response = post_end(client, demo_district.district6, date="2025-03-21", reason="x")
        assert response.status_code == 403
        assert current(demo_district.district6) == [True]

    def test_a_stale_version_is_409(self, client, login, people, demo_district):
        areas = demo_district
        login(people.tehran_manager)
        update_area(actor=None, area=areas.district6, version=None, name_en="District 6")
        response = post_end(
            client, areas.district6, date="2025-03-21", reason="x", version=areas.district6.version
        )
        assert response.status_code == 409
        assert current(areas.district6) == [True]

    @pytest.mark.parametrize(
        "body",
        [
            {"date": "1404/01/01", "reason": "x"},  # a Jalali date: the API takes ISO dates
            {"date": 1742515200, "reason": "x"},
            {"date": "2025-03-21"},
            {"date": "2025-03-21", "reason": "x", "extra": 1},
        ],
    )
    def test_bad_input_is_422(self, client, login, people, demo_district, body):
        login(people.tehran_manager)
        response = client.post(
            f"/api/v1/areas/{demo_district.district6.pk}/end",
            json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 422
        assert current(demo_district.district6) == [True]

    def test_an_already_ended_area_is_422(self, client, login, people, demo_district):
        login(people.tehran_manager)
        assert post_end(client, demo_district.s1, date="2025-03-21", reason="x").status_code == 200
        response = post_end(client, demo_district.s1, date="2025-03-21", reason="x")
        assert response.status_code == 422
        message = response.json()["error"]["details"][0]["message"]
        assert "پایان یافته است" in message
