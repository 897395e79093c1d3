"""`barzan import values FILE`: the same import as the upload page, from the command line."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from barzan.audit.models import AuditEvent
from barzan.indicators.models import IndicatorValue, ValueChange

pytestmark = pytest.mark.django_db


def database() -> tuple[int, int, int]:
    return (IndicatorValue.objects.count(), ValueChange.objects.count(), AuditEvent.objects.count())


def run(*arguments) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "values", *map(str, arguments), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def clean_file(tmp_path, csv_of, neighborhoods, catalogue):
    path = tmp_path / "figures.csv"
    path.write_bytes(
        csv_of(
            ("households", "N1", "1402", "", "40"),
            ("households", "N2", "1402", "", "۳۵"),
            ("population", "N1", "1402", "female", "520"),
        )
    )
    return path


def test_the_command_imports_a_clean_file_and_counts_it(clean_file, organizations):
    out, err = run(clean_file, "--source", "education-tehran", "--area", "2301021606")

    assert "Imported figures.csv into 2301021606: 3 new, 0 changed, 0 unchanged" in out
    assert err == ""
    assert IndicatorValue.objects.count() == 3
    assert set(IndicatorValue.objects.values_list("source__code", flat=True)) == {
        "education-tehran"
    }
    assert AuditEvent.objects.filter(verb="indicator_value.imported").count() == 1

    out, _err = run(clean_file, "--source", "education-tehran")

    assert "0 new, 0 changed, 3 unchanged" in out


def test_a_dry_run_counts_and_writes_nothing(clean_file, organizations):
    before = database()
    out, _err = run(clean_file, "--source", "education-tehran", "--dry-run")
    assert (
        "Dry run figures.csv into IR: 3 new, 0 changed, 0 unchanged, "
        "0 hidden cell(s) skipped, 0 problem(s)."
    ) in out
    assert database() == before


def test_the_command_prints_every_problem_and_exits_1(
    tmp_path, csv_of, neighborhoods, catalogue, organizations
):
    path = tmp_path / "broken.csv"
    path.write_bytes(
        csv_of(
            ("households", "N1", "1402", "", "40"),
            ("households", "ZZ9", "1402", "", "10"),
            ("households", "N2", "1402", "", "many"),
            ("households", "N3", "1399Q5", "", "10"),
            ("households", "N1", "1402", "", "40"),
        )
    )
    before = database()
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"4 problem\(s\): nothing was written") as raised:
        call_command(
            "import", "values", str(path), "--source", "education-tehran", stderr=err,
            stdout=io.StringIO(),
        )  # fmt: skip

    assert raised.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("  line 3, column area: There is no current area with the code")
    assert lines[1] == "  line 4, column value: «many» is not a number."
    assert lines[2].startswith("  line 5, column period: «1399Q5» is not a period")
    assert lines[3].startswith("  line 6, column indicator: The same indicator, area, period")
    assert database() == before


def test_rows_outside_the_given_area_are_problems(clean_file, organizations, areas):
    with pytest.raises(CommandError):
        run(clean_file, "--source", "education-tehran", "--area", "1001")
    assert not IndicatorValue.objects.exists()


def test_the_format_follows_the_extension(tmp_path, neighborhoods, catalogue, organizations):
    path = tmp_path / "values.json"
    path.write_text(
        json.dumps(
            {
                "dataValues": [
                    {"dataElement": "households", "period": "1402", "orgUnit": "N1", "value": "7"}
                ]
            }
        )
    )
    out, _err = run(path, "--source", "education-tehran")
    assert "1 new" in out
    assert IndicatorValue.objects.get().value == 7


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--source", "nonexistent"], "No organization has the code 'nonexistent'"),
        (["--source", "education-tehran", "--area", "nope"], "No current area has the code"),
    ],
)
def test_a_wrong_option_is_explained(clean_file, organizations, arguments, message):
    with pytest.raises(CommandError, match=message):
        run(clean_file, *arguments)


def test_a_file_whose_extension_says_nothing_needs_a_format(tmp_path, organizations):
    path = tmp_path / "figures.txt"
    path.write_text("figures of the district\n")
    with pytest.raises(CommandError, match="give --format"):
        run(path, "--source", "education-tehran")


def test_a_missing_file_is_explained(tmp_path, organizations):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.csv", "--source", "education-tehran")
