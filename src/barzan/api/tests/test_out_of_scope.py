"""
The acceptance line of scoped access: a user whose grant covers one province (the Tehran
manager) gets 404 for anything in another province (Isfahan), from every page and every API
operation that takes an object id, and never sees its data. Writes change nothing. The
indicator catalogue is shared: an Isfahan-owned indicator, data set or rule is visible to
the Tehran manager, so changing one is refused with 403, still without a trace.

Each case also runs for a user whose grant does cover the object, so that a 404 here
cannot come from a wrong address. A meta-test fails when a page or an API operation that
takes an id is added without a case here.
"""

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from python_calamine import CalamineWorkbook

from barzan.access.models import Grant
from barzan.accounts.actions import create_api_token
from barzan.accounts.models import ApiToken
from barzan.audit.models import AuditEvent
from barzan.geo import actions as geo_actions
from barzan.geo.actions import create_area
from barzan.geo.models import Area, AreaLevel, AreaName
from barzan.indicators import actions as indicator_actions
from barzan.indicators.actions import create_indicator, set_value
from barzan.indicators.models import (
    Category,
    DataSet,
    DataSetCompletion,
    Indicator,
    IndicatorValue,
    Period,
    ValidationRule,
    ValueImport,
)
from barzan.registry.actions import ORGANIZATION_CREATED
from barzan.registry.models import Organization

from .support import assert_error

pytestmark = pytest.mark.django_db

ISFAHAN_ORGANIZATION_NAME = "آموزش و پرورش استان اصفهان"
ISFAHAN_USERNAME = "isfahan-analyst"

ISFAHAN_CLERK = "isfahan-clerk"
ISFAHAN_INDICATOR = "isfahan-students"
ISFAHAN_DATA_SET = "isfahan-schools"
ISFAHAN_RULE = "isfahan-students-sane"
# The Isfahan figures, as stored (700) and as uploaded but not applied (800), in both digits.
ISFAHAN_FIGURES = ("700", "۷۰۰", "800", "۸۰۰")

CATALOGUE = "The catalogue is read by everyone who may view anything (shared_view)."
# Pages that take an id but show no object in an area.
PAGES_WITHOUT_AN_AREA = {
    "accounts:password_reset_confirm": "A signed reset link, checked by Django's token.",
    "indicators:indicator_detail": CATALOGUE + " Its figures are those of the user's own areas.",
    "indicators:dataset_detail": CATALOGUE,
    "indicators:dataset_template": CATALOGUE
    + " Its rows are the areas where the user may enter figures; an area in the query is a"
    " case in PAGES.",
}
# API operations that take an id but read nothing that lies in an area.
OPERATIONS_WITHOUT_AN_AREA = {
    ("get", "/api/v1/indicators/{code}"): CATALOGUE,
    ("get", "/api/v1/indicators/data-sets/{code}"): CATALOGUE,
    ("get", "/api/v1/indicators/periods/{code}"): "Jalali periods: a calendar, in no area.",
}


@pytest.fixture
def isfahan(areas, organizations, make_user, settings, tmp_path):
    """Everything the Tehran manager must not reach, all of it in Isfahan."""
    settings.DATA_DIR = tmp_path  # uploaded files wait in this test's own folder
    settings.MEDIA_ROOT = tmp_path
    analyst = make_user(ISFAHAN_USERNAME, "analyst", areas.isfahan)
    clerk = make_user(
        ISFAHAN_CLERK, "agency_focal_point", areas.isfahan, organizations.education_isfahan
    )
    token, _raw = create_api_token(actor=analyst, name="isfahan-script")
    neighborhood = create_area(
        actor=None,
        level=AreaLevel.objects.get(code="neighborhood"),
        code="1001999",
        name_fa="محله جلفا",
        parent=areas.isfahan_county,
    )
    indicator = create_indicator(
        actor=None,
        code=ISFAHAN_INDICATOR,
        name_fa="دانش‌آموزان",
        value_type="count",
        category=Category.objects.create(code="education", name_fa="آموزش"),
        owner=organizations.education_isfahan,
        is_key=True,
    )
    period = Period.objects.get(code="1402")
    value = set_value(
        actor=None, indicator=indicator, area=neighborhood, period=period, value="700"
    )
    data_set = indicator_actions.create_data_set(
        actor=None,
        code=ISFAHAN_DATA_SET,
        name_fa="مدارس محله",
        level=neighborhood.level,
        period_type="year",
        owner=organizations.education_isfahan,
        indicators=[indicator],
    )
    rule = indicator_actions.create_validation_rule(
        actor=None,
        code=ISFAHAN_RULE,
        name_fa="دانش‌آموزان از خودشان بیشتر نیستند",
        left=indicator,
        operator="le",
        right=indicator,
    )
    completion = indicator_actions.complete_data_set(
        actor=None, data_set=data_set, area=neighborhood, period=period
    )
    upload = SimpleUploadedFile(
        "isfahan-figures.csv",
        "indicator,area,period,breakdown,value,comment\n"
        f"{ISFAHAN_INDICATOR},{neighborhood.code},1402,,800,\n".encode(),
    )
    value_import = indicator_actions.upload_values(
        actor=clerk,
        upload=upload,
        format="csv",
        area=areas.isfahan_county,
        source=organizations.education_isfahan,
    )
    value_import = indicator_actions.run_import(actor=clerk, value_import=value_import, apply=False)
    area_import = geo_actions.start_area_import(
        actor=None,
        area_import=geo_actions.upload_areas(
            actor=None,
            upload=SimpleUploadedFile(
                "isfahan-areas.csv", "code,name_fa\n1001998,محله نو\n".encode()
            ),
            format="csv",
            level=neighborhood.level,
            parent=areas.isfahan_county,
        ),
        apply=False,
    )
    area_name = geo_actions.add_area_name(
        actor=None, area=areas.isfahan_county, name="سپاهان", kind=AreaName.Kind.FORMER
    )
    return SimpleNamespace(
        area=areas.isfahan,
        county=areas.isfahan_county,
        area_name=area_name,
        neighborhood=neighborhood,
        indicator=indicator,
        value=value,
        data_set=data_set,
        completion=completion,
        rule=rule,
        value_import=value_import,
        area_import=area_import,
        period=period,
        organization=organizations.education_isfahan,
        event=AuditEvent.objects.get(
            verb=ORGANIZATION_CREATED, target_id=str(organizations.education_isfahan.pk)
        ),
        user=analyst,
        grant=Grant.objects.get(user=analyst),
        token=token,
    )


