"""
Importing values: a file is checked whole and applied all or nothing.

The acceptance line: a file with an unknown area code, a non-number, an unknown period or
a duplicate row gives the full error list and leaves the database unchanged.
"""

import io
from decimal import Decimal
from typing import NamedTuple

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from barzan.audit.models import AuditEvent
from barzan.core.models import ImportStatus
from barzan.indicators import formats
from barzan.indicators.actions import (
    VALUES_IMPORTED,
    import_values,
    start_import,
    update_indicator,
    upload_values,
)
from barzan.indicators.models import IndicatorValue, ValueChange

from .fixtures_core import (  # noqa: F401
    aggregate_rows,
    enter_fixture,
    importer_fixture,
    q6,
    row_counts,
    stored_values,
    welfare_indicator_fixture,
)

pytestmark = pytest.mark.usefixtures("english")

HEADER = "indicator,area,period,breakdown,value,comment"

PERIOD_MESSAGE = (
    "«{code}» is not a period: write a Jalali year (1402), half (1402H1), "
    "quarter (1402Q3) or month (1402-07)."
)


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def problems(outcome) -> list[tuple[int, str, str]]:
    return [(p["line"], p["column"], p["message"]) for p in outcome.problems]


def database_state() -> tuple:
    """Everything an import may change, to compare before and after."""
    return row_counts(), stored_values(), aggregate_rows()


@pytest.fixture
def stored(catalogue, neighborhoods, enter):
    """Two figures already stored, so that a refused file would have changed them."""
    enter(catalogue.population, neighborhoods.n1, "90")
    enter(catalogue.households, neighborhoods.n2, "30")


class TestTheAcceptanceLine:
    """A bad file lists every problem, with line, column and reason, and writes nothing."""

    FILE = csv(
        "population,N1,1402,,100,",  # 2: good, and would change 90
        "population,XX9,1402,,50,",  # 3: unknown area
        "households,N1,1402,,many,",  # 4: not a number
        "population,N2,1403Q5,,20,",  # 5: unknown period
        "population,N2,1402,,200,",  # 6: good
        "population,N2,1402,total,210,",  # 7: the same value as line 6
        "households,N3,1402,,40,",  # 8: good
    )

    def test_a_file_with_all_four_problems_lists_all_four(self, importer, stored):
        outcome = importer(self.FILE)
        assert outcome.is_valid is False
        assert outcome.applied is False
        assert outcome.rows == 7
        assert problems(outcome) == [
            (3, "area", "There is no current area with the code «XX9» in Tehran."),
            (4, "value", "«many» is not a number."),
            (5, "period", PERIOD_MESSAGE.format(code="1403Q5")),
            (
                7,
                "indicator",
                "The same indicator, area, period and breakdown are already on line 6.",
            ),
        ]
        assert outcome.problem_count == 4

    def test_a_file_with_all_four_problems_leaves_the_database_unchanged(
        self, importer, stored, catalogue, neighborhoods
    ):
        before = database_state()
        audit_before = AuditEvent.objects.count()
        importer(self.FILE)
        assert database_state() == before
        assert AuditEvent.objects.count() == audit_before
        assert IndicatorValue.objects.get(
            indicator=catalogue.population, area=neighborhoods.n1
        ).value == Decimal(90)

    @pytest.mark.parametrize(
        ("row", "column", "message"),
        [
            (
                "population,XX9,1402,,50,",
                "area",
                "There is no current area with the code «XX9» in Tehran.",
            ),
            ("households,N1,1402,,many,", "value", "«many» is not a number."),
            ("population,N2,1403Q5,,20,", "period", PERIOD_MESSAGE.format(code="1403Q5")),
            (
                "population,N1,1402,total,101,",
                "indicator",
                "The same indicator, area, period and breakdown are already on line 2.",
            ),
        ],
        ids=["unknown area", "not a number", "unknown period", "duplicate"],
    )
    def test_each_problem_alone_is_reported_and_nothing_is_written(
        self, importer, stored, row, column, message
    ):
        before = database_state()
        outcome = importer(csv("population,N1,1402,,100,", row, "households,N3,1402,,40,"))
        assert problems(outcome) == [(3, column, message)]
        assert database_state() == before

    @pytest.mark.parametrize(
        "second",
        [
            "Population,N1,1402,,101,",  # the indicator code in other case
            "population,n1,1402,,101,",
            "population,N1,۱۴۰۲,,101,",  # the period in Persian digits
            "population,N1,1402,default,101,",  # DHIS2's name for the total
            "population,N1,1402,TOTAL,101,",
        ],
    )
    def test_a_duplicate_is_found_however_its_codes_are_spelled(self, importer, stored, second):
        outcome = importer(csv("population,N1,1402,,100,", second))
        assert problems(outcome) == [
            (
                3,
                "indicator",
                "The same indicator, area, period and breakdown are already on line 2.",
            )
        ]

    def test_the_same_figure_for_another_breakdown_or_period_is_no_duplicate(
        self, importer, stored
    ):
        outcome = importer(
            csv(
                "population,N1,1402,,100,",
                "population,N1,1402,female,50,",
                "population,N1,1402Q1,,100,",
                "households,N1,1402,,100,",
            )
        )
        assert outcome.problems == []
        assert outcome.applied is True

    def test_a_row_can_have_several_problems_and_all_are_listed(self, importer, stored):
        outcome = importer(csv("unknown,XX9,1399Q9,nobreak,1,"))
        assert problems(outcome) == [
            (2, "indicator", "There is no indicator with the code «unknown»."),
            (2, "area", "There is no current area with the code «XX9» in Tehran."),
            (2, "period", PERIOD_MESSAGE.format(code="1399Q9")),
            (2, "breakdown", "There is no breakdown with the code «nobreak»."),
        ]

    def test_problems_are_listed_in_the_order_of_the_lines(self, importer, stored):
        rows = [f"population,N{i % 3 + 1},1402-{i:02d},,{i}," for i in range(1, 13)]
        rows += [rows[0], "population,XX,1402,,1,", rows[4]]
        outcome = importer(csv(*rows))
        assert [p["line"] for p in outcome.problems] == [14, 15, 16]


