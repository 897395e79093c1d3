"""
The home page is built from panels: what the user must do now and how far it is, first.

A focal point sees their organization's indicators for the period being entered now, how
many areas have reported each, and the areas still missing figures, each linked to its grid
and profile. An officer sees the latest files imported in their areas and what became of
them. Every panel reads through the access policy: nothing outside the user's areas or
organization appears.
"""

import html
import re

import pytest
from django.core.files.base import ContentFile

from barzan.core import panels
from barzan.geo.actions import create_area
from barzan.geo.models import AreaImport, AreaLevel
from barzan.indicators import actions as indicator_actions
from barzan.indicators import formats
from barzan.indicators.models import Category
from barzan.reports import readers

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def neighborhoods(areas):
    """Three neighborhoods in Tehran's district 6 and one in Isfahan."""
    level = AreaLevel.objects.get(code="neighborhood")

    def make(code, name, parent):
        return create_area(actor=None, level=level, code=code, name_fa=name, parent=parent)

    return [
        make("N1", "محله یک", areas.district6),
        make("N2", "محله دو", areas.district6),
        make("N3", "محله سه", areas.district6),
        make("I1", "محله اصفهان", areas.isfahan_county),
    ]


@pytest.fixture
def data_set(organizations, neighborhoods):
    """A quarterly neighborhood data set: schools (education's) and households (welfare's)."""
    category = Category.objects.create(code="education", name_fa="آموزش", name_en="Education")

    def make(code, name_fa, owner):
        return indicator_actions.create_indicator(
            actor=None,
            code=code,
            name_fa=name_fa,
            name_en=code.capitalize(),
            category=category,
            owner=owner,
            value_type="count",
            aggregation="sum",
        )

    schools = make("schools", "مدرسه", organizations.education_tehran)
    households = make("households", "خانوار", organizations.welfare_tehran)
    return indicator_actions.create_data_set(
        actor=None,
        code="neighborhood-quarterly",
        name_fa="شناسنامه فصلی محله",
        level=AreaLevel.objects.get(code="neighborhood"),
        period_type="quarter",
        owner=organizations.education_tehran,
        indicators=[schools, households],
    )


def enter(code, area, value, period=None):
    from barzan.indicators.models import Indicator

    indicator_actions.set_value(
        actor=None,
        indicator=Indicator.objects.get(code=code),
        area=area,
        period=period or readers.current_period("quarter"),
        value=value,
    )


@pytest.fixture
def home(client, login):
    def open_home(user):
        login(user, on=client)
        response = client.get("/")
        assert response.status_code == 200
        return response

    return open_home


def panel_keys(response) -> list[str]:
    return re.findall(r'data-panel="([^"]+)"', text_of(response))


# -- a focal point


def test_a_focal_point_sees_their_indicators_and_the_areas_missing_them_this_period(
    home, people, organizations, neighborhoods, data_set
):
    n1, n2, n3, isfahan = neighborhoods
    enter("schools", n1, "4")
    enter("schools", isfahan, "9")
    enter("households", n2, "120")
    response = home(people.focal_point)
    key = f"organization-figures-{organizations.education_tehran.pk}"
    assert key in panel_keys(response)
    text = text_of(response)
    period = readers.current_period("quarter")
    # Only the organization's own indicator, counted over the user's areas (not Isfahan's).
    assert 'data-indicator="schools" data-reported="1" data-expected="3"' in text
    assert 'data-indicator="households"' not in text
    missing = re.findall(r'data-area="(\d+)"', text)
    assert sorted(missing) == sorted([str(n2.pk), str(n3.pk)])
    assert str(isfahan.pk) not in missing
    assert f"/indicators/entry/neighborhood-quarterly/{n2.pk}/{period.code}/" in text
    assert f"/indicators/profile/{n2.pk}/" in text
    assert period.name in text


def test_the_focal_points_panel_comes_before_what_they_can_use(
    home, people, neighborhoods, data_set
):
    text = text_of(home(people.focal_point))
    assert text.index('data-panel="organization-figures-') < text.index("data-tile=")


def test_the_panel_says_when_every_area_has_its_figures(home, people, neighborhoods, data_set):
    for area in neighborhoods[:3]:
        enter("schools", area, "2")
    text = text_of(home(people.focal_point))
    assert 'data-testid="all-reported"' in text
    assert 'data-testid="missing-areas"' not in text


def test_figures_of_another_period_do_not_count_for_this_one(home, people, neighborhoods, data_set):
    from barzan.indicators import periods
    from barzan.indicators.models import Period

    current = readers.current_period("quarter")
    before = Period.objects.get(code=periods.previous(periods.parse(current.code)).code)
    for area in neighborhoods[:3]:
        enter("schools", area, "2", period=before)
    assert 'data-reported="0" data-expected="3"' in text_of(home(people.focal_point))


def test_a_focal_point_whose_organization_owns_nothing_to_enter_is_told_so(
    home, people, neighborhoods
):
    text = text_of(home(people.focal_point))
    assert 'data-testid="no-owned-data-sets"' in text


