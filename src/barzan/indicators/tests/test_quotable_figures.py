"""Figures you can quote and comparisons that mean something (issue 11, findings 1 and 2).

Done when: a test fails if any Persian page shows a roll-up with incomplete reporting as a
plain total, or ranks a yes/no or raw count. `TestEveryPersianPage` renders the real pages
(the profile of every area from Iran down to a neighborhood, its PDF's HTML, the
indicator's figures) over figures where only some areas reported, and judges each row
against the stored roll-ups, worked out here apart from the code under test.
"""

import io
import re
from decimal import Decimal

import pytest
from django.db.models import F

from barzan.geo.models import AreaLevel
from barzan.indicators import actions, comparisons, pdf, readers
from barzan.indicators.models import Indicator, IndicatorAggregate

pytestmark = pytest.mark.django_db

# N1 and N2 of district 6 report; N3 reports nothing, nor does any other district, county
# or province: every roll-up above the neighborhoods is partial.
FIGURES = {
    "1401": {
        "N1": {"population": "950", "literacy": "78", "households": "290"},
        "N2": {"population": "2900", "literacy": "88", "households": "880"},
    },
    "1402": {
        "N1": {"population": "1000", "households": "300", "has_park": "1", "active": "400",
               "unemployed": "40"},
        "N2": {"population": "3000", "households": "900", "has_park": "0", "active": "600",
               "unemployed": "83"},
    },
}  # fmt: skip


def import_figures(csv_of, areas, organizations, figures=FIGURES):
    rows = [
        (code, area, period, "", value)
        for period, by_area in figures.items()
        for area, values in by_area.items()
        for code, value in values.items()
    ]
    outcome = actions.import_values(
        actor=None,
        stream=io.BytesIO(csv_of(*rows)),
        format="csv",
        area=areas.district6,
        source=organizations.education_tehran,
    )
    assert outcome.is_valid, outcome.problems


@pytest.fixture
def reported(neighborhoods, catalogue, csv_of, areas, organizations):
    # Having a park is better, as having a library is in the demo: a rank would be possible.
    actions.update_indicator(
        actor=None, indicator=catalogue.has_park, version=None, direction="higher_better"
    )
    import_figures(csv_of, areas, organizations)
    return catalogue


def data_set(organizations, indicators, threshold):
    return actions.create_data_set(
        actor=None,
        code=f"neighborhood-figures-{threshold}",
        name_fa="ارقام محله",
        level=AreaLevel.objects.get(code="neighborhood"),
        period_type="year",
        owner=organizations.education_tehran,
        reporting_threshold=threshold,
        indicators=indicators,
    )