class TestWhatIsRefused:
    def refused(self, importer, row: str, **options):
        before = database_state()
        outcome = importer(csv(row), **options)
        assert database_state() == before
        return problems(outcome)

    @pytest.mark.parametrize(
        "bad",
        [
            "households,N1,1402,female,5,",
            "population,N2,1402,,,",
            "population,N2,1402,,many,",
            "welfare_clients,N2,1402,,12,",
        ],
        ids=["breakdown-it-does-not-have", "empty-value", "not-a-number", "not-its-agencys"],
    )
    def test_a_refused_row_is_not_counted_among_the_new_values(
        self, importer, stored, people, welfare_indicator, bad
    ):
        outcome = importer(
            csv("population,N3,1402,,100,", bad), actor=people.focal_point, dry_run=True
        )
        assert outcome.problem_count == 1
        assert (outcome.new, outcome.changed) == (1, 0)

    def test_an_unknown_indicator(self, importer, stored):
        assert self.refused(importer, "nonesuch,N1,1402,,1,") == [
            (2, "indicator", "There is no indicator with the code «nonesuch».")
        ]

    def test_an_unknown_breakdown(self, importer, stored):
        assert self.refused(importer, "population,N1,1402,martian,1,") == [
            (2, "breakdown", "There is no breakdown with the code «martian».")
        ]

    def test_a_breakdown_the_indicator_does_not_have(self, importer, stored):
        assert self.refused(importer, "households,N1,1402,female,1,") == [
            (2, "breakdown", "«households» is not broken down by «female».")
        ]

    def test_a_calculated_indicator(self, importer, stored):
        assert self.refused(importer, "unemployment_rate,N1,1402,,12.5,") == [
            (
                2,
                "indicator",
                "«unemployment_rate» is calculated from unemployed / active; import those instead.",
            )
        ]

    @pytest.mark.parametrize("value", ["", "   "])
    def test_an_empty_value(self, importer, stored, value):
        assert self.refused(importer, f"population,N1,1402,,{value},") == [
            (2, "value", "The value is empty.")
        ]

    def test_a_value_its_indicator_does_not_allow(self, importer, stored):
        assert self.refused(importer, "satisfaction,N1,1402,,11,") == [
            (2, "value", "11 is above the largest plausible value, 10.")
        ]
        assert self.refused(importer, "population,N1,1402,,-3,") == [
            (2, "value", "A count cannot be negative.")
        ]

    def test_an_area_outside_the_import_area(self, importer, stored, neighborhoods):
        assert self.refused(importer, "population,I1,1402,,1,") == [
            (2, "area", "There is no current area with the code «I1» in Tehran.")
        ]

    def test_an_area_above_the_import_area(self, importer, stored, areas):
        assert self.refused(importer, "population,IR,1402,,1,", area=areas.district6) == [
            (2, "area", "There is no current area with the code «IR» in تهران 6.")
        ]

    def test_an_inactive_indicator(self, importer, stored, catalogue):
        update_indicator(actor=None, indicator=catalogue.households, version=None, is_active=False)
        assert self.refused(importer, "households,N1,1402,,1,") == [
            (2, "indicator", "There is no indicator with the code «households».")
        ]


