"""After `barzan demo`: the whole official hierarchy, census populations, the real
outlines of provinces and counties (OpenStreetMap, credited), the country as their union,
and synthetic boundaries below the county that say they are synthetic."""

import pytest
from django.db.models import Count

from barzan.geo import demo, geometry
from barzan.geo.models import Area, AreaCell
from barzan.geo.readers import OSM_ATTRIBUTION, locate

pytestmark = pytest.mark.django_db


def test_the_demo_holds_every_area_of_the_data_and_marks_generated_boundaries(roles):
    demo.load()
    by_level = dict(Area.objects.values_list("level__code").annotate(count=Count("id")).order_by())
    assert by_level["country"] == 1
    assert by_level["province"] == 31
    assert by_level["county"] == 448
    assert by_level["sector"] == 1099
    assert by_level["city"] == 1354
    assert by_level["district"] == 200
    assert 350 <= by_level["neighborhood"] <= 450
    # Markazi's codes keep the leading zeros the data lost.
    markazi = Area.objects.get(level__code="province", code="00")
    assert Area.objects.get(level__code="county", code="0001").parent == markazi
    assert Area.objects.filter(level__code="sector", code__startswith="00").exists()
    assert Area.objects.filter(level__code="city", code="0001021101").exists()
    # Every path starts at the root.
    assert not Area.objects.exclude(path__startswith="/").exists()
    assert Area.objects.get(level__code="country").population == 79_926_270
    assert Area.objects.get(level__code="province", code="23").population == 13_267_637

    # Provinces, counties and the country have real outlines, credited to OpenStreetMap;
    # every shape below the county is synthetic and says so.
    with_boundary = Area.objects.filter(boundary__isnull=False)
    real = with_boundary.filter(level__code__in=["country", "province", "county"])
    assert real.filter(level__code="province").count() == 31
    assert real.filter(level__code="county").count() == 448
    assert not real.filter(is_synthetic=True).exists()
    assert set(real.values_list("boundary_attribution", flat=True)) == {OSM_ATTRIBUTION}
    below = with_boundary.exclude(level__code__in=["country", "province", "county"])
    assert below.filter(level__code="sector").count() > 900
    assert not below.filter(is_synthetic=False).exists()
    assert not below.exclude(boundary_attribution="").exists()
    assert not with_boundary.filter(boundary_source="").exists()
    assert AreaCell.objects.exists()
    # Iran's outline is the union of its provinces: no hole in the middle.
    country = Area.objects.get(level__code="country")
    for stored in (country.boundary, country.boundary_simple):
        shape = geometry.from_geojson(stored)
        assert sum(len(part.interiors) for part in getattr(shape, "geoms", [shape])) == 0
    # Sectors lie inside their real county.
    sector = Area.objects.filter(level__code="sector", boundary__isnull=False).first()
    outline = geometry.from_geojson(sector.parent.boundary)
    piece = geometry.from_geojson(sector.boundary)
    assert piece.difference(outline).area < piece.area * 0.01
    # Real city locations are points, not synthetic.
    isfahan = Area.objects.get(level__code="city", name_fa="اصفهان")
    assert isfahan.latitude == pytest.approx(32.65, abs=0.1)
    assert not isfahan.is_synthetic


def test_a_point_in_a_demo_neighborhood_is_located_with_its_parents(roles):
    demo.load()
    neighborhood = Area.objects.filter(level__code="neighborhood").order_by("code").first()
    found = locate(neighborhood.latitude, neighborhood.longitude)
    assert found.area == neighborhood
    assert [area.level.code for area in found.ancestors] == [
        "country", "province", "county", "sector", "city", "district",
    ]  # fmt: skip
