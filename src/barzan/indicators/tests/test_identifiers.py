"""
External identifiers: a ministry's DHIS2 export names indicators, areas and breakdowns by
its own uids. The first dry run lists the uids Barzan does not know; a manager maps them
once; the second dry run matches everything, and applying writes the values.
"""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from barzan.audit.models import AuditEvent
from barzan.core.models import ImportStatus
from barzan.geo.actions import add_area_identifier
from barzan.geo.models import AreaIdentifier
from barzan.indicators import actions, formats
from barzan.indicators.identifiers import IdSchemes, parse_scheme, schemes_from
from barzan.indicators.models import (
    Breakdown,
    BreakdownIdentifier,
    IndicatorIdentifier,
    IndicatorValue,
    ValueImport,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EXPORT = Path(__file__).parent / "data" / "ministry_uids.json"
UIDS = IdSchemes(indicator="dhis2", area="dhis2", breakdown="dhis2")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def imports_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TASKS = IMMEDIATE


@pytest.fixture
def places(neighborhoods):
    return neighborhoods


def check(area, source, *, schemes=UIDS, dry_run=True, content=None, actor=None):
    return actions.import_values(
        actor=actor,
        stream=io.BytesIO(content if content is not None else EXPORT.read_bytes()),
        format=formats.DHIS2_JSON,
        area=area,
        source=source,
        dry_run=dry_run,
        schemes=schemes,
    )


def female():
    return Breakdown.objects.get(code="female")


def total():
    return Breakdown.objects.get(code="total")


def map_all(actor, catalogue, places):
    return actions.map_identifiers(
        actor=actor,
        schemes=UIDS,
        indicators={"f7n9E0hX8qk": catalogue.households, "eY5ehpbEsB7": catalogue.population},
        areas={"DiszpKrYNg8": places.n1, "Rp268JB6Ne4": places.n2},
        breakdowns={"HllvX50cXC0": total(), "rCMUTmcreqP": female()},
    )


# -- The acceptance line, through the actions ------------------------------------------------


def test_a_ministry_export_with_uids_imports_after_mapping_uids_once(
    areas, catalogue, places, people
):
    first = check(areas.tehran, catalogue.owner)
    assert first.is_valid is False
    assert first.unknown_identifiers() == {
        "indicator": ["f7n9E0hX8qk", "eY5ehpbEsB7"],
        "area": ["DiszpKrYNg8", "Rp268JB6Ne4"],
        "breakdown": ["HllvX50cXC0", "rCMUTmcreqP"],
    }
    assert (
        "No indicator has the identifier «f7n9E0hX8qk» in the scheme «dhis2»; map it to an "
        "indicator, then check the file again."
    ) in [problem["message"] for problem in first.problems]

    assert map_all(people.admin, catalogue, places) == 6

    second = check(areas.tehran, catalogue.owner)
    assert second.is_valid, second.problems
    assert (second.new, second.changed, second.unchanged) == (3, 0, 0)
    assert second.unknown_identifiers() == {}

    applied = check(areas.tehran, catalogue.owner, dry_run=False)
    assert applied.applied
    stored = {
        (v.indicator.code, v.area.code, v.period.code, v.breakdown.code, str(v.value), v.comment)
        for v in IndicatorValue.objects.select_related("indicator", "area", "period", "breakdown")
    }
    assert {(row[0], row[1], row[2], row[3], row[5]) for row in stored} == {
        ("households", "N1", "1402", "total", ""),
        ("households", "N2", "1402", "total", ""),
        ("population", "N1", "1402", "female", "سرشماری"),
    }
    assert check(areas.tehran, catalogue.owner).unchanged == 3


def test_mapping_is_audited_and_saved_cleaned(catalogue, places, people):
    actions.add_indicator_identifier(
        actor=people.tehran_manager,
        indicator=catalogue.households,
        scheme=" MOH ",
        value="\u200fH-۱۲",
    )
    identifier = IndicatorIdentifier.objects.get()
    assert (identifier.scheme, identifier.value) == ("moh", "H-12")
    event = AuditEvent.objects.get(verb=actions.IDENTIFIER_ADDED)
    assert event.after == {"scheme": "moh", "value": "H-12"}


def test_a_dhis2_uid_must_have_the_dhis2_shape(catalogue, people):
    with pytest.raises(ValidationError, match="is not a DHIS2 uid"):
        actions.add_indicator_identifier(
            actor=people.admin, indicator=catalogue.households, scheme="dhis2", value="abc"
        )
    with pytest.raises(ValidationError, match="is not a DHIS2 uid"):
        actions.add_indicator_identifier(
            actor=people.admin, indicator=catalogue.households, scheme="dhis2", value="1bcdefghijk"
        )


def test_one_identifier_names_one_object_of_a_kind(catalogue, places, people):
    actions.add_indicator_identifier(
        actor=None, indicator=catalogue.households, scheme="dhis2", value="f7n9E0hX8qk"
    )
    # Again for the same indicator: nothing changes.
    actions.add_indicator_identifier(
        actor=None, indicator=catalogue.households, scheme="dhis2", value="f7n9E0hX8qk"
    )
    with pytest.raises(ValidationError, match="already names"):
        actions.add_indicator_identifier(
            actor=None, indicator=catalogue.population, scheme="dhis2", value="f7n9E0hX8qk"
        )
    # Another kind, or another scheme, may use the same value.
    add_area_identifier(actor=None, area=places.n1, scheme="dhis2", value="f7n9E0hX8qk")
    actions.add_indicator_identifier(
        actor=None, indicator=catalogue.population, scheme="moh", value="f7n9E0hX8qk"
    )
    # Several per object.
    actions.add_indicator_identifier(
        actor=None, indicator=catalogue.households, scheme="dhis2", value="Ix2HsbDMLea"
    )
    assert catalogue.households.identifiers.count() == 2
    assert AreaIdentifier.objects.count() == 1


def test_mapping_needs_who_manages_the_indicator_or_area(catalogue, places, people, areas):
    with pytest.raises(PermissionDenied):
        actions.add_indicator_identifier(
            actor=people.focal_point,
            indicator=catalogue.households,
            scheme="dhis2",
            value="f7n9E0hX8qk",
        )
    with pytest.raises(PermissionDenied):
        add_area_identifier(
            actor=people.isfahan_manager, area=places.n1, scheme="dhis2", value="DiszpKrYNg8"
        )
    # Breakdowns are shared by every indicator: a province's manager may not map them.
    with pytest.raises(PermissionDenied):
        actions.add_breakdown_identifier(
            actor=people.tehran_manager, breakdown=female(), scheme="dhis2", value="rCMUTmcreqP"
        )
    add_area_identifier(
        actor=people.tehran_manager, area=places.n1, scheme="dhis2", value="DiszpKrYNg8"
    )


def test_mapping_is_all_or_nothing(catalogue, places, people):
    with pytest.raises(PermissionDenied):
        map_all(people.tehran_manager, catalogue, places)
    assert not IndicatorIdentifier.objects.exists()
    assert not AreaIdentifier.objects.exists()
    assert not BreakdownIdentifier.objects.exists()


def test_an_identifier_of_an_area_outside_the_import_is_not_offered_for_mapping(
    areas, catalogue, places
):
    add_area_identifier(actor=None, area=places.isfahan, scheme="dhis2", value="DiszpKrYNg8")
    outcome = check(areas.tehran, catalogue.owner, schemes=IdSchemes(area="dhis2"))
    assert "DiszpKrYNg8" not in outcome.unknown_identifiers().get("area", [])
    assert "The area with the identifier «DiszpKrYNg8» is not a current area in Tehran." in [
        problem["message"] for problem in outcome.problems
    ]


def test_uids_are_matched_exactly(areas, catalogue, places):
    add_area_identifier(actor=None, area=places.n1, scheme="dhis2", value="DiszpKrYNg8")
    content = json.dumps(
        {"period": "1402", "dataValues": [
            {"dataElement": "households", "orgUnit": "diszpkrynG8", "value": "5"}
        ]}
    ).encode()  # fmt: skip
    outcome = check(areas.tehran, catalogue.owner, schemes=IdSchemes(area="dhis2"), content=content)
    assert outcome.unknown_identifiers() == {"area": ["diszpkrynG8"]}


def test_areas_can_be_matched_by_name_and_a_shared_name_is_a_problem(areas, catalogue, places):
    content = json.dumps(
        {"period": "1402", "dataValues": [
            {"dataElement": "households", "orgUnit": "محله يك", "value": "5"},
            {"dataElement": "households", "orgUnit": "تهران", "value": "6"},
            {"dataElement": "households", "orgUnit": "محله نه", "value": "7"},
        ]}
    ).encode()  # fmt: skip
    outcome = check(
        areas.tehran, catalogue.owner, schemes=schemes_from({"orgUnitIdScheme": "NAME"}),
        content=content,
    )  # fmt: skip
    messages = [(problem["line"], problem["message"]) for problem in outcome.problems]
    assert messages == [
        (
            2,
            "Several areas in Tehran are named «تهران»; match areas by code or by an "
            "identifier instead.",
        ),
        (3, "There is no current area named «محله نه» in Tehran."),
    ]


def test_id_scheme_parameters_follow_dhis2(areas):
    assert schemes_from({"idScheme": "UID"}) == UIDS
    assert schemes_from({"idScheme": "uid", "orgUnitIdScheme": "CODE"}) == IdSchemes(
        indicator="dhis2", breakdown="dhis2"
    )
    assert schemes_from({"idScheme": "attribute:moh"}) == IdSchemes("moh", "moh", "moh")
    assert schemes_from({"idScheme": "name"}) == IdSchemes(area="name")
    with pytest.raises(ValidationError, match="Only areas can be matched by name"):
        schemes_from({"dataElementIdScheme": "name"})
    with pytest.raises(ValidationError, match="is not an identifier scheme"):
        schemes_from({"idScheme": "no such!"})


def test_a_kind_matched_by_code_is_not_stored_and_stored_schemes_read_back():
    schemes = IdSchemes(area="name", breakdown="dhis2")

    assert schemes.as_dict() == {"area": "name", "breakdown": "dhis2"}
    assert IdSchemes().as_dict() == {}
    assert IdSchemes.of(schemes.as_dict()) == schemes
    assert IdSchemes.of(None) == IdSchemes.of({}) == IdSchemes()
    assert IdSchemes.of({"indicator": "", "area": "moh", "colour": "red"}) == IdSchemes(area="moh")


def test_only_an_external_scheme_is_looked_up_among_identifiers():
    schemes = IdSchemes(indicator="moh", area="name")

    assert [schemes.external(kind) for kind in ("indicator", "area", "breakdown")] == [
        "moh",
        None,
        None,
    ]


def test_a_scheme_is_read_as_dhis2_writes_it():
    assert [parse_scheme(text) for text in (None, "", " CODE ", "uid", "ID")] == [
        "code",
        "code",
        "code",
        "dhis2",
        "dhis2",
    ]
    assert parse_scheme("Attribute:MOH") == "moh"
    assert parse_scheme("Name") == parse_scheme("name", kind="area") == "name"
    assert parse_scheme("m" * 40) == "m" * 40


@pytest.mark.parametrize("kind", ["indicator", "breakdown"])
def test_only_areas_are_matched_by_name(kind):
    with pytest.raises(ValidationError) as refused:
        parse_scheme("NAME", kind=kind)

    assert refused.value.messages == [
        "Only areas can be matched by name; choose code or an identifier scheme."
    ]


@pytest.mark.parametrize("text", ["no such!", "m" * 41, "9lives"])
def test_a_scheme_that_is_no_short_name_is_refused_as_typed(text):
    with pytest.raises(ValidationError) as refused:
        parse_scheme(text)

    assert refused.value.messages == [
        f"«{text}» is not an identifier scheme: write code, uid, name (areas only) or the "
        "short name of a scheme such as moh."
    ]


def test_kinds_the_parameters_do_not_name_keep_their_scheme():
    base = IdSchemes(indicator="moh", area="name")

    assert schemes_from({}, base) == base
    assert schemes_from({"orgUnitIdScheme": "uid"}, base) == IdSchemes(
        indicator="moh", area="dhis2"
    )
    # An empty parameter is not given: idScheme sets that kind.
    assert schemes_from({"idScheme": "uid", "orgUnitIdScheme": ""}) == UIDS
    # idScheme=name names the areas only; the other kinds are matched by code.
    assert schemes_from({"idScheme": "name"}, base) == IdSchemes(area="name")


def test_each_wrong_parameter_is_named_in_the_error():
    with pytest.raises(ValidationError) as refused:
        schemes_from({"dataElementIdScheme": "name", "orgUnitIdScheme": "no such!"})
    assert refused.value.message_dict == {
        "dataElementIdScheme": [
            "Only areas can be matched by name; choose code or an identifier scheme."
        ],
        "orgUnitIdScheme": [
            "«no such!» is not an identifier scheme: write code, uid, name (areas only) or "
            "the short name of a scheme such as moh."
        ],
    }

    with pytest.raises(ValidationError) as general:
        schemes_from({"idScheme": "no such!", "orgUnitIdScheme": "code"})
    assert list(general.value.message_dict) == ["idScheme"]

    # A wrong idScheme overridden for every kind does no harm.
    assert schemes_from(
        {
            "idScheme": "no such!",
            "dataElementIdScheme": "uid",
            "orgUnitIdScheme": "name",
            "categoryOptionComboIdScheme": "code",
        }
    ) == IdSchemes(indicator="dhis2", area="name")


# -- The pages -------------------------------------------------------------------------------


def upload(client, area, source, **schemes):
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile("ministry.json", EXPORT.read_bytes()),
            "format": "",
            "area": area.pk,
            "source": source.pk,
            **schemes,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    pk = re.fullmatch(r"/indicators/imports/(\d+)/", response["Location"]).group(1)
    return ValueImport.objects.get(pk=pk)


def test_the_pages_map_unknown_uids_once_then_the_file_applies(
    client, login, areas, catalogue, places, people
):
    login(people.admin)
    value_import = upload(
        client, areas.tehran, catalogue.owner, indicator_scheme="uid", area_scheme="uid",
        breakdown_scheme="uid",
    )  # fmt: skip
    assert value_import.id_schemes == {"indicator": "dhis2", "area": "dhis2", "breakdown": "dhis2"}
    assert value_import.status == ImportStatus.CHECKED and value_import.problem_count == 9
    report = client.get(value_import.get_absolute_url()).content.decode()
    assert 'data-unknown="f7n9E0hX8qk"' in report and "data-map-link" in report

    page = client.get(f"/indicators/imports/{value_import.pk}/identifiers/")
    assert page.status_code == 200
    form = page.context["form"]
    names = {value: name for kind in form.names.values() for name, value in kind}
    assert set(names) == {
        "f7n9E0hX8qk", "eY5ehpbEsB7", "DiszpKrYNg8", "Rp268JB6Ne4", "HllvX50cXC0", "rCMUTmcreqP",
    }  # fmt: skip
    chosen = {
        "f7n9E0hX8qk": catalogue.households.pk,
        "eY5ehpbEsB7": catalogue.population.pk,
        "DiszpKrYNg8": places.n1.pk,
        "Rp268JB6Ne4": places.n2.pk,
        "HllvX50cXC0": total().pk,
        "rCMUTmcreqP": female().pk,
    }
    response = client.post(
        f"/indicators/imports/{value_import.pk}/identifiers/",
        {names[value]: pk for value, pk in chosen.items()},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    value_import.refresh_from_db()
    assert value_import.status == ImportStatus.CHECKED
    assert (value_import.problem_count, value_import.new_count) == (0, 3)
    assert value_import.unknown_identifiers == {}

    client.post(f"/indicators/imports/{value_import.pk}/apply/")
    value_import.refresh_from_db()
    assert value_import.status == ImportStatus.DONE
    assert IndicatorValue.objects.count() == 3


def test_the_upload_form_refuses_a_scheme_it_cannot_read(client, login, areas, catalogue, people):
    login(people.admin)
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile("ministry.json", EXPORT.read_bytes()),
            "area": areas.tehran.pk,
            "source": catalogue.owner.pk,
            "indicator_scheme": "name",
        },
    )
    assert response.status_code == 200
    assert "Only areas can be matched by name" in response.content.decode()


