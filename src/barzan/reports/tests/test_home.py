"""The home page: each user's roles, what they may use, what lies in their areas, their activity."""

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from barzan.accounts import actions
from barzan.audit import verb_label

pytestmark = pytest.mark.django_db

KNOWN_TILES = {"areas", "organizations", "users", "audit"}
EVERYTHING = {"areas", "organizations", "users", "audit"}
READING = {"areas", "organizations"}

TEHRAN = {"province": 1, "county": 2, "city": 1, "district": 1}
COUNTRY = {"country": 1, "province": 3, "county": 3, "city": 1, "district": 1}

# name in the `people` fixture: (roles shown, tiles shown, areas by level, organizations)
EXPECTED = {
    "admin": (["national_admin"], EVERYTHING, COUNTRY, 3),
    "tehran_manager": (["area_manager"], EVERYTHING, TEHRAN, 2),
    "isfahan_manager": (["area_manager"], EVERYTHING, {"province": 1, "county": 1}, 1),
    "tehran_analyst": (["analyst"], READING, TEHRAN, 2),
    "focal_point": (["agency_focal_point"], READING, TEHRAN, 1),
    "secretary": (["council_secretary"], READING, {"district": 1}, 0),
}


def text_of(response):
    return html.unescape(response.content.decode())


def grant_roles(response):
    return re.findall(r'data-grant-role="([^"]+)"', text_of(response))


def tiles(response):
    return set(re.findall(r'data-tile="([^"]+)"', text_of(response))) & KNOWN_TILES


def area_counts(response):
    summary = response.context["summary"]
    return {row["level__code"]: row["count"] for row in summary.area_counts}


@pytest.fixture
def home(client, login):
    def open_home(user):
        login(user, on=client)
        response = client.get("/")
        assert response.status_code == 200
        return response

    return open_home


@pytest.mark.parametrize("name", EXPECTED)
class TestEachRole:
    def test_the_home_page_shows_their_roles(self, home, people, name):
        assert grant_roles(home(getattr(people, name))) == EXPECTED[name][0]

    def test_the_home_page_offers_the_tiles_they_may_use(self, home, people, name):
        assert tiles(home(getattr(people, name))) == EXPECTED[name][1]

    def test_the_home_page_counts_the_areas_in_their_scope(self, home, people, name):
        response = home(getattr(people, name))
        assert area_counts(response) == EXPECTED[name][2]
        assert response.context["summary"].organization_count == EXPECTED[name][3]


def test_a_tile_links_to_its_page(home, people):
    response = home(people.tehran_manager)
    text = text_of(response)
    for key, url in [
        ("areas", "/areas/"),
        ("organizations", "/organizations/"),
        ("users", "/accounts/users/"),
        ("audit", "/audit/"),
    ]:
        assert f'href="{url}" data-tile="{key}"' in text


def test_the_counts_are_shown_with_persian_level_names_and_digits(home, people):
    text = text_of(home(people.admin))
    rows = dict(re.findall(r"<dt[^>]*>([^<]+)</dt>\s*<dd[^>]*>([^<]+)</dd>", text))
    assert rows["کشور"] == "۱"
    assert rows["استان"] == "۳"
    assert rows["شهرستان"] == "۳"


def test_a_user_with_two_grants_sees_both(home, people, roles, areas):
    actions.grant_role(actor=None, user=people.secretary, role=roles["analyst"], area=areas.isfahan)
    response = home(people.secretary)
    assert sorted(grant_roles(response)) == ["analyst", "council_secretary"]
    assert area_counts(response) == {"province": 1, "county": 1, "district": 1}


def test_a_user_with_no_grant_sees_the_empty_state(home, people):
    response = home(people.nobody)
    text = text_of(response)
    assert 'data-testid="no-grants"' in text
    assert grant_roles(response) == []
    assert tiles(response) == set()


def test_a_user_with_grants_does_not_see_the_empty_state(home, people):
    assert 'data-testid="no-grants"' not in text_of(home(people.secretary))


def test_the_home_page_shows_their_own_recent_activity_only(home, people):
    actions.create_api_token(actor=people.tehran_analyst, name="provincial dashboard")
    actions.create_api_token(actor=people.focal_point, name="agency statistics")
    response = home(people.tehran_analyst)
    events = response.context["summary"].recent_events
    assert [event.verb for event in events] == ["api_token.created"]
    assert all(event.actor_id == people.tehran_analyst.pk for event in events)
    text = text_of(response)
    with translation.override("fa"):
        assert verb_label("api_token.created") in text
    assert "provincial dashboard" in text
    assert "agency statistics" not in text


def test_the_recent_activity_shows_the_last_eight_events_newest_first(home, people):
    for number in range(10):
        actions.create_api_token(actor=people.secretary, name=f"token {number}")
    events = home(people.secretary).context["summary"].recent_events
    assert [event.target_label.split(" (")[0] for event in events] == [
        f"token {number}" for number in range(9, 1, -1)
    ]


def test_the_home_page_is_persian_right_to_left_by_default(home, people):
    text = text_of(home(people.tehran_analyst))
    assert '<html lang="fa" dir="rtl">' in text
    assert "bootstrap.rtl.min.css" in text


def test_the_home_page_is_english_left_to_right_for_an_english_reader(home, people):
    people.tehran_analyst.language = "en"
    people.tehran_analyst.save(update_fields=["language"])
    text = text_of(home(people.tehran_analyst))
    assert '<html lang="en" dir="ltr">' in text
    assert "Province" in text


def test_anonymous_visitors_are_sent_to_log_in(roles):
    response = Client().get("/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


@pytest.mark.parametrize("name", ["admin", "tehran_manager", "secretary", "nobody"])
def test_the_home_page_reads_a_bounded_number_of_queries(
    client, login, people, name, django_assert_max_num_queries
):
    user = getattr(people, name)
    # Logged in first: it gives a privileged user the two-factor device a token needs.
    login(user)
    for number in range(10):
        actions.create_api_token(actor=user, name=f"token {number}")
    # Two of them are an officer's recent imports panel (files of values, files of areas).
    # The panels read their own figures: each a fixed number of queries, whatever the scope.
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200