def state(isfahan, organizations) -> dict:
    """Return what an out-of-scope write could change."""
    isfahan.organization.refresh_from_db()
    organizations.welfare_tehran.refresh_from_db()
    isfahan.user.refresh_from_db()
    return {
        "organizations": sorted(
            Organization.objects.values_list("code", "name_fa", "area_id", "parent_id", "version")
        ),
        "covered": sorted(Organization.covered_areas.through.objects.values_list("pk", flat=True)),
        "user": (isfahan.user.is_active, isfahan.user.first_name, isfahan.user.version),
        "grants": sorted(Grant.objects.values_list("pk", flat=True)),
        "tokens": sorted(ApiToken.objects.values_list("pk", flat=True)),
        "events": AuditEvent.objects.count(),
        "areas": sorted(
            Area.objects.values_list(
                "pk", "code", "name_fa", "parent_id", "path", "valid_to", "version"
            )
        ),
        "area_names": sorted(AreaName.objects.values_list("pk", "area_id", "name")),
        "values": (IndicatorValue.objects.count(), values_checksum()),
        "catalogue": (
            sorted(Indicator.objects.values_list("code", "name_fa", "owner_id", "version")),
            sorted(DataSet.objects.values_list("code", "name_fa", "owner_id", "version")),
            sorted(DataSet.indicators.through.objects.values_list("dataset_id", "indicator_id")),
            sorted(ValidationRule.objects.values_list("code", "operator", "left_id", "version")),
        ),
        "completions": sorted(
            DataSetCompletion.objects.values_list("pk", "period_id", "is_completed", "version")
        ),
        "imports": sorted(
            ValueImport.objects.values_list(
                "pk", "status", "is_applying", "new_count", "changed_count", "finished_at"
            )
        ),
    }