def page(client, login, user, url, *, language="fa"):
    login(user)
    client.cookies["barzan_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def rows_of(content: str) -> dict[str, str]:
    """Return the text of each profile row, by indicator code."""
    return {
        code: text_of(row)
        for code, row in re.findall(r'<tr data-indicator="([^"]+)">(.*?)</tr>', content, re.S)
    }


def is_incomplete(indicator, area, period) -> bool:
    """The truth, read from the stored roll-ups: the area's figure is a roll-up, and some
    roll-up in the tree below it (its own included) has fewer areas reporting than exist."""
    figure = readers.figures(user=None, indicators=[indicator], areas=[area], periods=[period])
    figure = figure.get((indicator.pk, area.pk, period.pk, readers.total_breakdown_id()))
    if figure is None or not figure.is_rollup:
        return False
    parts = [indicator.numerator, indicator.denominator] if indicator.is_calculated else [indicator]
    return IndicatorAggregate.objects.filter(
        indicator__in=parts,
        area__path__startswith=area.path,
        period=period,
        breakdown__code="total",
        reported_count__lt=F("expected_count"),
    ).exists()


# What a Persian page writes when it ranks or compares a figure.
RANK = "رتبه"
PER_1000 = "در هر هزار نفر"
COMPARED = ("٪ از", "برابر با", "بیشتر از", "کمتر از")
PARTIAL = "ناقص"


def assert_quotable(row: str, indicator, *, incomplete: bool, where: str, parent=False):
    """A row shows an incomplete roll-up as partial and never compares it, nor anything
    with an incomplete parent; it never ranks a yes/no figure, nor a count except per
    1,000 residents."""
    if parent:
        for phrase in COMPARED:
            assert phrase not in row, f"{where}: compared with a partial parent: {row}"
    if incomplete:
        assert PARTIAL in row, f"{where}: an incomplete roll-up shown as a total: {row}"
        assert re.search(r"(مجموع|میانگین|برآمده از) [۰-۹٬]+ از [۰-۹٬]+ .+ گزارش‌دهنده", row), (
            f"{where}: the partial roll-up does not say how many reported: {row}"
        )
        assert RANK not in row, f"{where}: a partial roll-up is ranked: {row}"
        for phrase in COMPARED:
            assert phrase not in row, f"{where}: a partial roll-up is compared: {row}"
    if indicator.value_type == "boolean":
        assert RANK not in row, f"{where}: a yes/no figure is ranked: {row}"
    if indicator.value_type == "count" and RANK in row:
        assert f"{RANK} " in row and "به ازای هر هزار نفر" in row, (
            f"{where}: a raw count is ranked: {row}"
        )


class TestEveryPersianPage:
    """The done-when line: every Persian page with roll-ups, over partial reporting."""

    def profiles_of(self, areas, neighborhoods):
        return [
            areas.country,
            areas.tehran,
            areas.tehran_county,
            areas.tehran_city,
            areas.district6,
            neighborhoods.n1,
            neighborhoods.n2,
        ]

    def test_no_profile_shows_a_partial_roll_up_as_a_total_or_ranks_a_yes_no_or_a_count(
        self, client, login, people, areas, neighborhoods, reported, period
    ):
        indicators = {i.code: i for i in Indicator.objects.all()}
        checked_partial = 0
        for area in self.profiles_of(areas, neighborhoods):
            content = page(client, login, people.admin, f"/indicators/profile/{area.pk}/")
            for code, row in rows_of(content).items():
                incomplete = is_incomplete(indicators[code], area, period)
                checked_partial += incomplete
                parent = area.parent is not None and is_incomplete(
                    indicators[code], area.parent, period
                )
                assert_quotable(
                    row, indicators[code], incomplete=incomplete, where=area.name, parent=parent
                )
        # Every level above the neighborhoods had something to get wrong.
        assert checked_partial >= 5 * 3

    def test_no_profile_pdf_shows_a_partial_roll_up_as_a_total(
        self, client, login, people, areas, neighborhoods, reported, period, monkeypatch
    ):
        documents = []
        monkeypatch.setattr(pdf, "render", lambda html: documents.append(html) or b"%PDF-")
        indicators = {i.code: i for i in Indicator.objects.all()}
        for area in self.profiles_of(areas, neighborhoods):
            page(client, login, people.admin, f"/indicators/profile/{area.pk}/pdf/")
            for code, row in rows_of(documents[-1]).items():
                incomplete = is_incomplete(indicators[code], area, period)
                assert_quotable(row, indicators[code], incomplete=incomplete, where=area.name)
        assert "مجموع ۱ از ۳ استان گزارش‌دهنده" in text_of(documents[0])

    def test_iran_is_the_sum_of_one_of_three_provinces_and_tehran_no_share_of_it(
        self, client, login, people, areas, reported
    ):
        iran = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{areas.country.pk}/")
        )
        assert "۴٬۰۰۰" in iran["population"]
        assert "مجموع ۱ از ۳ استان گزارش‌دهنده" in iran["population"]
        assert "میانگین ۱ از ۳ استان گزارش‌دهنده" in iran["literacy"]
        tehran = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{areas.tehran.pk}/")
        )
        assert "٪ از" not in tehran["population"]
        assert "برابر با" not in tehran["literacy"]

    def test_the_indicator_page_marks_its_partial_totals(self, client, login, people, reported):
        content = page(client, login, people.admin, "/indicators/population/")
        series = re.search(r'data-testid="series">.*?<tbody>(.*?)</tbody>', content, re.S).group(1)
        rows = re.findall(r"<tr(?: data-partial)?>.*?</tr>", series, re.S)
        assert rows and all("data-partial" in row for row in rows)
        assert all(PARTIAL in text_of(row) for row in rows)
        assert "تنها ۱ از ۳ گزارش داده‌اند" in text_of(series)

    def test_a_neighborhood_counts_its_siblings_with_a_park_and_ranks_nothing_by_it(
        self, client, login, people, neighborhoods, reported
    ):
        rows = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        )
        assert "بله در ۱ از ۲ محله" in rows["has_park"]
        assert RANK not in rows["has_park"]

    def test_a_yes_no_figure_is_counted_over_the_areas_below_at_every_level(
        self, client, login, people, areas, reported
    ):
        for area in (areas.district6, areas.tehran, areas.country):
            content = page(client, login, people.admin, f"/indicators/profile/{area.pk}/")
            counted = re.search(r'data-indicator-count="has_park">(.*?)</p>', content, re.S)
            assert counted, area.name
            assert "بله در ۱ از ۲ محله گزارش‌دهنده ( ۱۴۰۲ )" in text_of(counted.group(1))
            assert RANK not in text_of(counted.group(1))


