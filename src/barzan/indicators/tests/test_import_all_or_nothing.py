"""All or nothing through the whole import (upload, dry run, apply; the command and API path
too): a file with one row its reader cannot take apart writes nothing, and a change of the
comment alone is counted as a change and written."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from barzan.core.models import ImportStatus
from barzan.indicators import actions
from barzan.indicators.models import IndicatorValue, ValueImport

from .fixtures_core import row_counts

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def imports_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TASKS = IMMEDIATE


def csv_file(*lines: str) -> bytes:
    return ("indicator,area,period,breakdown,value,comment\n" + "\n".join(lines) + "\n").encode()


# Three good rows and, on line 3, a row that ends before its period: the reader's Problem.
ONE_UNREADABLE_ROW = csv_file(
    "households,N1,1402,,40,",
    "households,N2",
    "households,N3,1402,,12,",
    "population,N1,1402,female,520,",
)


def upload_and_check(client, content: bytes, *, areas, organizations) -> ValueImport:
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile("figures.csv", content),
            "format": "",
            "area": areas.district6.pk,
            "source": organizations.education_tehran.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ValueImport.objects.latest("pk")


class TestOneUnreadableRow:
    def test_the_upload_lists_it_and_applying_writes_nothing(
        self, client, login, people, areas, organizations, neighborhoods, catalogue
    ):
        login(people.tehran_manager)
        before = row_counts()

        value_import = upload_and_check(
            client, ONE_UNREADABLE_ROW, areas=areas, organizations=organizations
        )

        assert value_import.status == ImportStatus.CHECKED
        assert value_import.problem_count == 1
        assert [(p["line"], p["column"]) for p in value_import.problems] == [(3, "period")]
        client.post(f"/indicators/imports/{value_import.pk}/apply/")
        value_import.refresh_from_db()
        assert value_import.status != ImportStatus.DONE
        assert IndicatorValue.objects.count() == 0
        assert row_counts()["values"] == before["values"]
        assert row_counts()["changes"] == before["changes"]

    def test_importing_it_at_once_writes_nothing(self, areas, neighborhoods, catalogue):
        before = row_counts()

        outcome = actions.import_values(
            actor=None,
            stream=io.BytesIO(ONE_UNREADABLE_ROW),
            format="csv",
            area=areas.district6,
            source=catalogue.owner,
        )

        assert outcome.problem_count == 1
        assert outcome.applied is False
        assert row_counts() == before

    def test_a_data_value_set_with_one_unreadable_value_stores_nothing(
        self, client, login, people, areas, neighborhoods, catalogue
    ):
        login(people.tehran_manager)
        body = {
            "dataValues": [
                {"dataElement": "households", "period": "1402", "orgUnit": "N1", "value": "40"},
                ["households", "1402", "N2", "35"],
                {"dataElement": "households", "period": "1402", "orgUnit": "N3", "value": "12"},
            ]
        }
        response = client.post(
            f"/api/v1/indicators/dataValueSets?area={areas.district6.pk}&source=education-tehran",
            json.dumps(body),
            content_type="application/json",
        )
        summary = response.json()
        assert summary["status"] == "ERROR"
        assert summary["conflictCount"] == 1
        assert IndicatorValue.objects.count() == 0


class TestCommentOnlyChange:
    @pytest.fixture
    def stored(self, neighborhoods, catalogue, period):
        return actions.set_value(
            actor=None,
            indicator=catalogue.households,
            area=neighborhoods.n1,
            period=period,
            value="40",
            comment="برآورد",
        )

    @pytest.mark.parametrize("comment", ["سرشماری", ""])
    def test_it_is_counted_as_changed_and_written(
        self, client, login, people, areas, organizations, stored, comment
    ):
        login(people.tehran_manager)

        value_import = upload_and_check(
            client, csv_file(f"households,N1,1402,,40,{comment}"), areas=areas,
            organizations=organizations,
        )  # fmt: skip

        assert (value_import.new_count, value_import.changed_count) == (0, 1)
        assert value_import.unchanged_count == 0
        client.post(f"/indicators/imports/{value_import.pk}/apply/")
        value_import.refresh_from_db()
        assert value_import.status == ImportStatus.DONE
        written = IndicatorValue.objects.get(pk=stored.pk)
        assert written.comment == comment
        assert written.version == stored.version + 1

    def test_importing_it_at_once_writes_it(self, areas, catalogue, stored):
        outcome = actions.import_values(
            actor=None,
            stream=io.BytesIO(csv_file("households,N1,1402,,40.000,سرشماری")),
            format="csv",
            area=areas.district6,
            source=catalogue.owner,
        )

        assert (outcome.new, outcome.changed, outcome.unchanged) == (0, 1, 0)
        assert IndicatorValue.objects.get(pk=stored.pk).comment == "سرشماری"
