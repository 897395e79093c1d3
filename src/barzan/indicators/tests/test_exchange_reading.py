"""
Reading value files as other systems write them: each file either reads correctly or
lists a problem, and none reports success while reading something else (issue 10,
findings 1 and 2).

Every file here is small and shaped like one that was read wrongly: ADX with dimensions
Barzan does not keep, DHIS2 CSV without a header, values marked deleted, DHIS2 XML with
the root's defaults, files with no values, JSON and XML problems on their file lines,
Gregorian periods, and formats told from the content.
"""

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from barzan.indicators import formats, periods
from barzan.indicators.choices import PeriodType
from barzan.indicators.models import IndicatorValue, ValueImport

from .fixtures_core import importer_fixture, stored_values  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

NO_VALUES = "The file holds no values."
DELETION = "deleting values by import is not supported"


def messages(outcome) -> list[str]:
    return [problem["message"] for problem in outcome.problems]


def nothing_written() -> bool:
    return not IndicatorValue.objects.exists()


def adx(*values: str, group='orgUnit="N1" period="2023-03-21/P1Y" dataSet="DS"') -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<adx xmlns="{formats.ADX_NAMESPACE}" exported="2024-01-01T00:00:00Z">\n'
        f"  <group {group}>\n" + "".join(f"    {value}\n" for value in values) + "  </group>\n"
        "</adx>\n"
    )


def dhis2_xml(*values: str, root: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<dataValueSet xmlns="{formats.DHIS2_NAMESPACE}"{root}>\n'
        + "".join(f"  {value}\n" for value in values)
        + "</dataValueSet>\n"
    )


# -- 1. Silent misreadings ------------------------------------------------------------------


class TestAdxAttributesBarzanDoesNotKnow:
    def test_a_value_by_sex_and_age_category_is_a_problem_naming_them_not_a_total(
        self, importer, neighborhoods
    ):
        content = adx(
            '<dataValue dataElement="population" Sex_category="F" Age_category="0-4" value="10"/>',
            '<dataValue dataElement="population" value="100"/>',
        )

        outcome = importer(content, format=formats.ADX)

        assert outcome.problem_count == 1
        problem = outcome.problems[0]
        assert problem["line"] == 4
        assert problem["column"] == "Sex_category, Age_category"
        assert "Sex_category, Age_category" in problem["message"]
        assert "cannot be read as the total" in problem["message"]
        assert outcome.applied is False and nothing_written()

    def test_a_group_with_an_attribute_dimension_is_a_problem(self, importer, neighborhoods):
        content = adx(
            '<dataValue dataElement="population" value="100"/>',
            group='orgUnit="N1" period="2023-03-21/P1Y" dataSet="DS" Funding="UNICEF"',
        )

        outcome = importer(content, format=formats.ADX)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [(3, "Funding")]
        assert nothing_written()

    def test_the_dimensions_barzan_keeps_still_read(self, importer, neighborhoods):
        content = adx('<dataValue dataElement="population" SEX="female" value="480"/>')

        outcome = importer(content, format=formats.ADX)

        assert outcome.problems == [] and outcome.new == 1


class TestDhis2CsvWithoutHeader:
    def test_the_first_row_is_read_as_data_when_it_is_not_a_header(self, importer, neighborhoods):
        content = "population,1402,N1,,,100\npopulation,1402,N2,,,200\n"

        outcome = importer(content, format=formats.DHIS2_CSV)

        assert outcome.problems == []
        assert outcome.new == 2
        assert set(stored_values()) == {
            ("population", "N1", "1402", "total"),
            ("population", "N2", "1402", "total"),
        }

    def test_a_header_row_is_still_skipped(self, importer, neighborhoods):
        content = (
            "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated\n"
            "population,1402,N1,,,100,admin,2024-01-01\n"
        )

        outcome = importer(content, format=formats.DHIS2_CSV)

        assert outcome.problems == [] and outcome.new == 1

    def test_a_first_row_whose_value_is_not_a_number_is_still_data(self, importer, neighborhoods):
        outcome = importer("population,1402,N1,,,many\n", format=formats.DHIS2_CSV)

        assert [(p["line"], p["message"]) for p in outcome.problems] == [
            (1, "«many» is not a number.")
        ]


