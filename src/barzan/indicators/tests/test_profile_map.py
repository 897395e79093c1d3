"""The profile's map: any indicator of the profile shades the area's children (classes by
quantile, a legend in Persian digits), with hidden small counts and partial roll-ups drawn
as such; its data is scoped, and costs as many queries for many children as for few."""

from decimal import Decimal

import pytest

from barzan.geo.actions import create_area
from barzan.geo.models import Area, AreaLevel
from barzan.indicators import choropleth

from .test_profile import import_figures, profile_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(neighborhoods, catalogue, csv_of, areas, organizations):
    """The profile tests' two years of figures for two of district 6's neighborhoods."""
    import_figures(csv_of, areas, organizations)
    return catalogue


def map_data(client, area, indicator, **query):
    return client.get(f"/indicators/profile/{area.pk}/map/", {"indicator": indicator, **query})


class TestClasses:
    def test_values_fall_into_five_quantile_classes(self):
        values = [Decimal(n) for n in range(1, 21)]
        bounds = choropleth.breaks(values)
        assert bounds == [4, 8, 12, 16, 20]
        assert [choropleth.class_of(Decimal(v), bounds) for v in (1, 4, 5, 20)] == [0, 0, 1, 4]

    def test_few_distinct_values_make_fewer_classes(self):
        assert choropleth.breaks([Decimal(3), Decimal(3), Decimal(9)]) == [3, 9]
        assert choropleth.breaks([Decimal(7)]) == [7]
        assert choropleth.breaks([]) == []

    def test_the_largest_value_is_always_in_the_last_class(self):
        values = [Decimal(v) for v in (1, 1, 1, 1, 1, 1, 2, 50)]
        bounds = choropleth.breaks(values)
        assert bounds[-1] == 50
        assert choropleth.class_of(Decimal(50), bounds) == len(bounds) - 1