class TestWhoMayImport:
    def test_an_agency_focal_point_may_import_its_agencys_indicators(
        self, importer, stored, people
    ):
        outcome = importer(csv("population,N1,1402,,100,"), actor=people.focal_point)
        assert outcome.applied is True

    def test_each_change_an_import_makes_names_the_person_who_imported(
        self, importer, stored, people
    ):
        importer(csv("population,N1,1402,,100,"), actor=people.focal_point)
        change = ValueChange.objects.get(new_value=100)
        assert (change.changed_by, change.changed_by_label) == (
            people.focal_point,
            "focal-point",
        )

    def test_an_agency_focal_point_may_not_import_another_agencys_indicator(
        self, importer, stored, people, welfare_indicator
    ):
        before = database_state()
        outcome = importer(
            csv("population,N1,1402,,100,", "welfare_clients,N2,1402,,12,"),
            actor=people.focal_point,
        )
        assert problems(outcome) == [
            (3, "area", "You may not enter «welfare_clients» for area «N2».")
        ]
        assert database_state() == before

    def test_an_area_manager_may_import_any_agencys_indicator_in_the_area(
        self, importer, stored, people, welfare_indicator
    ):
        outcome = importer(csv("welfare_clients,N2,1402,,12,"), actor=people.tehran_manager)
        assert outcome.applied is True

    @pytest.mark.parametrize("who", ["isfahan_manager", "tehran_analyst", "nobody"])
    def test_someone_who_may_not_enter_figures_in_the_area_is_denied(
        self, importer, stored, people, who
    ):
        before = database_state()
        with pytest.raises(PermissionDenied):
            importer(csv("population,N1,1402,,100,"), actor=getattr(people, who))
        assert database_state() == before

    def test_a_manager_may_not_import_into_an_area_above_their_own(
        self, importer, stored, people, areas
    ):
        with pytest.raises(PermissionDenied):
            importer(
                csv("population,N1,1402,,100,"), actor=people.tehran_manager, area=areas.country
            )

    def test_a_secretary_may_import_into_their_district(self, importer, stored, people, areas):
        outcome = importer(
            csv("population,N3,1402,,5,"), actor=people.secretary, area=areas.district6
        )
        assert outcome.applied is True