class TestValuesMarkedDeleted:
    def test_dhis2_xml_deleted_is_a_problem_not_a_value(self, importer, neighborhoods):
        content = dhis2_xml(
            '<dataValue dataElement="population" period="1402" orgUnit="N1" value="5" '
            'deleted="true"/>',
            '<dataValue dataElement="population" period="1402" orgUnit="N2" value="6" '
            'deleted="false"/>',
        )

        outcome = importer(content, format=formats.DHIS2_XML)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [(3, "deleted")]
        assert DELETION in outcome.problems[0]["message"]
        assert nothing_written()

    def test_dhis2_json_deleted_is_a_problem_not_a_value(self, importer, neighborhoods):
        content = json.dumps(
            {
                "dataValues": [
                    {"dataElement": "population", "period": "1402", "orgUnit": "N1",
                     "value": "5", "deleted": True},
                ]
            },
            indent=2,
        )  # fmt: skip

        outcome = importer(content, format=formats.DHIS2_JSON)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [(3, "deleted")]
        assert DELETION in outcome.problems[0]["message"]
        assert nothing_written()

    def test_dhis2_csv_deleted_column_is_a_problem_not_a_value(self, importer, neighborhoods):
        content = (
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
            "storedby,lastupdated,comment,followup,deleted\n"
            "population,1402,N1,,,5,admin,2024-01-01,,false,true\n"
            "population,1402,N2,,,6,admin,2024-01-01,,false,false\n"
        )

        outcome = importer(content, format=formats.DHIS2_CSV)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [(2, "deleted")]
        assert nothing_written()

    def test_adx_deleted_is_a_problem_not_a_value(self, importer, neighborhoods):
        content = adx('<dataValue dataElement="population" value="5" deleted="true"/>')

        outcome = importer(content, format=formats.ADX)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [(4, "deleted")]


class TestDhis2XmlDataValueSets:
    def test_the_roots_period_and_org_unit_are_every_values_defaults(self, importer, neighborhoods):
        content = dhis2_xml(
            '<dataValue dataElement="population" categoryOptionCombo="default" value="100"/>',
            '<dataValue dataElement="population" categoryOptionCombo="female" value="48" '
            'comment="سرشماری"/>',
            '<dataValue dataElement="population" orgUnit="N2" period="1402-07" value="30"/>',
            root=' dataSet="DS" completeDate="2024-01-01" period="1402" orgUnit="N1" '
            'attributeOptionCombo="default"',
        )

        outcome = importer(content, format=formats.DHIS2_XML)

        assert outcome.problems == []
        assert set(stored_values()) == {
            ("population", "N1", "1402", "total"),
            ("population", "N1", "1402", "female"),
            ("population", "N2", "1402-07", "total"),
        }

    def test_an_attribute_option_combo_other_than_the_default_is_a_problem(
        self, importer, neighborhoods
    ):
        on_root = dhis2_xml(
            '<dataValue dataElement="population" value="100"/>',
            root=' period="1402" orgUnit="N1" attributeOptionCombo="UNICEF"',
        )
        on_value = dhis2_xml(
            '<dataValue dataElement="population" period="1402" orgUnit="N1" value="1" '
            'attributeOptionCombo="UNICEF"/>'
        )

        for content, line in ((on_root, 2), (on_value, 3)):
            outcome = importer(content, format=formats.DHIS2_XML)
            assert [(p["line"], p["column"]) for p in outcome.problems] == [
                (line, "attributeOptionCombo")
            ]
            assert "«UNICEF» is not supported" in outcome.problems[0]["message"]
        assert nothing_written()

    def test_a_value_without_org_unit_anywhere_says_so(self, importer, neighborhoods):
        content = dhis2_xml('<dataValue dataElement="population" period="1402" value="1"/>')

        outcome = importer(content, format=formats.DHIS2_XML)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [(3, "orgUnit")]

    def test_adx_given_a_dhis2_xml_file_says_what_it_is(self, importer, neighborhoods):
        content = dhis2_xml(
            '<dataValue dataElement="population" value="1"/>', root=' period="1402" orgUnit="N1"'
        )

        outcome = importer(content, format=formats.ADX)

        assert outcome.problem_count == 1
        message = outcome.problems[0]["message"]
        assert "root element is <dataValueSet>, not <adx>" in message
        assert "looks like DHIS2 XML, not ADX (XML)" in message

    def test_what_write_dhis2_xml_writes_reads_back_the_same(self):
        records = [
            formats.Record(0, "population", "N1", "1402", "", "12.5", 'a "quoted" <note>'),
            formats.Record(0, "population", "N2", "1402-07", "female", "3", ""),
        ]
        content = "".join(formats.write_dhis2_xml(records, data_set="DS")).encode()

        read = list(formats.read(formats.DHIS2_XML, io.BytesIO(content)))

        assert [(r.indicator, r.area, r.period, r.breakdown, r.value, r.comment) for r in read] == [
            (r.indicator, r.area, r.period, r.breakdown, r.value, r.comment) for r in records
        ]
        assert [r.line for r in read] == [3, 4]