class TestProfileMapData:
    def test_children_are_shaded_by_class_with_a_legend_in_persian_digits(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        data = map_data(client, areas.district6, "literacy").json()
        shades = {int(pk): shade for pk, shade in data["areas"].items()}
        n1, n2, n3 = (areas.district6.children.get(code=code).pk for code in ("N1", "N2", "N3"))
        assert (shades[n1]["state"], shades[n1]["class"]) == ("value", 0)
        assert (shades[n2]["state"], shades[n2]["class"]) == ("value", 1)
        assert "۸۰" in shades[n1]["shown"] and "۹۰" in shades[n2]["shown"]
        assert shades[n3]["state"] == "missing"
        labels = [item["label"] for item in data["legend"]]
        assert "۸۰" in labels[0] and "۹۰" in labels[1]
        assert "No figure" not in labels and all(label.isascii() is False for label in labels)
        assert "۱۴۰۲" in data["title"]

    def test_a_count_is_shaded_per_1000_residents_not_as_a_raw_count(
        self, client, login, people, areas, figures
    ):
        # N1: 400 active of 1,000 residents; N2: 600 of 3,000. The larger count is the
        # smaller share, and a raw shading would have said the opposite.
        login(people.tehran_manager)
        data = map_data(client, areas.district6, "active").json()
        shades = {int(pk): shade for pk, shade in data["areas"].items()}
        n1, n2, n3 = (areas.district6.children.get(code=code).pk for code in ("N1", "N2", "N3"))
        assert shades[n1] == {
            "state": "value", "shown": "۴۰۰ (۴۰۰٫۰ در هر هزار نفر)", "class": 1,
        }  # fmt: skip
        assert shades[n2] == {
            "state": "value", "shown": "۶۰۰ (۲۰۰٫۰ در هر هزار نفر)", "class": 0,
        }  # fmt: skip
        assert shades[n3]["state"] == "missing"
        assert "در هر هزار نفر" in data["title"]

    def test_a_count_of_a_child_without_a_population_is_not_shaded(
        self, client, login, people, areas, figures, csv_of, organizations
    ):
        import_figures(csv_of, areas, organizations, {"1402": {"N3": {"active": "50"}}})
        login(people.tehran_manager)
        data = map_data(client, areas.district6, "active").json()
        n3 = areas.district6.children.get(code="N3").pk
        assert data["areas"][str(n3)]["state"] == "missing"
        assert data["areas"][str(n3)]["class"] is None

    def test_a_small_count_is_hidden_from_the_viewer_and_said_so(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        data = map_data(client, areas.district6, "households").json()
        states = {shade["state"] for shade in data["areas"].values()}
        assert "hidden" in states and "value" not in states
        hidden = [shade for shade in data["areas"].values() if shade["state"] == "hidden"]
        assert all(shade["shown"] == "کمتر از ۵" and shade["class"] is None for shade in hidden)
        assert any(item["state"] == "hidden" for item in data["legend"])
        assert "۱" not in str(hidden) and "۲" not in str(hidden)

    def test_the_owning_organization_sees_its_small_counts_shaded(
        self, client, login, people, areas, figures
    ):
        login(people.focal_point)
        data = map_data(client, areas.district6, "households").json()
        shown = sorted(s["shown"] for s in data["areas"].values() if s["state"] == "value")
        assert [text.split(" ")[0] for text in shown] == ["۱", "۲"]

    def test_a_partial_roll_up_is_drawn_as_partial_not_as_a_value(
        self, client, login, people, areas, figures
    ):
        # District 6's population is the sum of 2 of its 3 neighborhoods.
        login(people.tehran_manager)
        data = map_data(client, areas.tehran_city, "population").json()
        shade = data["areas"][str(areas.district6.pk)]
        assert shade["state"] == "partial" and shade["class"] is None
        assert "۲" in shade["shown"] and "۳" in shade["shown"]
        assert [item["state"] for item in data["legend"]] == ["partial"]

    def test_a_complete_roll_up_is_shaded_as_a_value(
        self, client, login, people, areas, figures, csv_of, organizations
    ):
        import_figures(csv_of, areas, organizations, {"1402": {"N3": {"population": "500"}}})
        Area.objects.filter(pk=areas.district6.pk).update(population=4500)
        login(people.tehran_manager)
        data = map_data(client, areas.tehran_city, "population").json()
        assert data["areas"][str(areas.district6.pk)] == {
            "state": "value",
            "shown": "۴٬۵۰۰ (۱٬۰۰۰٫۰ در هر هزار نفر)",
            "class": 0,
        }

    def test_an_earlier_period_can_be_chosen(self, client, login, people, areas, figures):
        login(people.tehran_manager)
        data = map_data(client, areas.district6, "population", period="1401").json()
        assert {s["shown"].split(" ")[0] for s in data["areas"].values()} == {"۹۰۰", "۲٬۸۰۰", "—"}

    def test_the_profiles_period_shades_the_latest_figures_not_after_it(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        data = map_data(client, areas.district6, "population", until="1401").json()
        assert "۱۴۰۱" in data["title"]
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        assert f"/indicators/profile/{areas.district6.pk}/map/?until=" in content

    def test_an_unknown_indicator_or_period_is_404(self, client, login, people, areas, figures):
        login(people.tehran_manager)
        assert map_data(client, areas.district6, "no-such").status_code == 404
        assert map_data(client, areas.district6, "population", period="1499").status_code == 404

    def test_the_tehran_manager_gets_404_for_an_isfahan_area(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        assert map_data(client, areas.isfahan_county, "population").status_code == 404
        assert map_data(client, areas.isfahan, "population").status_code == 404

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, areas, figures):
        assert map_data(client, areas.district6, "population").status_code == 302

    def test_as_many_queries_for_many_children_as_for_few(
        self, client, login, people, areas, figures, count_queries, csv_of, organizations
    ):
        login(people.tehran_manager)
        url = f"/indicators/profile/{areas.district6.pk}/map/"
        client.get(url, {"indicator": "population"})
        few = count_queries(lambda: client.get(url, {"indicator": "population"}))
        level = AreaLevel.objects.get(code="neighborhood")
        more = {}
        for number in range(4, 16):
            create_area(
                actor=None,
                level=level,
                code=f"N{number}",
                name_fa=f"محله {number}",
                parent=areas.district6,
                population=1000 + number,
            )
            more[f"N{number}"] = {"population": str(100 * number)}
        import_figures(csv_of, areas, organizations, {"1402": more})
        data = client.get(url, {"indicator": "population"}).json()
        assert len(data["areas"]) == 15
        assert len(data["legend"]) == 5 + 1  # five classes and "no figure" (N3)
        assert count_queries(lambda: client.get(url, {"indicator": "population"})) == few


class TestProfilePage:
    def test_the_profile_offers_its_indicators_to_shade_the_map_of_its_children(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        assert "data-profile-map" in content
        assert 'option value="population"' in content
        assert f"/indicators/profile/{areas.district6.pk}/map/" in content
        assert 'dir="ltr" role="img" data-map-owner="profile"' in content

    def test_an_area_without_children_has_no_map(self, client, login, people, areas, figures):
        neighborhood = areas.district6.children.get(code="N1")
        content = profile_page(client, login, people.tehran_manager, neighborhood)
        assert "data-profile-map" not in content
