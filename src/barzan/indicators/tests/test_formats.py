"""Reading and writing indicator values in Barzan CSV and XLSX, DHIS2 JSON and CSV, and ADX."""

import io
import json
import tracemalloc
from decimal import Decimal
from typing import NamedTuple

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from barzan.indicators import formats, periods
from barzan.indicators.formats import Problem, Record, UnreadableFile


class Value(NamedTuple):
    indicator: str
    area: str
    period: str
    breakdown: str
    value: Decimal | str
    comment: str = ""


def written(format, values, **options) -> bytes:
    if format == formats.XLSX:
        output = io.BytesIO()
        formats.write_xlsx(values, output, **options)
        return output.getvalue()
    writers = {
        formats.CSV: formats.write_csv,
        formats.DHIS2_CSV: formats.write_dhis2_csv,
        formats.DHIS2_JSON: formats.write_dhis2_json,
        formats.DHIS2_XML: formats.write_dhis2_xml,
        formats.ADX: lambda values, **options: formats.write_adx(
            values, **{"data_set": "DS", **options}
        ),
    }
    return "".join(writers[format](values, **options)).encode()


def read(format, content: bytes | str) -> list:
    if isinstance(content, str):
        content = content.encode()
    return list(formats.read(format, io.BytesIO(content)))


def key(item) -> tuple:
    return (
        item.indicator,
        item.area,
        item.period,
        item.breakdown,
        Decimal(item.value),
        item.comment,
    )