class TestFilesWithNoValues:
    @pytest.mark.parametrize(
        ("format", "content"),
        [
            (formats.CSV, "indicator,area,period,value\n"),
            (formats.DHIS2_CSV, "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n"),
            (formats.DHIS2_CSV, ""),
            (formats.DHIS2_JSON, '{"dataValues": []}'),
            (formats.ADX, f'<adx xmlns="{formats.ADX_NAMESPACE}"></adx>'),
            (formats.ADX, adx()),
            (formats.DHIS2_XML, dhis2_xml(root=' period="1402" orgUnit="N1"')),
        ],
    )
    def test_a_file_with_no_values_is_a_problem_never_success(
        self, importer, neighborhoods, format, content
    ):
        outcome = importer(content, format=format)

        assert outcome.problem_count == 1
        assert outcome.problems[0]["line"] == 0
        assert outcome.problems[0]["message"] == NO_VALUES
        assert outcome.applied is False

    def test_an_empty_csv_file_is_a_problem(self, importer, neighborhoods):
        outcome = importer("", format=formats.CSV)

        assert messages(outcome) == ["The file is empty."]


# -- 2. Clear messages -----------------------------------------------------------------------


class TestProblemsAreOnTheFilesLines:
    def test_json_problems_give_the_line_each_value_starts_on(self, importer, neighborhoods):
        content = (
            '{"period": "1402",\n'
            ' "dataValues": [\n'
            '  {"dataElement": "population", "orgUnit": "N1", "value": "1"},\n'
            "  {\n"
            '    "dataElement": "population",\n'
            '    "orgUnit": "XX9",\n'
            '    "value": "2"\n'
            "  },\n"
            '  {"dataElement": "population", "orgUnit": "N2", "value": "many"}\n'
            "]}\n"
        )

        outcome = importer(content, format=formats.DHIS2_JSON)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [
            (4, "orgUnit"),
            (9, "value"),
        ]
        assert all("where" not in problem for problem in outcome.problems)

    def test_a_json_file_on_one_line_numbers_its_values(self, importer, neighborhoods):
        content = json.dumps(
            {
                "period": "1402",
                "dataValues": [
                    {"dataElement": "population", "orgUnit": "N1", "value": "1"},
                    {"dataElement": "population", "orgUnit": "XX9", "value": "2"},
                ],
            }
        )

        outcome = importer(content, format=formats.DHIS2_JSON)

        assert [(p["line"], p.get("where")) for p in outcome.problems] == [(2, "value")]

    def test_a_repeated_value_in_a_json_file_on_one_line_names_the_first_value(
        self, importer, neighborhoods
    ):
        value = {"dataElement": "population", "orgUnit": "N1", "value": "1"}
        content = json.dumps({"period": "1402", "dataValues": [value, value]})

        outcome = importer(content, format=formats.DHIS2_JSON)

        assert [(p["line"], p["message"]) for p in outcome.problems] == [
            (2, "The same indicator, area, period and breakdown are already value 1.")
        ]

    def test_xml_problems_give_the_line_of_the_element(self, importer, neighborhoods):
        content = dhis2_xml(
            '<dataValue dataElement="population" value="1"/>',
            '<dataValue\n    dataElement="population"\n    value="many"/>',
            root=' period="1402" orgUnit="N1"',
        )

        outcome = importer(content, format=formats.DHIS2_XML)

        assert [(p["line"], p["column"]) for p in outcome.problems] == [(4, "value")]

    def test_the_command_prints_no_line_or_column_for_a_whole_file_problem(
        self, tmp_path, neighborhoods, organizations
    ):
        path = tmp_path / "figures.json"
        path.write_text('{"dataValues": []}')
        err = io.StringIO()

        with pytest.raises(CommandError):
            call_command("import", "values", str(path), "--source", "education-tehran",
                         stdout=io.StringIO(), stderr=err)  # fmt: skip

        assert err.getvalue() == f"  {NO_VALUES}\n"