@pytest.fixture
def uid_import(client, login, areas, catalogue, people):
    login(people.admin)
    value_import = upload(client, areas.tehran, catalogue.owner, indicator_scheme="uid")
    client.logout()
    return value_import


def test_the_mapping_page_of_an_import_outside_the_users_areas_gets_404(
    client, login, uid_import, people
):
    login(people.isfahan_manager)
    url = f"/indicators/imports/{uid_import.pk}/identifiers/"
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_the_mapping_page_refuses_who_enters_figures_but_manages_nothing(
    client, login, uid_import, people
):
    login(people.focal_point)
    url = f"/indicators/imports/{uid_import.pk}/identifiers/"
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert not IndicatorIdentifier.objects.exists()


def test_a_province_manager_maps_indicators_but_not_breakdowns(
    client, login, areas, catalogue, places, people
):
    login(people.tehran_manager)
    value_import = upload(
        client, areas.tehran, catalogue.owner, indicator_scheme="uid", breakdown_scheme="uid"
    )
    page = client.get(f"/indicators/imports/{value_import.pk}/identifiers/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.names["breakdown"] == []
    assert {value for _kind, value in form.unmappable} == {"HllvX50cXC0", "rCMUTmcreqP"}


# -- The API ---------------------------------------------------------------------------------


def api_post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_the_api_imports_with_id_schemes_after_mapping(
    client, login, areas, catalogue, places, people
):
    login(people.admin)
    url = (
        "/api/v1/indicators/dataValueSets?dryRun=true&idScheme=uid"
        f"&area={areas.tehran.pk}&source={catalogue.owner.code}"
    )
    body = json.loads(EXPORT.read_text())
    first = api_post(client, url, body).json()
    assert first["status"] == "ERROR" and first["conflictCount"] == 9
    for payload in (
        {"scheme": "uid", "value": "f7n9E0hX8qk", "indicator": "households"},
        {"scheme": "uid", "value": "eY5ehpbEsB7", "indicator": "population"},
        {"scheme": "uid", "value": "DiszpKrYNg8", "area_id": places.n1.pk},
        {"scheme": "uid", "value": "Rp268JB6Ne4", "area_id": places.n2.pk},
        {"scheme": "uid", "value": "HllvX50cXC0", "breakdown": "total"},
        {"scheme": "uid", "value": "rCMUTmcreqP", "breakdown": "female"},
    ):
        response = api_post(client, "/api/v1/indicators/identifiers", payload)
        assert response.status_code == 201, response.content
    second = api_post(client, url, body).json()
    assert second["status"] == "SUCCESS", second
    assert second["importCount"]["imported"] == 3


def test_the_identifiers_api_refuses_out_of_scope_users(client, login, catalogue, places, people):
    login(people.isfahan_manager)
    response = api_post(
        client,
        "/api/v1/indicators/identifiers",
        {"scheme": "uid", "value": "DiszpKrYNg8", "area_id": places.n1.pk},
    )
    assert response.status_code == 404
    response = api_post(
        client,
        "/api/v1/indicators/identifiers",
        {"scheme": "uid", "value": "f7n9E0hX8qk", "indicator": "households"},
    )
    assert response.status_code == 403
    login(people.tehran_manager)
    response = api_post(
        client,
        "/api/v1/indicators/identifiers",
        {"scheme": "uid", "value": "rCMUTmcreqP", "breakdown": "female"},
    )
    assert response.status_code == 403
    response = api_post(
        client,
        "/api/v1/indicators/identifiers",
        {"scheme": "uid", "value": "bad", "indicator": "households"},
    )
    assert response.status_code == 422
    assert not IndicatorIdentifier.objects.exists() and not AreaIdentifier.objects.exists()


def test_the_api_refuses_an_unknown_id_scheme(client, login, areas, catalogue, people):
    login(people.admin)
    url = (
        "/api/v1/indicators/dataValueSets?dataElementIdScheme=name"
        f"&area={areas.tehran.pk}&source={catalogue.owner.code}"
    )
    response = api_post(client, url, json.loads(EXPORT.read_text()))
    assert response.status_code == 422
    assert "Only areas can be matched by name" in response.content.decode()


# -- The command -----------------------------------------------------------------------------


def test_the_command_takes_id_schemes_and_lists_unknown_uids(areas, catalogue, places, capsys):
    with pytest.raises(CommandError, match="problem"):
        call_command(
            "import", "values", str(EXPORT), "--source", catalogue.owner.code, "--area", "23",
            "--id-scheme", "uid", "--dry-run",
        )  # fmt: skip
    assert "unknown indicator identifiers in scheme dhis2: f7n9E0hX8qk, eY5ehpbEsB7" in (
        capsys.readouterr().err
    )
    map_all(None, catalogue, places)
    call_command(
        "import", "values", str(EXPORT), "--source", catalogue.owner.code, "--area", "23",
        "--id-scheme", "uid",
    )  # fmt: skip
    assert IndicatorValue.objects.count() == 3


# -- A file's own idScheme attributes --------------------------------------------------------


def test_a_files_own_id_scheme_attributes_override_the_chosen_ones(
    monkeypatch, areas, catalogue, places
):
    """DHIS2: schemes in the payload win over query parameters. A reader hands them over
    as a mapping before the values."""
    add_area_identifier(actor=None, area=places.n1, scheme="moh", value="M-1")

    def read(format, stream):
        yield {"orgUnitIdScheme": "attribute:MOH"}
        yield formats.Record(1, "households", "M-1", "1402", "", "5")

    monkeypatch.setattr(formats, "read", read)
    outcome = check(areas.tehran, catalogue.owner, schemes=IdSchemes(area="dhis2"))
    assert outcome.is_valid, outcome.problems
    assert outcome.schemes == IdSchemes(area="moh")


def test_a_files_unreadable_id_scheme_is_a_problem(monkeypatch, areas, catalogue):
    def read(format, stream):
        yield {"dataElementIdScheme": "name"}
        yield formats.Record(1, "households", "N1", "1402", "", "5")

    monkeypatch.setattr(formats, "read", read)
    outcome = check(areas.tehran, catalogue.owner, schemes=IdSchemes())
    assert [(p["line"], p["column"]) for p in outcome.problems] == [(1, "dataElementIdScheme")]
    assert outcome.problems[0]["message"].startswith("Only areas can be matched by name")


UID_FILES = {
    formats.DHIS2_JSON: json.dumps(
        {
            "orgUnitIdScheme": "uid",
            "period": "1402",
            "dataValues": [
                {"dataElement": "households", "orgUnit": "DiszpKrYNg8", "value": "5"},
                {"dataElement": "households", "orgUnit": "Rp268JB6Ne4", "value": "7"},
            ],
        }
    ).encode(),
    formats.DHIS2_XML: (
        b'<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" orgUnitIdScheme="uid"'
        b' period="1402">\n'
        b'  <dataValue dataElement="households" orgUnit="DiszpKrYNg8" value="5"/>\n'
        b'  <dataValue dataElement="households" orgUnit="Rp268JB6Ne4" value="7"/>\n'
        b"</dataValueSet>\n"
    ),
}


@pytest.mark.parametrize("format", UID_FILES)
def test_a_dhis2_file_whose_org_unit_id_scheme_is_uid_reads_its_uids(
    format, areas, catalogue, places
):
    """The file's orgUnitIdScheme="uid" wins over the import's code scheme."""
    add_area_identifier(actor=None, area=places.n1, scheme="dhis2", value="DiszpKrYNg8")
    add_area_identifier(actor=None, area=places.n2, scheme="dhis2", value="Rp268JB6Ne4")
    outcome = actions.import_values(
        actor=None,
        stream=io.BytesIO(UID_FILES[format]),
        format=format,
        area=areas.tehran,
        source=catalogue.owner,
        dry_run=False,
        schemes=IdSchemes(),
    )
    assert outcome.is_valid, outcome.problems
    assert outcome.schemes == IdSchemes(area="dhis2")
    values = IndicatorValue.objects.filter(indicator=catalogue.households)
    assert {(value.area, value.value) for value in values} == {(places.n1, 5), (places.n2, 7)}


@pytest.mark.parametrize("format", UID_FILES)
def test_dhis2_readers_hand_over_only_the_id_schemes_a_file_gives(format):
    read = list(formats.read(format, io.BytesIO(UID_FILES[format])))
    assert read[0] == {"orgUnitIdScheme": "uid"}
    assert all(isinstance(item, formats.Record) for item in read[1:])
    without = UID_FILES[format].replace(b"orgUnitIdScheme", b"dataSet")
    assert not any(isinstance(item, dict) for item in formats.read(format, io.BytesIO(without)))


# -- The identifiers pages of an indicator and an area ---------------------------------------


def test_a_manager_adds_and_removes_an_indicators_identifier(client, login, catalogue, people):
    login(people.tehran_manager)
    url = "/indicators/households/identifiers/"
    detail = client.get("/indicators/households/").content.decode()
    assert "data-identifiers-link" in detail
    response = client.post(url, {"scheme": "uid", "value": "f7n9E0hX8qk"})
    assert response.status_code == 302, response.content.decode()[:2000]
    identifier = IndicatorIdentifier.objects.get()
    assert (identifier.scheme, identifier.value) == ("dhis2", "f7n9E0hX8qk")
    assert 'data-identifier="dhis2:f7n9E0hX8qk"' in client.get(url).content.decode()

    refused = client.post(url, {"scheme": "dhis2", "value": "not-a-uid"})
    assert refused.status_code == 200
    assert "is not a DHIS2 uid" in refused.content.decode()

    assert client.post(url, {"remove": identifier.pk}).status_code == 302
    assert not IndicatorIdentifier.objects.exists()
    assert AuditEvent.objects.filter(verb=actions.IDENTIFIER_REMOVED).count() == 1


def test_a_manager_adds_an_areas_identifier(client, login, places, people):
    login(people.tehran_manager)
    response = client.post(
        f"/areas/{places.n1.pk}/identifiers/", {"scheme": "moh", "value": "TH-N1"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AreaIdentifier.objects.get().area == places.n1


def test_identifiers_pages_refuse_out_of_scope_users(client, login, catalogue, places, people):
    login(people.isfahan_manager)
    assert client.get(f"/areas/{places.n1.pk}/identifiers/").status_code == 404
    assert client.get("/indicators/households/identifiers/").status_code == 403
    login(people.tehran_analyst)
    assert client.get(f"/areas/{places.n1.pk}/identifiers/").status_code == 403
    response = client.post(
        f"/areas/{places.n1.pk}/identifiers/", {"scheme": "moh", "value": "TH-N1"}
    )
    assert response.status_code == 403
    assert not AreaIdentifier.objects.exists()
