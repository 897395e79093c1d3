"""Area search and subtree filters: however the letters and digits were typed."""

import pytest

from barzan.geo.actions import create_area
from barzan.geo.models import Area

pytestmark = pytest.mark.django_db

ARABIC_KAF = "\u0643"
ARABIC_YEH = "\u064a"


def test_kermanshah_is_found_when_typed_with_an_arabic_kaf(areas):
    typed = "کرمانشاه".replace("ک", ARABIC_KAF)
    assert typed != "کرمانشاه"
    assert list(Area.objects.search(typed)) == [areas.kermanshah]


def test_shemiranat_is_found_when_typed_with_an_arabic_yeh(areas):
    typed = "شمیرانات".replace("ی", ARABIC_YEH)
    assert list(Area.objects.search(typed)) == [areas.shemiranat]


@pytest.mark.parametrize("typed", ["تهران 6", "تهران ۶", "تهران ٦", "تهران۶"])
def test_a_name_with_digits_is_found_whichever_digits_were_typed(areas, typed):
    assert list(Area.objects.search(typed)) == [areas.district6]


@pytest.mark.parametrize("typed", ["2302", "۲۳۰۲", "٢٣٠٢"])
def test_an_area_is_found_by_its_code_in_any_digits(areas, typed):
    assert list(Area.objects.search(typed)) == [areas.shemiranat]


def test_an_area_is_found_by_its_english_name_in_any_case(areas):
    assert list(Area.objects.search("ISFAHAN")) == [areas.isfahan]
    assert list(Area.objects.search("kermanshah")) == [areas.kermanshah]


def test_an_area_is_found_by_a_code_with_latin_letters_as_typed(areas, levels):
    area = create_area(
        actor=None, level=levels["neighborhood"], code="THR-D6-01", name_fa="محله یک",
        parent=areas.district6,
    )  # fmt: skip
    assert list(Area.objects.search("THR-D6-01")) == [area]
    assert list(Area.objects.search("thr-d6-01")) == [area]


def test_an_empty_search_returns_everything(areas):
    assert Area.objects.search("  ").count() == Area.objects.count()


def test_within_includes_the_area_and_below_excludes_it(areas):
    assert set(Area.objects.within(areas.tehran_city)) == {areas.tehran_city, areas.district6}
    assert set(Area.objects.below(areas.tehran_city)) == {areas.district6}


def test_within_does_not_confuse_ids_that_share_a_prefix(areas, levels):
    # /1/2/ must not match /1/20/: the path ends with a slash for this reason.
    parent = areas.country
    siblings = [
        create_area(
            actor=None, level=levels["province"], code=f"9{n}", name_fa=f"استان {n}", parent=parent
        )
        for n in range(20)
    ]
    for sibling in siblings:
        assert set(Area.objects.within(sibling)) == {sibling}


def test_roots_and_at_level(areas):
    assert list(Area.objects.roots()) == [areas.country]
    assert set(Area.objects.at_level("province")) == {areas.tehran, areas.isfahan, areas.kermanshah}