class TestPeriodHints:
    def test_an_adx_period_that_is_not_jalali_gets_the_adx_hint_and_the_nearest(
        self, importer, neighborhoods
    ):
        content = adx(
            '<dataValue dataElement="population" value="1"/>',
            group='orgUnit="N1" period="2020-01-01/P1M" dataSet="DS"',
        )

        outcome = importer(content, format=formats.ADX)

        (message,) = messages(outcome)
        assert "«2020-01-01/P1M» does not begin a Jalali period of that length" in message
        assert "the nearest is 2019-12-22/P1M (Dey 1398)" in message
        assert "1402Q3" not in message

    def test_a_dhis2_gregorian_month_says_why_and_the_nearest(self, importer, neighborhoods):
        content = json.dumps(
            {"dataValues": [{"dataElement": "population", "period": "202001",
                             "orgUnit": "N1", "value": "1"}]}
        )  # fmt: skip

        outcome = importer(content, format=formats.DHIS2_JSON)

        assert messages(outcome) == [
            "«202001» is the Gregorian month January 2020; Barzan keeps Jalali periods, which "
            "do not begin and end on the same days; the nearest is 1398-10 (Dey 1398)."
        ]


class TestFormatHints:
    def test_a_dhis2_csv_read_as_barzan_csv_gets_a_hint(self, importer, neighborhoods):
        outcome = importer("population,1402,N1,,,100\n", format=formats.CSV)

        assert outcome.problem_count == 1
        assert "looks like DHIS2 CSV, not Barzan CSV" in outcome.problems[0]["message"]

    def test_the_command_finds_a_dhis2_csv_without_format(
        self, tmp_path, catalogue, neighborhoods, organizations
    ):
        path = tmp_path / "figures.csv"
        path.write_text("population,1402,N1,,,100\npopulation,1402,N2,,,200\n")

        call_command("import", "values", str(path), "--source", "education-tehran",
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip

        assert IndicatorValue.objects.count() == 2


# -- 3. Format detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "format"),
    [
        (b"PK\x03\x04\x14\x00", formats.XLSX),
        (adx().encode(), formats.ADX),
        (b"<adx><group/></adx>", formats.ADX),
        (dhis2_xml().encode(), formats.DHIS2_XML),
        (b'<?xml version="1.0"?><!-- export --><d:dataValueSet xmlns:d="'
         + formats.DHIS2_NAMESPACE.encode() + b'"/>', formats.DHIS2_XML),
        (b'<dataValueSet xmlns="urn:other"/>', None),
        (b"<html><body/></html>", None),
        (b'\xef\xbb\xbf{"dataValues": []}', formats.DHIS2_JSON),
        ("\ufeffindicator,area,period,value\n".encode(), formats.CSV),
        ("کد شاخص,کد محدوده,دوره,مقدار\n".encode(), formats.CSV),
        (b"dataelement,period,orgunit,catoptcombo,attroptcombo,value\n", formats.DHIS2_CSV),
        (b'"dataelement","period","orgunit"\n', formats.DHIS2_CSV),
        (b"population,1402,N1,,,100\n", formats.DHIS2_CSV),
        (b"\n\npopulation,1402,N1,default,,12.5\n", formats.DHIS2_CSV),
        (b"hello world\n", None),
        (b"", None),
    ],
)  # fmt: skip
def test_the_format_is_found_from_the_first_bytes_and_the_stream_rewound(head, format):
    stream = io.BytesIO(b"xx" + head)
    stream.seek(2)

    assert formats.detect(stream) == format
    assert stream.tell() == 2