class TestCheckingAndApplying:
    FILE = csv(
        "population,N1,1402,,90,",  # unchanged
        "households,N2,1402,,31,",  # changed from 30
        "population,N2,1402,,200,",  # new
        "population,N2,1402,female,120,",  # new
    )

    def test_a_dry_run_counts_new_changed_and_unchanged_and_writes_nothing(self, importer, stored):
        before = database_state()
        outcome = importer(self.FILE, dry_run=True)
        assert (outcome.new, outcome.changed, outcome.unchanged) == (2, 1, 1)
        assert outcome.rows == 4
        assert outcome.is_valid is True
        assert outcome.applied is False
        assert database_state() == before

    def test_applying_writes_the_new_and_changed_values(self, importer, stored):
        outcome = importer(self.FILE)
        assert (outcome.new, outcome.changed, outcome.unchanged) == (2, 1, 1)
        assert outcome.applied is True
        values = stored_values()
        assert values[("population", "N1", "1402", "total")] == q6(90)
        assert values[("households", "N2", "1402", "total")] == q6(31)
        assert values[("population", "N2", "1402", "total")] == q6(200)
        assert values[("population", "N2", "1402", "female")] == q6(120)

    def test_applying_the_same_file_twice_finds_everything_unchanged(self, importer, stored):
        importer(self.FILE)
        changes = ValueChange.objects.count()
        state = stored_values(), aggregate_rows()
        again = importer(self.FILE)
        assert (again.new, again.changed, again.unchanged) == (0, 0, 4)
        assert ValueChange.objects.count() == changes
        assert (stored_values(), aggregate_rows()) == state

    def test_a_changed_value_keeps_its_history(self, importer, stored, catalogue, neighborhoods):
        importer(self.FILE)
        history = ValueChange.objects.filter(
            indicator=catalogue.households, area=neighborhoods.n2
        ).order_by("pk")
        assert [(q6(c.old_value), q6(c.new_value)) for c in history] == [
            (None, q6(30)),
            (q6(30), q6(31)),
        ]
        assert history.last().changed_by_label == "system"

    def test_an_unchanged_value_adds_no_history(self, importer, stored, catalogue, neighborhoods):
        importer(self.FILE)
        history = ValueChange.objects.filter(
            indicator=catalogue.population, area=neighborhoods.n1, breakdown__code="total"
        )
        assert history.count() == 1

    def test_a_new_value_has_history_from_nothing(self, importer, stored, catalogue, neighborhoods):
        importer(self.FILE)
        change = ValueChange.objects.get(
            indicator=catalogue.population, area=neighborhoods.n2, breakdown__code="female"
        )
        assert (change.old_value, q6(change.new_value)) == (None, q6(120))

    def test_the_import_names_who_entered_the_values_and_their_source(
        self, importer, stored, people, organizations, catalogue, neighborhoods
    ):
        importer(self.FILE, actor=people.tehran_manager, source=organizations.welfare_tehran)
        value = IndicatorValue.objects.get(
            indicator=catalogue.households, area=neighborhoods.n2, breakdown__code="total"
        )
        assert value.entered_by == people.tehran_manager
        assert value.source == organizations.welfare_tehran
        assert value.version == 2
        change = ValueChange.objects.filter(area=neighborhoods.n2).first()
        assert change.changed_by == people.tehran_manager

    def test_a_changed_comment_alone_is_a_change(self, importer, stored):
        outcome = importer(csv("population,N1,1402,,90,checked again"))
        assert (outcome.new, outcome.changed, outcome.unchanged) == (0, 1, 0)

    def test_the_same_number_written_differently_is_unchanged(self, importer, stored):
        outcome = importer(csv("population,N1,1402,,۹۰,", "households,N2,1402,,30.000,"))
        assert (outcome.new, outcome.changed, outcome.unchanged) == (0, 0, 2)

    def test_the_roll_ups_follow_an_applied_import(self, importer, stored, catalogue, areas):
        importer(self.FILE)
        rolled = {key: row[:3] for key, row in aggregate_rows().items()}
        assert rolled[("population", areas.district6.code, "1402", "total")] == (q6(290), 2, 3)
        assert rolled[("population", "IR", "1402", "total")] == (q6(290), 1, 3)
        assert rolled[("population", areas.district6.code, "1402", "female")] == (q6(120), 1, 3)