def xlsx(rows: list[list]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for number, row in enumerate(rows):
        for column, cell in enumerate(row):
            if isinstance(cell, str):
                sheet.write_string(number, column, cell)
            elif cell is not None:
                sheet.write(number, column, cell)
    workbook.close()
    return output.getvalue()


# -- Round trips -------------------------------------------------------------------------------

PERIOD_CODES = [spec.code for spec in periods.all_specs(1400, 1403)] + [
    str(periods.FIRST_YEAR),
    f"{periods.LAST_YEAR}-12",
]
BREAKDOWNS = ["", "male", "female", "age-15-19", "age-100-plus", "college", "education-unknown"]
codes = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
numbers = st.integers(min_value=0, max_value=8).flatmap(
    lambda places: st.decimals(
        min_value=-(10**12),
        max_value=10**12,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )
)
PERSIAN = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآءئ"
comments = st.builds(
    lambda start, body: (start + body).strip(),
    st.sampled_from(["", "=", "+", "-", "@", "'", "'=", "''-"]),
    st.text(alphabet=PERSIAN + "يك\u200c ,،؛\"'«»\n\r\t=+-@<>&0123456789۰۱۲abcXYZ", max_size=40),
)
values = st.lists(
    st.builds(
        Value,
        indicator=codes,
        area=codes,
        period=st.sampled_from(PERIOD_CODES),
        breakdown=st.sampled_from(BREAKDOWNS),
        value=numbers,
        comment=comments,
    ),
    max_size=12,
)
round_trip_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("format", formats.FORMATS)
@round_trip_settings
@given(values=values)
def test_reading_what_was_written_gives_the_values_back(format, values):
    items = read(format, written(format, values))

    assert all(isinstance(item, Record) for item in items), items
    assert [key(item) for item in items] == [key(value) for value in values]


@round_trip_settings
@given(values=values)
def test_adx_round_trips_breakdowns_written_as_dimensions(values):
    dimensions = {"male": "sex", "female": "sex", "age-15-19": "age_group", "college": "education"}

    content = written(formats.ADX, values, dimensions=dimensions)

    assert [key(item) for item in read(formats.ADX, content)] == [key(value) for value in values]


@round_trip_settings
@given(values=values)
def test_persian_headers_round_trip(values):
    csv_content = written(formats.CSV, values, persian_headers=True)
    xlsx_content = written(formats.XLSX, values, persian_headers=True)

    assert [key(item) for item in read(formats.CSV, csv_content)] == [key(v) for v in values]
    assert [key(item) for item in read(formats.XLSX, xlsx_content)] == [key(v) for v in values]


def test_writing_a_decimal_drops_the_exponent_and_trailing_zeros():
    values = [
        Value("births", "23", "1402", "", Decimal("12.500000")),
        Value("births", "23", "1402", "male", Decimal("100")),
        Value("births", "23", "1402", "female", Decimal("1E+3")),
    ]

    content = written(formats.CSV, values).decode()

    assert content.splitlines()[1:] == [
        "births,23,1402,,12.5,",
        "births,23,1402,male,100,",
        "births,23,1402,female,1000,",
    ]


def test_csv_starts_with_a_byte_order_mark_and_guards_formula_comments():
    chunks = list(formats.write_csv([Value("births", "23", "1402", "", "1", "=SUM(A1)")]))

    assert chunks[0] == "\ufeff"
    assert "'=SUM(A1)" in "".join(chunks)


def test_reading_keeps_an_apostrophe_not_before_a_formula_character():
    content = (
        "indicator,area,period,value,comment\nbirths,23,1402,1,'quoted\nbirths,23,1402,2,'=x\n"
    )

    assert [item.comment for item in read(formats.CSV, content)] == ["'quoted", "=x"]


# -- Barzan CSV --------------------------------------------------------------------------------


def test_csv_accepts_persian_headers_in_any_order_and_ignores_other_columns():
    content = (
        "\ufeffمقدار,نام شاخص,کد محدوده,كد شاخص,دوره,توضیح,نام محدوده,تفکیک\n"
        "12,تولد,2301,births,1402Q3,خوب,تهران,female\n"
    )

    assert read(formats.CSV, content) == [
        Record(2, "births", "2301", "1402Q3", "female", "12", "خوب")
    ]


def test_csv_headers_match_whatever_their_case_and_spacing():
    content = " Value ,AREA,Indicator,Period\n 7 , 23 , births , 1402 \n"

    assert read(formats.CSV, content) == [Record(2, "births", "23", "1402", "", "7", "")]


def test_csv_without_required_headers_is_unreadable_naming_all_of_them():
    with pytest.raises(UnreadableFile) as caught:
        read(formats.CSV, "indicator,breakdown,comment\nbirths,,\n")

    message = str(caught.value)
    for name in ("area", "period", "value", "کد محدوده", "دوره", "مقدار"):
        assert name in message
    assert "indicator (" not in message


def test_csv_with_a_column_twice_is_unreadable():
    with pytest.raises(UnreadableFile, match="value"):
        read(formats.CSV, "indicator,area,period,value,مقدار\n")


def test_empty_csv_is_unreadable():
    with pytest.raises(UnreadableFile):
        read(formats.CSV, "\n\n")


def test_a_row_with_too_few_cells_is_a_problem_naming_the_missing_column():
    content = "کد شاخص,کد محدوده,دوره,مقدار,توضیح\nbirths,23,1402,5\nbirths,23\n"

    record, problem = read(formats.CSV, content)

    assert record == Record(2, "births", "23", "1402", "", "5", "")
    assert (problem.line, problem.column) == (3, "دوره")
    assert "دوره" in problem.message


def test_blank_lines_are_skipped_and_lines_count_from_where_a_row_starts():
    content = (
        "indicator,area,period,value,comment\r\n"
        "\r\n"
        'births,23,1402,1,"two\r\nlines"\r\n'
        ",,,,\r\n"
        "births,23,1403,2,\r\n"
    )

    assert [(item.line, item.period) for item in read(formats.CSV, content)] == [
        (3, "1402"),
        (6, "1403"),
    ]


def test_csv_that_is_not_utf8_is_unreadable_naming_the_line(english):
    content = "indicator,area,period,value\nbirths,23,1402,1\nتولد,23,1402,2\n".encode("cp1256")

    with pytest.raises(UnreadableFile, match="line 3") as caught:
        read(formats.CSV, content)
    assert caught.value.line == 3


def test_reading_does_not_close_the_callers_stream():
    stream = io.BytesIO(b"indicator,area,period,value\nbirths,23,1402,1\n")

    items = list(formats.read(formats.CSV, stream))

    assert len(items) == 1
    assert not stream.closed


class GeneratedCsv(io.RawIOBase):
    """A CSV file made as it is read, so the test holds no copy of it."""

    def __init__(self, rows: int):
        self.lines = self.generate(rows)
        self.pending = b""

    @staticmethod
    def generate(rows):
        yield "\ufeffکد شاخص,کد محدوده,دوره,تفکیک,مقدار,توضیح\r\n".encode()
        for number in range(rows):
            month = number % 12 + 1
            yield f"ind-{number % 97},{number},1402-{month:02d},female,{number}.5,\r\n".encode()

    def readable(self):
        return True

    def readinto(self, buffer):
        parts, size = [self.pending], len(self.pending)
        for line in self.lines:
            parts.append(line)
            size += len(line)
            if size >= len(buffer):
                break
        data = b"".join(parts)
        count = min(len(buffer), len(data))
        buffer[:count] = data[:count]
        self.pending = data[count:]
        return count


def test_reading_a_large_csv_streams_in_little_memory():
    stream = io.BufferedReader(GeneratedCsv(200_000))
    tracemalloc.start()
    try:
        count = sum(isinstance(item, Record) for item in formats.read(formats.CSV, stream))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == 200_000
    assert peak < 20 * 2**20


# -- XLSX --------------------------------------------------------------------------------------


def test_xlsx_numbers_read_as_written_in_the_cell():
    content = xlsx(
        [
            ["indicator", "area", "period", "value", "comment"],
            ["births", 2301, 1402, 12.0, "=x"],
            [None, None, None, None, None],
            ["births", "2301", "1402Q1", 12.5, None],
            ["births", "2301", "1402Q2", 1e20, None],
        ]
    )

    assert read(formats.XLSX, content) == [
        Record(2, "births", "2301", "1402", "", "12", "=x"),
        Record(4, "births", "2301", "1402Q1", "", "12.5", ""),
        Record(5, "births", "2301", "1402Q2", "", "100000000000000000000", ""),
    ]


def test_xlsx_with_names_reads_back_without_them():
    values = [Value("births", "2301", "1402", "female", Decimal("3"), "")]
    output = io.BytesIO()
    names = {"indicator": {"births": "تولد"}, "area": {"2301": "تهران"}}

    formats.write_xlsx(values, output, names=names)

    rows = list(
        CalamineWorkbook.from_filelike(io.BytesIO(output.getvalue()))
        .get_sheet_by_index(0)
        .iter_rows()
    )
    assert rows[0] == [
        "کد شاخص",
        "نام شاخص",
        "کد محدوده",
        "نام محدوده",
        "دوره",
        "تفکیک",
        "مقدار",
        "توضیح",
    ]
    assert rows[1][:4] == ["births", "تولد", "2301", "تهران"]
    assert [key(item) for item in read(formats.XLSX, output.getvalue())] == [key(values[0])]


def test_a_template_has_the_rows_to_fill_and_no_values():
    output = io.BytesIO()

    formats.template_xlsx(
        output,
        rows=[
            ("births", "تولد", "2301", "تهران", "1402", ""),
            ("births", "تولد", "2301", "تهران", "1402", "female"),
        ],
    )

    assert read(formats.XLSX, output.getvalue()) == [
        Record(2, "births", "2301", "1402", "", "", ""),
        Record(3, "births", "2301", "1402", "female", "", ""),
    ]


def test_a_file_that_is_not_a_workbook_is_unreadable():
    with pytest.raises(UnreadableFile):
        read(formats.XLSX, b"indicator,area,period,value\n")


def test_xlsx_without_required_headers_is_unreadable():
    with pytest.raises(UnreadableFile, match="period"):
        read(formats.XLSX, xlsx([["indicator", "area", "value"], ["births", "23", 1]]))


# -- DHIS2 CSV ---------------------------------------------------------------------------------


def test_dhis2_csv_reads_columns_by_position_and_default_is_the_total():
    content = (
        '"dataelement","period","orgunit","catoptcombo","attroptcombo","value","storedby","timestamp"\n'
        '"births","1402-01","2301","default",,"7","bombali","2010-04-17"\n'
        '"births","1402-01","2301","female",,"3","bombali","2010-04-17"\n'
    )

    assert read(formats.DHIS2_CSV, content) == [
        Record(2, "births", "2301", "1402-01", "", "7", ""),
        Record(3, "births", "2301", "1402-01", "female", "3", ""),
    ]


def test_dhis2_csv_row_without_a_value_is_a_problem():
    content = "dataelement,period,orgunit,catoptcombo\nbirths,1402,2301,\n"

    assert [(item.line, item.column) for item in read(formats.DHIS2_CSV, content)] == [(2, "value")]


# -- DHIS2 JSON --------------------------------------------------------------------------------


def test_dhis2_json_takes_period_and_org_unit_from_the_top_as_defaults():
    document = {
        "dataSet": "DS",
        "completeDate": "2024-01-01",
        "period": "1402",
        "orgUnit": "2301",
        "dataValues": [
            {"dataElement": "births", "value": 12.0},
            {"dataElement": "births", "orgUnit": "23", "period": "1402Q1", "value": "4"},
            {"dataElement": "births", "categoryOptionCombo": "default", "value": 1.50},
        ],
    }

    assert read(formats.DHIS2_JSON, json.dumps(document)) == [
        Record(1, "births", "2301", "1402", "", "12", ""),
        Record(2, "births", "23", "1402Q1", "", "4", ""),
        Record(3, "births", "2301", "1402", "", "1.5", ""),
    ]


def test_dhis2_json_data_value_missing_keys_are_problems():
    document = {"dataValues": [{"dataElement": "births", "value": [1]}, "x"]}

    problems = read(formats.DHIS2_JSON, json.dumps(document))

    assert [(item.line, item.column) for item in problems] == [
        (1, "orgUnit"),
        (1, "period"),
        (1, "value"),
        (2, "dataValues"),
    ]
    assert all(isinstance(item, Problem) for item in problems)


def test_bad_json_is_unreadable_naming_where(english):
    with pytest.raises(UnreadableFile, match=r"line 3, column 5") as caught:
        read(formats.DHIS2_JSON, '{"dataValues": [\n{"value": "1"},\n    ,\n]}')
    assert caught.value.line == 3


def test_deeply_nested_json_is_unreadable():
    with pytest.raises(UnreadableFile):
        read(formats.DHIS2_JSON, '{"dataValues": ' + "[" * 200_000 + "]" * 200_000 + "}")


def test_json_without_data_values_is_unreadable():
    with pytest.raises(UnreadableFile):
        read(formats.DHIS2_JSON, "[]")


def test_dhis2_json_is_written_without_a_combination_for_the_total():
    content = written(
        formats.DHIS2_JSON, [Value("births", "23", "1402", "", Decimal("2"))], data_set="DS"
    )

    assert json.loads(content) == {
        "dataSet": "DS",
        "dataValues": [{"dataElement": "births", "period": "1402", "orgUnit": "23", "value": "2"}],
    }


# -- ADX ---------------------------------------------------------------------------------------


def adx(*data_values: str, period="2023-03-21/P1Y", namespace=True) -> str:
    xmlns = f' xmlns="{formats.ADX_NAMESPACE}"' if namespace else ""
    return (
        f'<adx{xmlns} exported="2024-01-01T00:00:00Z">'
        f'<group orgUnit="2301" period="{period}" dataSet="DS">'
        + "".join(data_values)
        + "</group></adx>"
    )


@pytest.mark.parametrize(
    ("adx_period", "code"), [("2023-03-21/P1Y", "1402"), ("2023-06-22/P3M", "1402Q2")]
)
def test_adx_periods_become_jalali_codes(adx_period, code):
    assert periods.parse(code).adx == adx_period

    items = read(formats.ADX, adx('<dataValue dataElement="births" value="1"/>', period=adx_period))

    assert [item.period for item in items] == [code]


def test_adx_unknown_period_keeps_its_text():
    items = read(
        formats.ADX, adx('<dataValue dataElement="b" value="1"/>', period="2023-01-01/P1Y")
    )

    assert [item.period for item in items] == ["2023-01-01/P1Y"]


def test_adx_breakdowns_come_from_one_dimension_attribute():
    content = adx(
        '<dataValue dataElement="births" SEX="female" value="1" comment="خوب"/>',
        '<dataValue dataElement="births" AGE_GROUP="age-15-19" value="2"/>',
        '<dataValue dataElement="births" categoryOptionCombo="default" value="3"/>',
        '<dataValue dataElement="births" value="4"/>',
        '<dataValue dataElement="births" SEX="female" EDUCATION="college" value="5"/>',
        namespace=False,
    )

    items = read(formats.ADX, content)

    assert [(item.line, item.breakdown) for item in items[:4]] == [
        (1, "female"),
        (2, "age-15-19"),
        (3, ""),
        (4, ""),
    ]
    assert items[0].comment == "خوب"
    assert isinstance(items[4], Problem)
    assert items[4].line == 5
    assert "SEX" in items[4].column and "EDUCATION" in items[4].column


def test_adx_missing_attributes_are_problems():
    items = read(formats.ADX, adx('<dataValue SEX="male"/>'))

    assert [(item.line, item.column) for item in items] == [(1, "dataElement"), (1, "value")]


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE adx [<!ENTITY a "aaaa">]>',
        '<!DOCTYPE adx SYSTEM "file:///etc/passwd">',
    ],
)
def test_adx_with_a_doctype_is_refused(declaration):
    with pytest.raises(UnreadableFile, match="DOCTYPE"):
        read(formats.ADX, declaration + adx('<dataValue dataElement="a" value="&a;"/>'))