class TestThreshold:
    def test_a_city_whose_one_district_is_partial_is_partial_too(
        self, client, login, people, areas, reported
    ):
        # Tehran city has one district, which reported: 1 of 1, but district 6 itself
        # has 2 of its 3 neighborhoods.
        rows = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{areas.tehran_city.pk}/")
        )
        assert PARTIAL in rows["population"]
        assert "مجموع ۱ از ۱ منطقه گزارش‌دهنده؛ گزارش برخی از آن‌ها ناقص است" in rows["population"]

    def test_the_coverage_of_the_tree_below_is_stored_with_each_roll_up(
        self, areas, reported, period
    ):
        coverage = {
            area.code: IndicatorAggregate.objects.get(
                indicator=reported.population, area=area, period=period, breakdown__code="total"
            ).coverage
            for area in (areas.district6, areas.tehran_city, areas.tehran_county, areas.country)
        }
        third = Decimal(1) / 3
        assert coverage["2301021606"] == pytest.approx(2 * third, abs=Decimal("0.000001"))
        assert coverage["2301021576"] == pytest.approx(2 * third, abs=Decimal("0.000001"))
        # Tehran county has Tehran city only; Iran 1 of 3 provinces, Tehran 1 of 2 counties.
        assert coverage["IR"] == pytest.approx(2 * third / 2 / 3, abs=Decimal("0.000001"))

    def test_a_roll_up_of_2_of_3_is_partial_at_the_default_100_percent(
        self, client, login, people, areas, reported
    ):
        rows = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{areas.district6.pk}/")
        )
        assert "مجموع ۲ از ۳ محله گزارش‌دهنده" in rows["population"]

    def test_a_data_set_asking_for_60_percent_makes_2_of_3_a_total(
        self, client, login, people, areas, neighborhoods, reported, organizations
    ):
        data_set(organizations, [reported.population], 60)
        rows = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{areas.district6.pk}/")
        )
        assert PARTIAL not in rows["population"]
        assert PARTIAL in rows["households"]  # in no data set: 100%
        n1 = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        )
        assert "۲۵٪ از تهران ۶" in n1["population"]

    def test_the_strictest_data_set_decides(self, reported, organizations):
        data_set(organizations, [reported.population], 60)
        data_set(organizations, [reported.population, reported.active], 70)
        found = comparisons.thresholds([reported.population, reported.unemployment_rate])
        assert found == {reported.population.pk: 70, reported.unemployment_rate.pk: 100}

    @pytest.mark.parametrize(
        ("reported_count", "expected", "threshold", "partial"),
        [(2, 3, 66, False), (2, 3, 67, True), (3, 3, 100, False), (0, 0, 100, True)],
    )
    def test_the_edge_of_the_threshold(self, reported_count, expected, threshold, partial):
        figure = readers.Figure(Decimal(1), True, reported_count, expected)
        assert comparisons.is_partial(figure, threshold) is partial

    def test_a_figure_the_area_reported_itself_is_never_partial(self):
        assert not comparisons.is_partial(readers.Figure(Decimal(1), False, 0, 3), 100)

    def test_the_threshold_is_edited_with_the_data_set_and_shown(
        self, client, login, people, reported, organizations
    ):
        created = data_set(organizations, [reported.population], 80)
        content = page(client, login, people.admin, f"/indicators/data-sets/{created.code}/")
        assert "۸۰٪" in text_of(content)
        response = client.get(f"/api/v1/indicators/data-sets/{created.code}")
        assert response.json()["reporting_threshold"] == 80

    def test_a_threshold_outside_1_to_100_is_refused(self, reported, organizations):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            data_set(organizations, [reported.population], 0)
        with pytest.raises(ValidationError):
            data_set(organizations, [reported.population], 101)