def values_checksum() -> str:
    """Return a digest of every stored figure, so that any written figure shows."""
    rows = IndicatorValue.objects.order_by("pk").values_list(
        "pk", "indicator_id", "area_id", "period_id", "breakdown_id", "value", "comment",
        "source_id", "version",
    )  # fmt: skip
    text = "\n".join("|".join(str(part) for part in row) for row in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def assert_no_isfahan_data(response, isfahan):
    content = response.content.decode()
    assert ISFAHAN_ORGANIZATION_NAME not in content
    assert ISFAHAN_USERNAME not in content
    assert ISFAHAN_CLERK not in content
    assert "Isfahan" not in content


# -- pages


@dataclass(frozen=True)
class Page:
    """A page that takes the id of an object in Isfahan."""

    url_name: str
    kwargs: object  # isfahan -> URL kwargs
    method: str = "get"
    data: object = field(default=lambda isfahan, areas: {})
    allowed_user: str = "isfahan_manager"
    label: str = ""

    def url(self, isfahan) -> str:
        return reverse(self.url_name, kwargs=self.kwargs(isfahan))


def organization_form(isfahan, areas):
    return {
        "code": isfahan.organization.code,
        "name_fa": "تغییر از بیرون",
        "kind": "agency",
        "area": isfahan.area.pk,
        "is_active": "on",
        "version": 1,
    }


def area_form(isfahan, areas):
    return {"code": isfahan.county.code, "name_fa": "تغییر از بیرون", "version": 1}


def area_name_form(isfahan, areas):
    return {"name": "نام از بیرون", "kind": "colloquial", "language": "fa"}


def new_area_form(isfahan, areas):
    sector = AreaLevel.objects.get(code="sector")
    return {"level": sector.pk, "code": "100101", "name_fa": "بخش نو"}


def split_form(isfahan, areas):
    return {
        "date": "1404/01/01",
        "version": 1,
        **{f"part_{n}_{key}": value for n in (1, 2) for key, value in (
            ("code", f"10{n}9"), ("name_fa", f"بخش {n}"), ("share", "50"),
        )},
    }  # fmt: skip


def boundary_form(isfahan, areas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    square = {
        "type": "Polygon",
        "coordinates": [[[51.6, 32.6], [51.7, 32.6], [51.7, 32.7], [51.6, 32.7], [51.6, 32.6]]],
    }
    return {
        "file": SimpleUploadedFile("b.geojson", json.dumps(square).encode()),
        "source": "از بیرون",
        "version": 1,
    }


def merge_form(isfahan, areas):
    return {"others": [], "code": "1099", "name_fa": "ادغام", "date": "1404/01/01"}


def grid(isfahan) -> dict:
    """Return the address of the Isfahan data set's grid for the Isfahan neighborhood."""
    return {
        "data_set_code": ISFAHAN_DATA_SET,
        "area_pk": isfahan.neighborhood.pk,
        "period_code": isfahan.period.code,
    }


def import_of(isfahan) -> dict:
    return {"pk": isfahan.value_import.pk}


def cell_form(isfahan, areas):
    return {
        "indicator": ISFAHAN_INDICATOR,
        "breakdown": "",
        "value": "9",
        "comment": "از بیرون",
        "version": isfahan.value.version,
    }


def indicator_form(isfahan, areas):
    indicator = isfahan.indicator
    return {
        "code": indicator.code,
        "name_fa": "تغییر از بیرون",
        "category": indicator.category_id,
        "owner": indicator.owner_id,
        "value_type": "count",
        "aggregation": "sum",
        "direction": "neutral",
        "kind": "measured",
        "factor": "1",
        "is_key": "on",
        "order": "0",
        "is_active": "on",
        "version": indicator.version,
    }


def data_set_form(isfahan, areas):
    data_set = isfahan.data_set
    return {
        "code": data_set.code,
        "name_fa": "تغییر از بیرون",
        "level": data_set.level_id,
        "period_type": data_set.period_type,
        "owner": data_set.owner_id,
        "indicators": [isfahan.indicator.pk],
        "version": data_set.version,
    }


def rule_form(isfahan, areas):
    rule = isfahan.rule
    return {
        "code": rule.code,
        "name_fa": "تغییر از بیرون",
        "left": rule.left_id,
        "operator": "lt",
        "right": rule.right_id,
        "is_active": "on",
        "version": rule.version,
    }


PAGES = [
    Page("geo:area_detail", lambda i: {"pk": i.area.pk}),
    Page("geo:area_create", lambda i: {"pk": i.county.pk}),
    Page("geo:area_create", lambda i: {"pk": i.county.pk}, "post", new_area_form),
    Page("geo:area_update", lambda i: {"pk": i.county.pk}),
    Page("geo:area_update", lambda i: {"pk": i.county.pk}, "post", area_form),
    Page("geo:area_name_create", lambda i: {"pk": i.county.pk}),
    Page("geo:area_name_create", lambda i: {"pk": i.county.pk}, "post", area_name_form),
    Page("geo:area_name_delete", lambda i: {"pk": i.county.pk, "name_pk": i.area_name.pk}, "post"),
    Page("geo:area_move", lambda i: {"pk": i.county.pk}),
    Page(
        "geo:area_move",
        lambda i: {"pk": i.county.pk},
        "post",
        lambda i, areas: {"parent": i.area.pk, "version": 1},
    ),
    Page("geo:area_split", lambda i: {"pk": i.county.pk}),
    Page("geo:area_split", lambda i: {"pk": i.county.pk}, "post", split_form),
    Page("geo:area_boundary", lambda i: {"pk": i.county.pk}),
    Page("geo:area_boundary", lambda i: {"pk": i.county.pk}, "post", boundary_form),
    Page("geo:area_merge", lambda i: {"pk": i.county.pk}),
    Page("geo:area_merge", lambda i: {"pk": i.county.pk}, "post", merge_form),
    Page("geo:area_end", lambda i: {"pk": i.county.pk}),
    Page(
        "geo:area_end",
        lambda i: {"pk": i.county.pk},
        "post",
        lambda i, areas: {"date": "1404/01/01", "reason": "از بیرون", "confirm": "on"},
    ),
    Page("geo:area_identifiers", lambda i: {"pk": i.county.pk}),
    Page(
        "geo:area_identifiers",
        lambda i: {"pk": i.county.pk},
        "post",
        lambda i, areas: {"scheme": "moh", "value": "ISF-1"},
    ),
    Page("registry:organization_detail", lambda i: {"code": i.organization.code}),
    Page("registry:organization_update", lambda i: {"code": i.organization.code}),
    Page(
        "registry:organization_update",
        lambda i: {"code": i.organization.code},
        method="post",
        data=organization_form,
    ),
    Page("audit:event_detail", lambda i: {"pk": i.event.pk}),
    Page("accounts:user_detail", lambda i: {"pk": i.user.pk}),
    Page("accounts:user_update", lambda i: {"pk": i.user.pk}),
    Page(
        "accounts:user_update",
        lambda i: {"pk": i.user.pk},
        method="post",
        data=lambda i, areas: {"first_name": "تغییر", "version": i.user.version},
    ),
    Page("accounts:grant_create", lambda i: {"pk": i.user.pk}),
    Page(
        "accounts:grant_create",
        lambda i: {"pk": i.user.pk},
        method="post",
        data=lambda i, areas: {"role": "", "area": i.area.pk},
    ),
    Page("accounts:user_command", lambda i: {"pk": i.user.pk, "command": "deactivate"}, "post"),
    Page("accounts:grant_revoke", lambda i: {"pk": i.grant.pk}, "post"),
    Page("accounts:api_token_revoke", lambda i: {"pk": i.token.pk}, "post"),
    # Figures: an Isfahan area in the address.
    Page("indicators:profile", lambda i: {"area_pk": i.county.pk}),
    Page("indicators:profile", lambda i: {"area_pk": i.area.pk}, label="province"),
    Page("indicators:profile", lambda i: {"area_pk": i.neighborhood.pk}, label="neighborhood"),
    Page("indicators:profile_pdf", lambda i: {"area_pk": i.county.pk}),
    Page(
        "indicators:profile_map",
        lambda i: {"area_pk": i.county.pk},
        data=lambda i, areas: {"indicator": ISFAHAN_INDICATOR},
    ),
    Page("indicators:entry_grid", grid),
    Page("indicators:entry_cell", grid, "post", cell_form),
    Page("indicators:entry_complete", lambda i: {**grid(i), "period_code": "1401"}, "post"),
    Page("indicators:entry_reopen", grid, "post"),
    Page(
        "indicators:reporting",
        lambda i: {},
        data=lambda i, areas: {"data_set": ISFAHAN_DATA_SET, "area": i.county.pk},
        label="area",
    ),
    # An import into an Isfahan area, by an Isfahan clerk.
    Page("indicators:import_detail", import_of),
    Page("indicators:import_progress", import_of),
    Page("indicators:import_problems", import_of),
    Page("indicators:import_apply", import_of, "post"),
    Page("indicators:import_rerun", import_of, "post"),
    Page("indicators:import_identifiers", import_of),
    Page("indicators:import_identifiers", import_of, "post"),
    # An import of areas under an Isfahan county.
    Page("geo:import_detail", lambda i: {"pk": i.area_import.pk}),
    Page("geo:import_progress", lambda i: {"pk": i.area_import.pk}),
    Page("geo:import_apply", lambda i: {"pk": i.area_import.pk}, "post"),
    Page("geo:import_rerun", lambda i: {"pk": i.area_import.pk}, "post"),
    # An Isfahan area in the query of a page that is open to the Tehran manager.
    Page(
        "indicators:dataset_template",
        lambda i: {"code": ISFAHAN_DATA_SET},
        data=lambda i, areas: {"area": i.county.pk, "period": "1402"},
        label="area",
    ),
    Page(
        "indicators:violations",
        lambda i: {},
        data=lambda i, areas: {"area": i.county.pk, "period": "1402"},
        label="area",
    ),
    Page(
        "indicators:value_export",
        lambda i: {},
        data=lambda i, areas: {"area": i.county.pk, "format": "csv", "below": "on"},
        label="area",
    ),
]

# Catalogue rows owned in Isfahan: shared, so visible to the Tehran manager, but only
# changed by those who manage the owner's area: 403, not 404.
VISIBLE_PAGES = [
    Page("indicators:indicator_update", lambda i: {"code": ISFAHAN_INDICATOR}),
    Page(
        "indicators:indicator_update", lambda i: {"code": ISFAHAN_INDICATOR}, "post", indicator_form
    ),
    Page("indicators:dataset_update", lambda i: {"code": ISFAHAN_DATA_SET}),
    Page("indicators:dataset_update", lambda i: {"code": ISFAHAN_DATA_SET}, "post", data_set_form),
    Page("indicators:rule_update", lambda i: {"code": ISFAHAN_RULE}),
    Page("indicators:rule_update", lambda i: {"code": ISFAHAN_RULE}, "post", rule_form),
    # Adding an identifier is tested in indicators/tests/test_identifiers.py.
    Page("indicators:indicator_identifiers", lambda i: {"code": ISFAHAN_INDICATOR}),
]


def page_id(page: Page) -> str:
    suffix = f" ({page.label})" if page.label else ""
    return f"{page.method.upper()} {page.url_name}{suffix}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_tehran_manager_gets_404_for_an_isfahan_object_on_every_page(
    client, login, people, areas, organizations, isfahan, page
):
    login(people.tehran_manager)
    before = state(isfahan, organizations)
    response = getattr(client, page.method)(page.url(isfahan), page.data(isfahan, areas))
    assert response.status_code == 404
    assert_no_isfahan_data(response, isfahan)
    assert state(isfahan, organizations) == before


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_the_same_pages_open_for_a_user_whose_grant_covers_isfahan(
    client, login, people, areas, organizations, isfahan, page, front_end_assets
):
    login(getattr(people, page.allowed_user))
    response = getattr(client, page.method)(page.url(isfahan), page.data(isfahan, areas))
    assert response.status_code < 400


@pytest.mark.parametrize("page", VISIBLE_PAGES, ids=page_id)
def test_tehran_manager_gets_403_changing_an_isfahan_owned_catalogue_row_and_nothing_changes(
    client, login, people, areas, organizations, isfahan, page
):
    login(people.tehran_manager)
    before = state(isfahan, organizations)
    response = getattr(client, page.method)(page.url(isfahan), page.data(isfahan, areas))
    assert response.status_code == 403
    assert_no_isfahan_data(response, isfahan)
    assert state(isfahan, organizations) == before


@pytest.mark.parametrize("page", VISIBLE_PAGES, ids=page_id)
def test_the_isfahan_manager_changes_the_same_catalogue_rows(
    client, login, people, areas, organizations, isfahan, page
):
    login(people.isfahan_manager)
    before = state(isfahan, organizations)["catalogue"]
    response = getattr(client, page.method)(page.url(isfahan), page.data(isfahan, areas))
    if page.method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert state(isfahan, organizations)["catalogue"] != before


@pytest.mark.parametrize("url_name", ["indicators:indicator_detail", "indicators:dataset_detail"])
def test_tehran_manager_reads_an_isfahan_owned_catalogue_row_but_no_isfahan_figure(
    client, login, people, isfahan, url_name
):
    code = ISFAHAN_INDICATOR if url_name == "indicators:indicator_detail" else ISFAHAN_DATA_SET
    login(people.tehran_manager)
    response = client.get(reverse(url_name, args=[code]))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    content = response.content.decode()
    assert f"/{code}/edit/" not in content
    for figure in ISFAHAN_FIGURES:
        assert figure not in content


def test_the_template_of_an_isfahan_owned_data_set_lists_only_the_users_own_areas(
    client, login, people, isfahan
):
    url = reverse("indicators:dataset_template", args=[ISFAHAN_DATA_SET])

    def area_codes() -> set[str]:
        response = client.get(url, {"period": "1402"})
        assert response.status_code == 200
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
        return {row[2] for row in sheet.to_python()[1:]}

    login(people.tehran_manager)
    assert isfahan.neighborhood.code not in area_codes()
    login(people.isfahan_manager)
    assert area_codes() == {isfahan.neighborhood.code}


@pytest.mark.parametrize("area_name", ["county", "area", "neighborhood"])
def test_the_profile_of_an_isfahan_area_shows_the_tehran_manager_no_isfahan_figure(
    client, login, people, isfahan, area_name
):
    url = reverse("indicators:profile", args=[getattr(isfahan, area_name).pk])
    login(people.tehran_manager)
    response = client.get(url)
    assert response.status_code == 404
    # The page's random CSRF token may hold any digits ("…700…"): it is no figure.
    content = re.sub(
        r'"X-CSRFToken":\s*"[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"',
        "",
        response.content.decode(),
    )
    for figure in ISFAHAN_FIGURES:
        assert figure not in content
    # The figure is on the page for a user whose grant covers Isfahan.
    login(people.isfahan_manager)
    assert "۷۰۰" in client.get(url).content.decode()


def test_tehran_manager_gets_404_for_an_isfahan_area_on_its_page(client, login, people, areas):
    login(people.tehran_manager)
    for area in (areas.isfahan, areas.isfahan_county, areas.country):
        assert client.get(f"/areas/{area.pk}/").status_code == 404


def test_tehran_manager_gets_404_for_an_isfahan_organization_on_its_page(
    client, login, people, organizations
):
    login(people.tehran_manager)
    response = client.get("/organizations/education-isfahan/")
    assert response.status_code == 404
    assert ISFAHAN_ORGANIZATION_NAME not in response.content.decode()


def test_an_analyst_gets_403_for_a_tehran_organization_they_may_only_read(
    client, login, people, organizations
):
    login(people.tehran_analyst)
    assert client.get("/organizations/welfare-tehran/").status_code == 200
    assert client.get("/organizations/welfare-tehran/edit/").status_code == 403
    assert client.get("/organizations/new/").status_code == 403


# -- lists and pickers: the rows are scoped, a search for Isfahan finds nothing


@pytest.mark.parametrize(
    "path",
    [
        "/areas/?q=اصفهان",
        "/areas/options/?q=اصفهان",
        "/areas/options/?q=اصفهان&action=manage",
        "/organizations/?q=اصفهان",
        "/organizations/options/?q=اصفهان",
        "/audit/?q=اصفهان",
        "/accounts/users/?q=isfahan",
    ],
)
def test_tehran_manager_finds_nothing_of_isfahan_in_lists_and_pickers(
    client, login, people, isfahan, path
):
    login(people.tehran_manager)
    response = client.get(path)
    assert response.status_code == 200
    assert_no_isfahan_data(response, isfahan)
    content = response.content.decode()
    for area in (isfahan.area, isfahan.county):
        assert f'href="/areas/{area.pk}/"' not in content
    assert f'href="/organizations/{isfahan.organization.code}/"' not in content
    if "/options/" in path:
        offered = {area.pk for area in (isfahan.area, isfahan.county)}
        if path.startswith("/organizations/"):
            offered = {isfahan.organization.pk}
        for pk in offered:
            assert f'<option value="{pk}"' not in content


def test_tehran_manager_filtering_organizations_by_an_isfahan_area_sees_nothing(
    client, login, people, isfahan
):
    login(people.tehran_manager)
    response = client.get("/organizations/", {"area": isfahan.area.pk})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    assert_no_isfahan_data(response, isfahan)


# -- the API


@dataclass(frozen=True)
class Operation:
    """An API operation that takes the id of an object in Isfahan, in the path or the body."""

    method: str
    path: str  # as the OpenAPI document names it
    params: object  # isfahan -> path parameters
    body: object = None  # (isfahan, areas, organizations) -> JSON body
    query: object = None  # isfahan -> query parameters
    allowed_user: str = "isfahan_manager"
    label: str = ""

    def url(self, isfahan) -> str:
        return self.path.format(**self.params(isfahan))


def new_tehran_organization(isfahan, areas, organizations, **fields):
    return {
        "code": "relief-tehran",
        "name_fa": "کمیته امداد",
        "kind": "charity",
        "area_id": areas.tehran.pk,
        **fields,
    }


def isfahan_data_values(isfahan) -> dict:
    return {
        "dataValues": [
            {
                "dataElement": ISFAHAN_INDICATOR,
                "orgUnit": isfahan.neighborhood.code,
                "period": "1402",
                "value": "9",
            }
        ]
    }


OPERATIONS = [
    Operation("get", "/api/v1/areas/{area_id}", lambda i: {"area_id": i.area.pk}),
    Operation("get", "/api/v1/areas/{area_id}", lambda i: {"area_id": i.county.pk}, label="county"),
    Operation("get", "/api/v1/areas/{area_id}/children", lambda i: {"area_id": i.area.pk}),
    Operation("get", "/api/v1/areas/{area_id}/ancestors", lambda i: {"area_id": i.county.pk}),
    Operation("get", "/api/v1/areas/{area_id}/children.geojson", lambda i: {"area_id": i.area.pk}),
    Operation(
        "post",
        "/api/v1/areas/{area_id}/end",
        lambda i: {"area_id": i.county.pk},
        body=lambda i, areas, organizations: {"date": "2025-03-21", "reason": "از بیرون"},
    ),
    Operation("get", "/api/v1/organizations/{code}", lambda i: {"code": i.organization.code}),
    Operation(
        "patch",
        "/api/v1/organizations/{code}",
        lambda i: {"code": i.organization.code},
        body=lambda i, areas, organizations: {"version": 1, "name_fa": "تغییر از بیرون"},
    ),
    Operation("get", "/api/v1/audit-events/{event_id}", lambda i: {"event_id": i.event.pk}),
    # Ids of Isfahan objects in a query or a body of an operation on the Tehran side.
    Operation(
        "get",
        "/api/v1/organizations/",
        lambda i: {},
        query=lambda i: {"area": i.area.pk},
        label="area filter",
    ),
    Operation(
        "post",
        "/api/v1/organizations/",
        lambda i: {},
        body=lambda i, areas, organizations: {
            **new_tehran_organization(i, areas, organizations),
            "area_id": i.county.pk,
        },
        label="seat",
    ),
    Operation(
        "post",
        "/api/v1/organizations/",
        lambda i: {},
        body=lambda i, areas, organizations: new_tehran_organization(
            i, areas, organizations, parent=i.organization.code
        ),
        allowed_user="admin",
        label="parent",
    ),
    Operation(
        "post",
        "/api/v1/organizations/",
        lambda i: {},
        body=lambda i, areas, organizations: new_tehran_organization(
            i, areas, organizations, covered_area_ids=[i.county.pk]
        ),
        allowed_user="admin",
        label="covered area",
    ),
    Operation(
        "patch",
        "/api/v1/organizations/{code}",
        lambda i: {"code": "welfare-tehran"},
        body=lambda i, areas, organizations: {"version": 1, "area_id": i.area.pk},
        allowed_user="admin",
        label="move to isfahan",
    ),
    Operation(
        "patch",
        "/api/v1/organizations/{code}",
        lambda i: {"code": "welfare-tehran"},
        body=lambda i, areas, organizations: {"version": 1, "parent": i.organization.code},
        allowed_user="admin",
        label="isfahan parent",
    ),
    Operation(
        "patch",
        "/api/v1/organizations/{code}",
        lambda i: {"code": "welfare-tehran"},
        body=lambda i, areas, organizations: {"version": 1, "covered_area_ids": [i.county.pk]},
        allowed_user="admin",
        label="isfahan covered area",
    ),
    # Figures: an Isfahan area in the path, the query or the body.
    Operation(
        "get",
        "/api/v1/indicators/areas/{area_id}/profile",
        lambda i: {"area_id": i.neighborhood.pk},
    ),
    Operation(
        "get",
        "/api/v1/indicators/areas/{area_id}/profile",
        lambda i: {"area_id": i.area.pk},
        label="province",
    ),
    Operation(
        "get",
        "/api/v1/indicators/values",
        lambda i: {},
        query=lambda i: {"area": i.neighborhood.pk},
        label="area",
    ),
    Operation(
        "get",
        "/api/v1/indicators/values",
        lambda i: {},
        query=lambda i: {"area": i.area.pk, "below": "true"},
        label="subtree",
    ),
    Operation(
        "get",
        "/api/v1/indicators/aggregates",
        lambda i: {},
        query=lambda i: {"indicator": ISFAHAN_INDICATOR, "area": i.area.pk, "periods": "1402"},
        label="area",
    ),
    Operation(
        "post",
        "/api/v1/indicators/values",
        lambda i: {},
        body=lambda i, areas, organizations: {
            "indicator": ISFAHAN_INDICATOR,
            "area_id": i.neighborhood.pk,
            "period": "1402",
            "value": "9",
        },
        label="area",
    ),
    Operation(
        "post",
        "/api/v1/indicators/dataValueSets",
        lambda i: {},
        body=lambda i, areas, organizations: isfahan_data_values(i),
        query=lambda i: {"area": i.county.pk, "source": i.organization.code},
        label="area",
    ),
    Operation(
        "post",
        "/api/v1/indicators/dataValueSets",
        lambda i: {},
        body=lambda i, areas, organizations: isfahan_data_values(i),
        query=lambda i: {"source": i.organization.code},
        label="source",
    ),
    Operation(
        "get",
        "/api/v1/reporting/completions",
        lambda i: {},
        query=lambda i: {"area_id": i.county.pk},
        label="area",
    ),
    Operation(
        "get",
        "/api/v1/reporting/rates",
        lambda i: {},
        query=lambda i: {"data_set": ISFAHAN_DATA_SET, "area_id": i.county.pk, "period": "1402"},
        label="area",
    ),
    Operation(
        "post",
        "/api/v1/reporting/completions",
        lambda i: {},
        body=lambda i, areas, organizations: {
            "data_set": ISFAHAN_DATA_SET,
            "area_id": i.neighborhood.pk,
            "period": "1401",
        },
        label="area",
    ),
    Operation(
        "post",
        "/api/v1/reporting/completions/{completion_id}/reopen",
        lambda i: {"completion_id": i.completion.pk},
        body=lambda i, areas, organizations: {},
    ),
    Operation(
        "post",
        "/api/v1/indicators/identifiers",
        lambda i: {},
        body=lambda i, areas, organizations: {
            "scheme": "moh",
            "value": "ISF-1",
            "area_id": i.county.pk,
        },
        label="area",
    ),
]


def operation_id(operation: Operation) -> str:
    suffix = f" ({operation.label})" if operation.label else ""
    return f"{operation.method.upper()} {operation.path}{suffix}"


def call(client, operation, isfahan, areas, organizations, headers=None):
    url = operation.url(isfahan)
    method = getattr(client, operation.method)
    if operation.body is not None:
        if operation.query:
            url += "?" + urlencode(operation.query(isfahan))
        return method(
            url,
            operation.body(isfahan, areas, organizations),
            content_type="application/json",
            headers=headers or {},
        )
    query = operation.query(isfahan) if operation.query else {}
    return method(url, query, headers=headers or {})


@pytest.mark.parametrize("operation", OPERATIONS, ids=operation_id)
@pytest.mark.parametrize("auth", ["session", "token"])
def test_tehran_manager_gets_404_for_an_isfahan_object_in_every_api_operation(
    client, login, bearer, people, areas, organizations, isfahan, operation, auth
):
    headers = None
    if auth == "session":
        login(people.tehran_manager)
    else:
        headers = bearer(people.tehran_manager)
    before = state(isfahan, organizations)
    response = call(client, operation, isfahan, areas, organizations, headers)
    assert_error(response, 404, "not_found")
    assert_no_isfahan_data(response, isfahan)
    assert state(isfahan, organizations) == before


@pytest.mark.parametrize("operation", OPERATIONS, ids=operation_id)
def test_the_same_operations_succeed_for_a_user_whose_grant_covers_isfahan(
    client, login, people, areas, organizations, isfahan, operation
):
    login(getattr(people, operation.allowed_user))
    response = call(client, operation, isfahan, areas, organizations)
    assert response.status_code < 400, response.content
    if operation.path.endswith("/dataValueSets"):
        # An import summary reports its own failures with 200 and status ERROR.
        assert response.json()["status"] == "SUCCESS", response.content


def test_tehran_manager_gets_404_for_an_isfahan_area_in_the_api(client, login, people, areas):
    login(people.tehran_manager)
    for area in (areas.isfahan, areas.isfahan_county):
        assert_error(client.get(f"/api/v1/areas/{area.pk}"), 404)
        assert_error(client.get(f"/api/v1/areas/{area.pk}/children"), 404)


def test_tehran_manager_gets_404_for_an_isfahan_organization_in_the_api(
    client, login, people, organizations
):
    login(people.tehran_manager)
    response = client.get("/api/v1/organizations/education-isfahan")
    assert_error(response, 404)
    assert ISFAHAN_ORGANIZATION_NAME not in response.content.decode()


def test_an_analyst_gets_403_for_a_change_to_a_tehran_organization_they_may_only_read(
    client, login, people, organizations
):
    login(people.tehran_analyst)
    assert client.get("/api/v1/organizations/welfare-tehran").status_code == 200
    response = client.patch(
        "/api/v1/organizations/welfare-tehran",
        {"version": 1, "name_fa": "تغییر"},
        content_type="application/json",
    )
    assert_error(response, 403, "forbidden")
    organizations.welfare_tehran.refresh_from_db()
    assert organizations.welfare_tehran.name_fa == "بهزیستی استان تهران"


def test_the_indicator_catalogue_is_shared_but_the_isfahan_figures_are_not(
    client, login, people, organizations, isfahan
):
    login(people.tehran_manager)
    indicator = client.get(f"/api/v1/indicators/{ISFAHAN_INDICATOR}")
    assert indicator.status_code == 200
    assert indicator.json()["owner"] == isfahan.organization.code
    assert client.get("/api/v1/indicators/periods/1402").status_code == 200
    values = client.get("/api/v1/indicators/values", {"indicator": ISFAHAN_INDICATOR})
    assert values.json()["items"] == []
    assert "700" not in values.content.decode()


def test_an_analyst_gets_403_writing_a_figure_in_their_own_province(
    client, login, people, organizations, isfahan
):
    login(isfahan.user)  # an analyst over Isfahan
    before = state(isfahan, organizations)
    response = client.post(
        "/api/v1/indicators/values",
        {
            "indicator": ISFAHAN_INDICATOR,
            "area_id": isfahan.neighborhood.pk,
            "period": "1402",
            "value": "9",
        },
        content_type="application/json",
    )
    assert_error(response, 403, "forbidden")
    assert state(isfahan, organizations) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/areas/?q=اصفهان",
        "/api/v1/areas/?code=10",
        "/api/v1/areas/?parent={area}",
        "/api/v1/organizations/?q=isfahan",
        "/api/v1/organizations/?kind=agency",
        "/api/v1/audit-events/?verb=organization.created",
        "/api/v1/areas/?limit=500",
        "/api/v1/organizations/?limit=500",
        "/api/v1/audit-events/?limit=500",
        "/api/v1/indicators/values?limit=500",
        f"/api/v1/indicators/values?limit=500&indicator={ISFAHAN_INDICATOR}",
    ],
)
def test_tehran_manager_finds_nothing_of_isfahan_in_api_lists(client, login, people, isfahan, path):
    login(people.tehran_manager)
    response = client.get(path.format(area=isfahan.area.pk))
    assert response.status_code == 200
    assert_no_isfahan_data(response, isfahan)
    items = response.json()["items"]
    isfahan_areas = {isfahan.area.pk, isfahan.county.pk, isfahan.neighborhood.pk}
    assert not {item.get("area_id") for item in items} & isfahan_areas
    assert isfahan.organization.code not in {item.get("code") for item in items}
    if path.startswith("/api/v1/areas/"):
        assert not {item["id"] for item in items} & isfahan_areas


# -- every page and operation that takes an id has a case above


def named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_page_that_takes_an_id_has_an_out_of_scope_case():
    with_ids = {
        name
        for name, pattern in named_patterns(get_resolver().url_patterns)
        if pattern.pattern.converters and not name.startswith("api:")
    }
    covered = {page.url_name for page in (*PAGES, *VISIBLE_PAGES)}
    missing = with_ids - covered - set(PAGES_WITHOUT_AN_AREA)
    assert missing == set(), f"Add out-of-scope cases for these pages: {sorted(missing)}"


def test_every_api_operation_that_takes_an_id_has_an_out_of_scope_case(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    with_ids = {
        (method, path) for path, operations in paths.items() if "{" in path for method in operations
    }
    covered = {(operation.method, operation.path) for operation in OPERATIONS}
    missing = with_ids - covered - set(OPERATIONS_WITHOUT_AN_AREA)
    assert missing == set(), f"Add out-of-scope cases for these operations: {sorted(missing)}"