def test_adx_in_utf16_is_refused():
    with pytest.raises(UnreadableFile):
        read(formats.ADX, adx('<dataValue dataElement="a" value="1"/>').encode("utf-16"))


def test_broken_adx_is_unreadable_naming_the_line(english):
    with pytest.raises(UnreadableFile, match="line 3") as caught:
        read(formats.ADX, '<adx>\n<group orgUnit="1">\n</adx>')
    assert caught.value.line == 3


def test_truncated_adx_is_unreadable():
    with pytest.raises(UnreadableFile, match="XML"):
        read(formats.ADX, '<adx><group orgUnit="1" period="2023-03-21/P1Y">')


def test_adx_groups_consecutive_values_of_one_area_and_period():
    values = [
        Value("a", "23", "1402", "", Decimal(1)),
        Value("b", "23", "1402", "", Decimal(2)),
        Value("a", "24", "1402", "", Decimal(3)),
    ]

    content = written(formats.ADX, values).decode()

    assert content.count("<group ") == 2
    assert 'exported="' in content


def test_column_of_names_the_header_key_or_attribute():
    assert formats.column_of(formats.CSV, "value") == "value"
    assert formats.column_of(formats.XLSX, "area") == "area"
    assert formats.column_of(formats.DHIS2_JSON, "indicator") == "dataElement"
    assert formats.column_of(formats.DHIS2_CSV, "breakdown") == "catoptcombo"
    assert formats.column_of(formats.ADX, "area") == "orgUnit"


def test_reading_an_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="Unknown format"):
        formats.read("pdf", io.BytesIO(b""))