class TestAudit:
    def imported(self):
        return AuditEvent.objects.filter(verb=VALUES_IMPORTED)

    def test_an_applied_import_is_audited_once(self, importer, stored, people, areas):
        importer(TestCheckingAndApplying.FILE, actor=people.tehran_manager)
        event = self.imported().get()
        assert event.actor == people.tehran_manager
        assert event.area == areas.tehran
        assert event.after == {
            "format": "csv",
            "rows": 4,
            "new": 2,
            "changed": 1,
            "unchanged": 1,
            "hidden": 0,
        }

    def test_each_applied_import_is_audited_even_when_nothing_changed(self, importer, stored):
        importer(TestCheckingAndApplying.FILE)
        importer(TestCheckingAndApplying.FILE)
        assert self.imported().count() == 2

    def test_a_dry_run_or_a_refused_file_is_not_audited(self, importer, stored):
        importer(TestCheckingAndApplying.FILE, dry_run=True)
        importer(TestTheAcceptanceLine.FILE)
        assert self.imported().count() == 0

    def test_an_import_writes_no_audit_event_per_value(self, importer, stored):
        before = AuditEvent.objects.count()
        importer(TestCheckingAndApplying.FILE)
        assert AuditEvent.objects.count() == before + 1

    def test_an_uploaded_file_is_checked_then_applied_and_audited_once(
        self, stored, people, areas, catalogue, settings, tmp_path
    ):
        settings.DATA_DIR = tmp_path
        value_import = upload_values(
            actor=people.tehran_manager,
            upload=SimpleUploadedFile("figures.csv", TestCheckingAndApplying.FILE),
            format=formats.CSV,
            area=areas.tehran,
            source=catalogue.owner,
        )
        checked = start_import(actor=people.tehran_manager, value_import=value_import, apply=False)
        assert checked.status == ImportStatus.CHECKED
        assert (checked.new_count, checked.changed_count, checked.unchanged_count) == (2, 1, 1)
        assert self.imported().count() == 0
        applied = start_import(actor=people.tehran_manager, value_import=checked, apply=True)
        assert applied.status == ImportStatus.DONE
        event = self.imported().get()
        assert event.target_id == str(applied.pk)
        assert ValueChange.objects.filter(value_import=applied).count() == 3

    def test_an_uploaded_file_with_problems_is_kept_with_them_and_cannot_be_applied(
        self, stored, people, areas, catalogue, settings, tmp_path
    ):
        from django.core.exceptions import ValidationError

        settings.DATA_DIR = tmp_path
        before = database_state()
        value_import = upload_values(
            actor=people.tehran_manager,
            upload=SimpleUploadedFile("figures.csv", TestTheAcceptanceLine.FILE),
            format=formats.CSV,
            area=areas.tehran,
            source=catalogue.owner,
        )
        checked = start_import(actor=people.tehran_manager, value_import=value_import, apply=False)
        assert checked.status == ImportStatus.CHECKED
        assert checked.problem_count == 4
        assert [p["line"] for p in checked.problems] == [3, 4, 5, 7]
        with pytest.raises(ValidationError):
            start_import(actor=people.tehran_manager, value_import=checked, apply=True)
        counts, values, rolled = database_state()
        assert counts == {**before[0], "imports": before[0]["imports"] + 1}
        assert (values, rolled) == before[1:]


