"""An area shown with its level reads as Persian says it: the level first («استان تهران»)."""

import pytest
from django.utils import translation

from barzan.geo.actions import create_area
from barzan.geo.models import AreaLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def level(roles):
    return {item.code: item for item in AreaLevel.objects.all()}


def test_the_level_comes_before_the_name(areas):
    with translation.override("fa"):
        assert areas.country.titled_name == "کشور ایران"
        assert areas.tehran.titled_name == "استان تهران"
        assert areas.shemiranat.titled_name == "شهرستان شمیرانات"
        assert areas.tehran_city.titled_name == "شهر تهران"


def test_a_level_ending_in_he_takes_the_ezafe(areas):
    with translation.override("fa"):
        assert areas.district6.titled_name == "منطقهٔ تهران ۶"


def test_a_name_that_already_says_its_level_is_not_repeated(areas, level):
    with_level = create_area(
        actor=None, level=level["neighborhood"], code="N9", name_fa="محله اوین",
        parent=areas.district6,
    )  # fmt: skip
    # «شهرکرد» begins with the letters of «شهر» but not with the word.
    shahrekord = create_area(
        actor=None, level=level["city"], code="C9", name_fa="شهرکرد", parent=areas.isfahan_county
    )
    with translation.override("fa"):
        assert with_level.titled_name == "محله اوین"
        assert shahrekord.titled_name == "شهر شهرکرد"


def test_english_pages_put_the_level_after_the_english_name(areas):
    with translation.override("en"):
        assert areas.tehran.titled_name == "Tehran (Province)"


def test_the_area_page_heading_and_breadcrumb_name_each_level(client, login, people, areas):
    login(people.tehran_manager)
    response = client.get(areas.district6.get_absolute_url())
    content = response.content.decode()
    breadcrumb = content.split('class="breadcrumb', 1)[1].split("</ol>", 1)[0]

    assert response.status_code == 200
    for crumb in ("کشور ایران", "استان تهران", "شهرستان تهران", "شهر تهران", "منطقهٔ تهران ۶"):
        assert crumb in breadcrumb
    assert "<h1>منطقهٔ تهران ۶" in content
    assert "تهران استان" not in content


def test_area_choices_read_level_first(client, login, people, areas):
    login(people.tehran_manager)
    content = client.get("/organizations/new/").content.decode()

    assert "استان تهران" in content
    assert "تهران (استان)" not in content


def test_the_profile_button_and_the_profile_page_use_one_word(client, login, people, areas):
    login(people.tehran_manager)
    area_page = client.get(areas.tehran.get_absolute_url()).content.decode()
    profile = client.get(f"/indicators/profile/{areas.tehran.pk}/").content.decode()

    assert "شناسنامه" in area_page
    assert "مشخصات" not in area_page
    assert "شناسنامهٔ" in profile
    assert "استان تهران" in profile