@pytest.mark.django_db
def test_the_upload_form_finds_dhis2_xml_automatically(
    client, login, people, areas, organizations, neighborhoods, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    login(people.tehran_manager)
    content = dhis2_xml(
        '<dataValue dataElement="population" value="1"/>', root=' period="1402" orgUnit="N1"'
    )

    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile("values.xml", content.encode()),
            "format": "",
            "area": areas.district6.pk,
            "source": organizations.education_tehran.pk,
        },
    )

    assert response.status_code == 302
    assert ValueImport.objects.get().format == formats.DHIS2_XML


@pytest.mark.django_db
def test_the_api_reads_dhis2_xml_sent_as_plain_xml(client, login, people, catalogue, neighborhoods):
    login(people.tehran_manager)
    content = dhis2_xml(
        '<dataValue dataElement="population" value="7"/>', root=' period="1402" orgUnit="N1"'
    )

    response = client.post(
        "/api/v1/indicators/dataValueSets?source=education-tehran",
        content,
        content_type="application/xml",
    )

    assert response.json()["status"] == "SUCCESS", response.content
    assert set(stored_values()) == {("population", "N1", "1402", "total")}


# -- 4. Gregorian periods ----------------------------------------------------------------------


def test_no_gregorian_month_quarter_half_or_year_coincides_with_a_jalali_one():
    codes = [f"{year}" for year in range(2001, 2042)]
    codes += [f"{year}{month:02d}" for year in (2020, 2023, 2024) for month in range(1, 13)]
    codes += [f"{year}Q{quarter}" for year in (2020, 2024) for quarter in range(1, 5)]
    codes += [f"{year}S{half}" for year in (2020, 2024) for half in (1, 2)]

    assert [code for code in codes if periods.from_gregorian(code) is not None] == []
    assert all(periods.gregorian(code) is not None for code in codes)


def test_an_adx_period_on_a_jalali_first_day_maps_exactly():
    assert periods.from_gregorian("2023-03-21/P1Y").code == "1402"
    assert periods.from_gregorian("2023-09-23/P1M").code == "1402-07"


@pytest.mark.parametrize(
    ("text", "period_type", "start", "end"),
    [
        ("202001", PeriodType.MONTH, date(2020, 1, 1), date(2020, 1, 31)),
        ("2020Q1", PeriodType.QUARTER, date(2020, 1, 1), date(2020, 3, 31)),
        ("2020S2", PeriodType.HALF, date(2020, 7, 1), date(2020, 12, 31)),
        ("2020", PeriodType.YEAR, date(2020, 1, 1), date(2020, 12, 31)),
        ("2020-02-01/P1M", PeriodType.MONTH, date(2020, 2, 1), date(2020, 2, 29)),
    ],
)
def test_gregorian_periods_are_read_with_their_days(text, period_type, start, end):
    found = periods.gregorian(text)

    assert (found.period_type, found.start, found.end) == (period_type, start, end)


@pytest.mark.parametrize("text", ["1402", "1380", "1420", "1402Q3", "202013", "2020Q5", "2101"])
def test_jalali_codes_and_impossible_codes_are_not_gregorian(text):
    assert periods.gregorian(text) is None


@pytest.mark.parametrize(
    ("text", "nearest"),
    [
        ("202001", "the nearest is 1398-10 (Dey 1398)"),
        ("2020Q2", "the nearest is 1399Q1 (Q1 1399)"),
        ("2021", "the nearest is 1400 (1400)"),
        ("199901", "no Jalali period Barzan keeps is near it"),
    ],
)
def test_a_gregorian_period_is_explained_with_the_nearest_jalali_one(text, nearest):
    assert nearest in periods.explain(text)