class TestComparisons:
    def test_a_count_is_ranked_per_1000_residents(
        self, client, login, people, neighborhoods, reported
    ):
        # Households: N1 300 of 1,000 residents (300.0), N2 900 of 3,000 (300.0); the
        # unemployed: 40.0 against 27.7 per 1,000, fewer is better: N1 second.
        n1 = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        )
        assert "۴۰٫۰ در هر هزار نفر" in n1["unemployed"]
        assert "رتبه ۲ از ۲ به ازای هر هزار نفر" in n1["unemployed"]

    def test_a_count_is_not_ranked_when_a_sibling_has_no_population(
        self, client, login, people, neighborhoods, reported, csv_of, areas, organizations
    ):
        import_figures(csv_of, areas, organizations, {"1402": {"N3": {"unemployed": "10"}}})
        n1 = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        )
        assert RANK not in n1["unemployed"]

    def test_a_partial_roll_up_is_not_ranked_among_siblings_with_figures(
        self, client, login, people, areas, neighborhoods, reported, csv_of, organizations
    ):
        from barzan.indicators import profiles

        # Isfahan's only neighborhood reports: Isfahan province is whole, Tehran partial.
        rows = [("unemployed", "I1", "1402", "", "10"), ("active", "I1", "1402", "", "100")]
        outcome = actions.import_values(
            actor=None,
            stream=io.BytesIO(csv_of(*rows)),
            format="csv",
            area=areas.isfahan_county,
            source=organizations.education_isfahan,
        )
        assert outcome.is_valid, outcome.problems
        # Kermanshah reports its own figures: two whole siblings a rank could be among.
        rows = [("unemployed", "05", "1402", "", "30"), ("active", "05", "1402", "", "200")]
        outcome = actions.import_values(
            actor=None,
            stream=io.BytesIO(csv_of(*rows)),
            format="csv",
            area=areas.country,
            source=organizations.education_tehran,
        )
        assert outcome.is_valid, outcome.problems
        profile = profiles.profile(user=people.admin, area=areas.tehran)
        row = next(r for s in profile.sections for r in s.rows if r.indicator.code == "unemployed")
        rate = next(
            r for s in profile.sections for r in s.rows if r.indicator.code == "unemployment_rate"
        )
        assert (row.is_partial, row.rank, rate.is_partial, rate.rank) == (True, None, True, None)
        tehran = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{areas.tehran.pk}/")
        )
        assert RANK not in tehran["unemployment_rate"]

    def test_a_rate_is_ranked_as_it_is(self, client, login, people, neighborhoods, reported):
        # 10% against 13.8% unemployed: N1 first.
        n1 = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        )
        assert "رتبه ۱ از ۲" in n1["unemployment_rate"]
        assert PER_1000 not in n1["unemployment_rate"]

    def test_a_difference_of_percents_is_in_percentage_points(
        self, client, login, people, neighborhoods, reported, organizations
    ):
        data_set(organizations, [reported.active, reported.unemployed], 60)
        n1 = rows_of(
            page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        )
        # 10% against the district's 12.3%: 2.3 points, not «٪۲٫۳».
        assert "۲٫۳ واحد درصد کمتر از تهران ۶" in n1["unemployment_rate"]
        assert "٪۲٫۳" not in n1["unemployment_rate"]
        assert "۲٫۳٪ کمتر" not in n1["unemployment_rate"]

    def test_the_percentage_point_text(self, catalogue):
        from django.utils import translation

        with translation.override("fa"):
            text = comparisons.difference_text(catalogue.literacy, Decimal("-0.7"))
        assert text == "۰٫۷ واحد درصد"

    def test_per_1000(self):
        assert comparisons.per_thousand(Decimal(40), 1000) == Decimal(40)
        assert comparisons.per_thousand(Decimal(83), 3000).quantize(Decimal("0.1")) == Decimal(
            "27.7"
        )
        assert comparisons.per_thousand(Decimal(83), None) is None