class TestPersianText:
    def test_persian_digits_in_values_and_codes_are_read(self, importer, stored, areas):
        outcome = importer(
            csv(
                "population,N1,۱۴۰۲,,۱٬۲۳۴,",
                f"literacy,{areas.district6.code},۱۴۰۲Q۳,,۸۷٫۵,",
                "households,۲۳۰۲,1402-۰۷,,۴۵,",  # Shemiranat's code in Persian digits
            )
        )
        assert outcome.problems == []
        values = stored_values()
        assert values[("population", "N1", "1402", "total")] == q6(1234)
        assert values[("literacy", areas.district6.code, "1402Q3", "total")] == q6("87.5")
        assert values[("households", "2302", "1402-07", "total")] == q6(45)

    @pytest.mark.parametrize(("text", "value"), [("1e3", 1000), ("1.5E2", 150), ("-0", 0)])
    def test_a_number_in_exponent_notation_is_stored_as_its_value(
        self, importer, stored, text, value
    ):
        outcome = importer(csv(f"population,N3,1402,,{text},"))
        assert outcome.problems == []
        assert stored_values()[("population", "N3", "1402", "total")] == q6(value)

    def test_a_decimal_comma_is_refused_not_read_as_thousands(self, importer, stored):
        # «1,5» is one and a half in half of Europe and fifteen nowhere: it is refused, and
        # the file with it writes nothing.
        outcome = importer(csv('population,N3,1402,,"12,345",', 'literacy,N3,1402,,"1,5",'))
        assert problems(outcome) == [
            (
                3,
                "value",
                "«1,5» is not a number: a thousands separator must have three digits after "
                "it, and a decimal point is written «٫» or «.», such as ۱۲٬۳۴۵٫۶ or 12,345.6.",
            )
        ]

    def test_a_slash_for_a_decimal_point_is_refused_with_a_hint(self, importer, stored):
        outcome = importer(csv("literacy,N3,1402,,۸۷/۵,"))
        assert problems(outcome) == [
            (2, "value", "«۸۷/۵»: write the decimal point as «٫» or «.», not «/».")
        ]

    def test_a_comment_with_arabic_letters_is_stored_cleaned(
        self, importer, stored, catalogue, neighborhoods
    ):
        importer(csv("population,N1,1402,,100,كتابخانه ي محله\u200f"))
        value = IndicatorValue.objects.get(
            indicator=catalogue.population, area=neighborhoods.n1, breakdown__code="total"
        )
        assert value.comment == "کتابخانه ی محله"

    def test_an_arabic_letter_in_a_code_is_not_a_problem_of_its_own(self, importer, stored):
        # Codes are Latin; an Arabic letter in one only makes it unknown, like any typo.
        outcome = importer(csv("population,Nي,1402,,1,"))
        assert problems(outcome) == [
            (2, "area", "There is no current area with the code «Nي» in Tehran.")
        ]

    def test_persian_headers_are_read(self, importer, stored):
        content = "کد شاخص,کد محدوده,دوره,تفکیک,مقدار,توضیح\npopulation,N1,1402,,100,\n"
        outcome = importer(content)
        assert outcome.problems == []
        assert stored_values()[("population", "N1", "1402", "total")] == q6(100)


class Row(NamedTuple):
    indicator: str
    area: str
    period: str
    breakdown: str
    value: str
    comment: str = ""


ROWS = [
    Row("population", "N1", "1402", "", "1000"),
    Row("population", "N1", "1402", "female", "480", "سرشماری ۱۴۰۲"),
    Row("population", "N1", "1402", "male", "520"),
    Row("population", "N2", "1402-07", "", "3000"),
    Row("literacy", "N2", "1402", "", "87.5"),
    Row("satisfaction", "N3", "1402Q3", "", "7.25", "كتابخانه ي محله"),
    Row("has_park", "N1", "1402", "", "1"),
    Row("households", "2302", "1402", "", "۳۰۰"),
    Row("unemployed", "N1", "1402H1", "higher", "12"),
]

EXPECTED = {
    ("population", "N1", "1402", "total"): q6(1000),
    ("population", "N1", "1402", "female"): q6(480),
    ("population", "N1", "1402", "male"): q6(520),
    ("population", "N2", "1402-07", "total"): q6(3000),
    ("literacy", "N2", "1402", "total"): q6("87.5"),
    ("satisfaction", "N3", "1402Q3", "total"): q6("7.25"),
    ("has_park", "N1", "1402", "total"): q6(1),
    ("households", "2302", "1402", "total"): q6(300),
    ("unemployed", "N1", "1402H1", "higher"): q6(12),
}


def written(format: str, rows) -> bytes:
    if format == formats.XLSX:
        output = io.BytesIO()
        formats.write_xlsx(rows, output)
        return output.getvalue()
    if format == formats.ADX:
        dimensions = {"female": "sex", "male": "sex", "higher": "education"}
        return "".join(formats.write_adx(rows, data_set="DS", dimensions=dimensions)).encode()
    writers = {
        formats.CSV: formats.write_csv,
        formats.DHIS2_CSV: formats.write_dhis2_csv,
        formats.DHIS2_JSON: formats.write_dhis2_json,
        formats.DHIS2_XML: formats.write_dhis2_xml,
    }
    return "".join(writers[format](rows)).encode()