def test_users_without_an_organization_grant_get_no_organization_panel(
    home, people, neighborhoods, data_set
):
    for name in ("admin", "tehran_manager", "tehran_analyst", "secretary"):
        keys = panel_keys(home(getattr(people, name)))
        assert not [key for key in keys if key.startswith("organization-figures-")], name


# -- an officer


def upload(actor, area, source, name):
    value_import = indicator_actions.upload_values(
        actor=actor,
        upload=ContentFile(b"indicator,area,period,breakdown,value,comment\n", name=name),
        format=formats.CSV,
        area=area,
        source=source,
    )
    return value_import


def test_an_officer_sees_recent_imports_in_their_areas_and_never_one_outside(
    home, people, areas, organizations
):
    tehran = upload(people.tehran_manager, areas.tehran, organizations.welfare_tehran, "t.csv")
    isfahan = upload(
        people.isfahan_manager, areas.isfahan, organizations.education_isfahan, "i.csv"
    )
    AreaImport.objects.create(
        area=areas.isfahan, format="csv", file_name="isfahan-areas.csv", status="checked"
    )
    text = text_of(home(people.tehran_manager))
    assert f'data-import="{tehran.pk}"' in text
    assert "t.csv" in text
    assert f'data-import="{isfahan.pk}"' not in text
    assert "i.csv" not in text
    assert "isfahan-areas.csv" not in text
    # The national administrator sees both, newest first, and the area import too.
    found = [item.job.file_name for item in readers.recent_imports(people.admin)]
    assert found == ["isfahan-areas.csv", "i.csv", "t.csv"]


def test_an_import_shows_its_status_and_problems(home, people, areas, organizations):
    value_import = upload(
        people.tehran_manager, areas.tehran, organizations.welfare_tehran, "a.csv"
    )
    value_import.status = "checked"
    value_import.problem_count = 3
    value_import.save()
    text = text_of(home(people.tehran_manager))
    item = re.search(rf'data-import="{value_import.pk}" data-status="checked">.*?</li>', text, re.S)
    assert item and "۳" in item.group(0)


def test_an_officer_with_no_imports_is_told_what_to_do(home, people):
    text = text_of(home(people.tehran_manager))
    assert 'data-testid="no-imports"' in text
    assert 'href="/indicators/imports/new/"' in text


def test_an_analyst_sees_imports_but_no_import_button(home, people, areas, organizations):
    upload(people.tehran_manager, areas.tehran, organizations.welfare_tehran, "a.csv")
    text = text_of(home(people.tehran_analyst))
    assert "recent-imports" in panel_keys(home(people.tehran_analyst))
    assert 'href="/indicators/imports/new/"' not in text


def test_secretaries_and_focal_points_get_no_imports_panel(home, people):
    assert "recent-imports" not in panel_keys(home(people.secretary))
    assert "recent-imports" not in panel_keys(home(people.focal_point))


# -- the page


# Any panel template will do: with no imports this one shows its empty state.
TEMPLATE = "reports/panels/recent_imports.html"


def test_the_page_shows_every_registered_providers_panels_in_their_order(home, people, monkeypatch):
    monkeypatch.setattr(panels, "_providers", {})
    panels.register(
        "later",
        lambda user: [panels.Panel("later", "Later", TEMPLATE, order=150)],
    )
    panels.register(
        "urgent",
        lambda user: [panels.Panel("urgent", "Urgent", TEMPLATE, order=5, badge=7)],
    )
    response = home(people.secretary)
    assert panel_keys(response) == ["urgent", "later"]
    assert "۷" in text_of(response)


def test_a_user_with_nothing_to_do_is_told_so(home, people, monkeypatch):
    monkeypatch.setattr(panels, "_providers", {})
    text = text_of(home(people.secretary))
    assert 'data-testid="nothing-to-do"' in text


def test_the_home_page_reads_as_many_queries_however_many_areas_and_imports(
    client, login, people, areas, organizations, neighborhoods, data_set, count_queries
):
    login(people.focal_point)
    enter("schools", neighborhoods[0], "1")
    client.get("/")
    few = count_queries(lambda: client.get("/"))
    level = AreaLevel.objects.get(code="neighborhood")
    for number in range(8):
        area = create_area(
            actor=None, level=level, code=f"M{number}", name_fa=f"محله {number}",
            parent=areas.district6,
        )  # fmt: skip
        enter("schools", area, "3")
    assert count_queries(lambda: client.get("/")) == few
    # The focal point's figures panel and the forms-to-fill panel, a few queries each.
    assert few <= 26

    login(people.tehran_manager)
    upload(people.tehran_manager, areas.tehran, organizations.welfare_tehran, "1.csv")
    client.get("/")
    few = count_queries(lambda: client.get("/"))
    for number in range(8):
        upload(people.tehran_manager, areas.tehran, organizations.welfare_tehran, f"{number}.csv")
    assert count_queries(lambda: client.get("/")) == few
    # The imports panel, and the reporting rates of each data set below (at most ten).
    assert few <= 26