class TestPeriods:
    def test_the_profile_shows_the_latest_period_by_default_and_says_when_a_row_is_older(
        self, client, login, people, neighborhoods, reported
    ):
        content = page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        assert '<option value="1402" selected>' in content
        rows = rows_of(content)
        # Literacy was last reported in 1401.
        assert "آخرین رقم: ۱۴۰۱" in rows["literacy"]
        assert "آخرین رقم" not in rows["population"]

    def test_an_earlier_period_is_chosen_from_the_list(
        self, client, login, people, neighborhoods, reported
    ):
        content = page(
            client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/?period=1401"
        )
        rows = rows_of(content)
        assert "۹۵۰" in rows["population"]
        assert "has_park" not in rows
        assert "آخرین رقم" not in rows["literacy"]

    def test_one_period_type_at_a_time_with_the_others_named(
        self, client, login, people, neighborhoods, reported, csv_of, areas, organizations
    ):
        import_figures(csv_of, areas, organizations, {"1402Q4": {"N1": {"satisfaction": "7"}}})
        content = page(client, login, people.admin, f"/indicators/profile/{neighborhoods.n1.pk}/")
        # The quarter ends with the year and starts later: it is the latest period.
        assert '<option value="1402Q4" selected>' in content
        rows = rows_of(content)
        assert set(rows) == {"satisfaction"}
        assert "ارقامی با نوع دورهٔ دیگر" in content
        assert 'href="?period=1402"' in content

    @pytest.mark.parametrize("asked", ["abc", "1499Q9", "1402Q7", ""])
    def test_an_unknown_period_shows_the_latest(
        self, client, login, people, neighborhoods, reported, asked
    ):
        url = f"/indicators/profile/{neighborhoods.n1.pk}/?period={asked}"
        assert '<option value="1402" selected>' in page(client, login, people.admin, url)


class TestApi:
    def test_the_profile_flags_partial_roll_ups_and_ranks_only_what_means_something(
        self, client, login, people, areas, neighborhoods, reported
    ):
        login(people.admin)
        district = client.get(f"/api/v1/indicators/areas/{areas.district6.pk}/profile").json()
        rows = {r["indicator"]: r for s in district["sections"] for r in s["rows"]}
        assert (rows["population"]["is_partial"], rows["population"]["reported"]) == (True, 2)
        assert rows["population"]["expected"] == 3
        assert rows["population"]["rank"] is None
        n1 = client.get(f"/api/v1/indicators/areas/{neighborhoods.n1.pk}/profile").json()
        rows = {r["indicator"]: r for s in n1["sections"] for r in s["rows"]}
        assert rows["has_park"]["rank"] is None
        assert (rows["has_park"]["yes_count"], rows["has_park"]["yes_of"]) == (1, 2)
        assert rows["unemployed"]["compared_by"] == "per_1000"
        assert rows["unemployed"]["per_1000"] == "40"
        assert rows["population"]["parent_is_partial"] is True
        assert n1["period"] == "1402"
        counts = [c for s in district["sections"] for c in s["yes_counts"]]
        assert counts == [
            {"indicator": "has_park", "period": "1402", "yes": 1, "reported": 2,
             "level": "neighborhood"}
        ]  # fmt: skip

    def test_the_profile_takes_a_period_and_refuses_a_wrong_one(
        self, client, login, people, neighborhoods, reported
    ):
        login(people.admin)
        url = f"/api/v1/indicators/areas/{neighborhoods.n1.pk}/profile"
        assert client.get(url, {"period": "۱۴۰۱"}).json()["period"] == "1401"
        assert client.get(url, {"period": "1499Q9"}).status_code == 422

    def test_the_aggregates_flag_a_partial_roll_up(self, client, login, people, areas, reported):
        login(people.admin)
        response = client.get(
            "/api/v1/indicators/aggregates",
            {"indicator": "population", "area": areas.country.pk, "periods": "1402"},
        )
        item = response.json()["items"][0]
        assert (item["is_partial"], item["reported"], item["expected"]) == (True, 1, 3)