class TestEveryFormat:
    @pytest.mark.parametrize("format", formats.FORMATS)
    def test_every_format_stores_the_same_values(self, importer, catalogue, neighborhoods, format):
        outcome = importer(written(format, ROWS), format=format)
        assert outcome.problems == []
        assert outcome.new == len(ROWS)
        assert stored_values() == EXPECTED
        comments = dict(
            IndicatorValue.objects.exclude(comment="").values_list("area__code", "comment")
        )
        assert comments == {"N1": "سرشماری 1402", "N3": "کتابخانه ی محله"}

    @pytest.mark.parametrize("format", formats.FORMATS)
    def test_every_format_reports_the_same_problems(
        self, importer, catalogue, neighborhoods, format
    ):
        rows = [
            ROWS[0],
            Row("population", "XX9", "1402", "", "5"),
            Row("households", "N1", "1402", "", "many"),
            Row("population", "N2", "1403Q5", "", "20"),
            Row("population", "N1", "1402", "", "1001"),
        ]
        before = database_state()
        content = written(format, rows)
        first_line = next(formats.read(format, io.BytesIO(content))).line
        outcome = importer(content, format=format)
        column = formats.column_of
        assert [(p["column"], p["message"]) for p in outcome.problems] == [
            (
                column(format, "area"),
                "There is no current area with the code «XX9» in Tehran.",
            ),
            (column(format, "value"), "«many» is not a number."),
            (column(format, "period"), PERIOD_MESSAGE.format(code="1403Q5")),
            (
                column(format, "indicator"),
                f"The same indicator, area, period and breakdown are already on line {first_line}.",
            ),
        ]
        assert database_state() == before


