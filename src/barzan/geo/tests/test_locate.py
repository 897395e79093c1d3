"""Finding areas: the deepest current area that holds a point, and names however typed."""

import datetime

import pytest

from barzan.geo import importing
from barzan.geo.actions import create_area, import_areas, merge_areas
from barzan.geo.models import Area, AreaCell
from barzan.geo.readers import locate
from barzan.geo.tests.shapes import feature_collection, load, square

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def mapped(areas, levels):
    """District 6 as a 0.1° square, and two neighborhoods side by side in its south-west corner.

    Yousef Abad spans longitude 51.40–51.41 and Amir Abad 51.41–51.42 (latitude 35.70–35.71):
    they share the edge at longitude 51.41.
    """
    load(levels["district"], (square(51.40, 35.70, 0.1), {"code": "2301021606"}))
    load(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.01), {"code": "N1", "name_fa": "یوسف آباد"}),
        (square(51.41, 35.70, 0.01), {"code": "N2", "name_fa": "امیرآباد"}),
        parent=areas.district6,
    )
    areas.yousef_abad = Area.objects.get(code="N1")
    areas.amir_abad = Area.objects.get(code="N2")
    return areas


def test_a_point_is_located_in_the_deepest_area_with_its_ancestors(mapped):
    found = locate(35.705, 51.405)

    assert found.area == mapped.yousef_abad
    assert found.ancestors == [
        mapped.country,
        mapped.tehran,
        mapped.tehran_county,
        mapped.tehran_city,
        mapped.district6,
    ]


def test_a_point_in_the_district_outside_its_neighborhoods_is_located_in_the_district(mapped):
    found = locate(35.75, 51.45)

    assert found.area == mapped.district6
    assert found.ancestors[-1] == mapped.tehran_city


def test_a_point_outside_every_boundary_is_located_nowhere(mapped):
    assert locate(32.65, 51.67) is None  # Isfahan
    assert locate(35.70, 51.39) is None  # just west of the district


def test_a_point_on_a_shared_edge_is_located_in_one_of_the_two_neighbors(mapped):
    found = locate(35.705, 51.41)

    assert found.area in (mapped.yousef_abad, mapped.amir_abad)


def test_a_point_on_the_outer_edge_counts_as_inside(mapped):
    assert locate(35.70, 51.405).area == mapped.yousef_abad


def test_an_ended_area_is_no_longer_found(mapped):
    merged = merge_areas(
        actor=None,
        areas=[mapped.yousef_abad, mapped.amir_abad],
        code="N3",
        name_fa="یوسف آباد و امیرآباد",
        date=datetime.date(2025, 3, 21),
    )

    # The merged area has no boundary yet: the district holds the point.
    assert locate(35.705, 51.405).area == mapped.district6
    assert not AreaCell.objects.filter(area__in=[mapped.yousef_abad, mapped.amir_abad]).exists()
    assert merged.boundary is None


def test_a_point_is_located_only_within_the_areas_one_may_see(mapped):
    in_the_district = Area.objects.within(mapped.district6)
    assert locate(35.705, 51.405, in_the_district).area == mapped.yousef_abad

    # Scopes are subtrees: the deepest area holding the point, if unseen, means not found.
    without_neighborhood = Area.objects.exclude(pk=mapped.yousef_abad.pk)
    assert locate(35.705, 51.405, without_neighborhood) is None

    isfahan_only = Area.objects.within(mapped.isfahan)
    assert locate(35.705, 51.405, isfahan_only) is None


def test_locating_reads_only_the_cells_of_the_point(mapped, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        found = locate(35.705, 51.405)

    assert found.area == mapped.yousef_abad


# -- Overlapping areas: current, then real over synthetic, then the smallest ----------------


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


def test_a_real_neighborhood_wins_over_a_synthetic_one_created_before_it(areas, levels):
    load(levels["district"], (square(51.40, 35.70, 0.1), {"code": "2301021606"}))
    # The demo's made-up neighborhood covers the whole district, and comes first.
    load_synthetic(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.1), {"code": "S1", "name_fa": "محلهٔ ساختگی"}),
        parent=areas.district6,
    )
    load(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.02), {"code": "N1", "name_fa": "یوسف آباد"}),
        parent=areas.district6,
    )
    synthetic, real = Area.objects.get(code="S1"), Area.objects.get(code="N1")
    assert synthetic.is_synthetic is True and real.is_synthetic is False
    assert synthetic.pk < real.pk

    assert locate(35.71, 51.41).area == real
    # Outside the real one, the synthetic neighborhood still answers.
    assert locate(35.75, 51.45).area == synthetic


def test_a_real_neighborhood_wins_over_a_smaller_synthetic_one(areas, levels):
    load_synthetic(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.005), {"code": "S1", "name_fa": "محلهٔ ساختگی"}),
        parent=areas.district6,
    )
    load(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.02), {"code": "N1", "name_fa": "یوسف آباد"}),
        parent=areas.district6,
    )
    assert locate(35.701, 51.401).area == Area.objects.get(code="N1")


def test_of_two_real_overlapping_neighborhoods_the_smaller_holds_the_point(areas, levels):
    load(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.05), {"code": "N1", "name_fa": "بزرگ"}),
        (square(51.41, 35.71, 0.01), {"code": "N2", "name_fa": "کوچک"}),
        parent=areas.district6,
    )
    assert locate(35.715, 51.415).area == Area.objects.get(code="N2")
    assert locate(35.745, 51.445).area == Area.objects.get(code="N1")


def test_a_neighborhood_right_under_a_county_competes_with_one_under_a_district(areas, levels):
    # The same level at different depths: the synthetic one is deeper, the real one wins.
    load_synthetic(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.05), {"code": "S1", "name_fa": "محلهٔ ساختگی"}),
        parent=areas.district6,
    )
    load(
        levels["neighborhood"],
        (square(51.40, 35.70, 0.05), {"code": "N1", "name_fa": "محلهٔ واقعی"}),
        parent=areas.tehran_county,
    )
    assert locate(35.72, 51.42).area == Area.objects.get(code="N1")


# -- Search ---------------------------------------------------------------------------------


def test_search_finds_a_name_typed_with_arabic_kaf_and_yeh(areas):
    assert list(Area.objects.search("كرمانشاه")) == [areas.kermanshah]


def test_search_finds_latin_digits_typed_in_persian_or_arabic_indic_digits(areas, levels):
    district1 = create_area(
        actor=None,
        level=levels["district"],
        code="2301021601",
        name_fa="تهران 1",
        parent=areas.tehran_city,
    )

    assert list(Area.objects.search("تهران ۱")) == [district1]
    assert list(Area.objects.search("تهران ١")) == [district1]


def test_search_ignores_spaces_and_half_spaces(areas, levels):
    district = create_area(
        actor=None,
        level=levels["district"],
        code="2301021699",
        name_fa="اسلام\u200cآباد غرب",
        parent=areas.tehran_city,
    )

    assert list(Area.objects.search("اسلام آبادغرب")) == [district]


def test_search_finds_english_names_and_codes(areas):
    assert list(Area.objects.search("kermanshah")) == [areas.kermanshah]
    assert list(Area.objects.search("KERMAN")) == [areas.kermanshah]
    assert list(Area.objects.search("2301021606")) == [areas.district6]