class TestUnreadableFiles:
    @pytest.mark.parametrize(
        ("format", "content"),
        [
            (formats.CSV, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\xff\xe0"),
            (formats.CSV, bytes(range(256)) * 4),
            (formats.CSV, b""),
            (formats.CSV, b"indicator,area\npopulation,N1\n"),
            (formats.DHIS2_CSV, b"\xff\xfe\x00\x00garbage\x81"),
            (formats.DHIS2_JSON, b'{"dataValues": [{"dataElement": "population", '),
            (formats.DHIS2_JSON, b"{"),
            (formats.DHIS2_JSON, b'{"dataValues": 5}'),
            (formats.DHIS2_JSON, b"[" * 100_000),
            (formats.ADX, b"<adx><group orgUnit='N1'"),
            (formats.ADX, b"\x00\x01\x02 not xml"),
            (formats.XLSX, b"PK\x03\x04 this is no workbook"),
            (formats.XLSX, b"indicator,area,period,value\n"),
        ],
    )
    def test_an_unreadable_file_gives_one_problem_and_no_exception(
        self, importer, stored, format, content
    ):
        before = database_state()
        outcome = importer(content, format=format)
        assert outcome.problem_count == 1
        assert outcome.problems[0]["message"]
        assert outcome.applied is False
        assert database_state() == before

    def test_a_byte_that_is_not_utf8_is_reported_with_its_line(self, importer, stored):
        content = csv("population,N1,1402,,1,") + b"population,N2,1402,,\xff\xfe,\n"
        before = database_state()
        outcome = importer(content)
        assert problems(outcome) == [
            (3, "", "The file is not UTF-8 text (line 3). Save it as “CSV UTF-8”.")
        ]
        assert database_state() == before

    def test_the_same_database_serves_another_import_after_an_unreadable_one(
        self, importer, stored
    ):
        importer(b"\xff\xfe\x00", format=formats.CSV)
        outcome = importer(csv("population,N3,1402,,7,"))
        assert outcome.applied is True


def test_import_values_reads_from_any_binary_stream(catalogue, neighborhoods, areas):
    outcome = import_values(
        actor=None,
        stream=io.BufferedReader(io.BytesIO(csv("population,N1,1402,,12,"))),
        format=formats.CSV,
        area=areas.tehran,
        source=catalogue.owner,
    )
    assert outcome.applied is True


class TestEdges:
    def test_an_ended_area_is_not_a_current_area(self, importer, stored, neighborhoods, areas):
        from datetime import date

        from barzan.geo.actions import merge_areas

        merge_areas(
            actor=None,
            areas=[neighborhoods.n2, neighborhoods.n3],
            code="N4",
            name_fa="محله چهار",
            date=date(2023, 1, 1),
        )
        outcome = importer(csv("population,N2,1402,,1,", "population,N4,1402,,2,"))
        assert problems(outcome) == [
            (2, "area", "There is no current area with the code «N2» in Tehran.")
        ]

    def test_a_code_used_at_two_levels_is_reported_as_ambiguous(self, importer, stored, areas):
        from barzan.geo.actions import create_area
        from barzan.geo.models import AreaLevel

        create_area(
            actor=None,
            level=AreaLevel.objects.get(code="neighborhood"),
            code="2302",  # Shemiranat county's code, again for a neighborhood
            name_fa="محله",
            parent=areas.district6,
        )
        assert problems(importer(csv("population,2302,1402,,1,"))) == [
            (
                2,
                "area",
                "The code «2302» belongs to areas at two levels; it cannot be told apart.",
            )
        ]

    def test_a_value_too_large_to_store_is_a_problem(self, importer, stored):
        assert problems(importer(csv("households,N1,1402,,1e15,"))) == [
            (2, "value", "1e15 is too large to store.")
        ]

    def test_a_value_that_rounds_past_the_largest_is_a_problem_not_an_error(self, importer, stored):
        outcome = importer(csv("households,N1,1402,,99999999999999.9999999,"))
        assert outcome.problem_count == 1

    def test_a_comment_of_two_lines_entered_by_hand_comes_back_unchanged(
        self, importer, stored, catalogue, neighborhoods, enter
    ):
        enter(catalogue.households, neighborhoods.n3, "12", comment="first line\nsecond line")
        outcome = importer(csv('households,N3,1402,,12,"first line\nsecond line"'))
        assert (outcome.new, outcome.changed, outcome.unchanged) == (0, 0, 1)

    def test_a_direction_mark_around_a_code_is_ignored_like_in_an_area_code(self, importer, stored):
        outcome = importer(csv("\u200fpopulation\u200f,\u200fN1\u200f,1402,female\u200e,1,"))
        assert outcome.problems == []


class TestTheProblemReport:
    def test_the_report_keeps_the_first_problems_and_counts_them_all(self, monkeypatch):
        from barzan.indicators import importing

        monkeypatch.setattr(importing, "MAX_PROBLEMS_KEPT", 2)
        outcome = importing.Outcome()
        for line in (2, 3, 4):
            outcome.add_problem(line, "value", "not a number")
        assert outcome.problem_count == 3
        assert [problem["line"] for problem in outcome.problems] == [2, 3]

    def test_text_is_read_as_utf8_bytes(self):
        from barzan.indicators.importing import text_stream

        assert text_stream("جمعیت,۱۲").read() == "جمعیت,۱۲".encode()


class TestLargeFiles:
    ROWS = ("population,N1,1402,,1,", "population,N2,1402,,2,", "population,N3,1402,,3,")

    def test_a_file_larger_than_one_batch_is_staged_whole(self, importer, stored, monkeypatch):
        from barzan.indicators import importing

        monkeypatch.setattr(importing, "_BATCH", 2)
        outcome = importer(csv(*self.ROWS, "households,N1,1402,,4,"), dry_run=True)
        assert outcome.problem_count == 0
        assert (outcome.new, outcome.changed) == (3, 1)

    def test_progress_is_reported_every_so_many_rows(
        self, catalogue, neighborhoods, areas, monkeypatch
    ):
        from barzan.indicators import importing

        monkeypatch.setattr(importing, "_PROGRESS_EVERY", 2)
        reported = []
        outcome = importing.stage(
            actor=None,
            area=areas.tehran,
            stream=importing.text_stream(csv(*self.ROWS, *self.ROWS[:2]).decode()),
            format="csv",
            progress=reported.append,
        )
        assert outcome.rows == 5
        assert reported == [2, 4]
