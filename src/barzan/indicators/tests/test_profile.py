"""The profile (شناسنامه) of an area: its figures, suppressed small counts, the trend
sparklines, scope, the PDF and a constant number of queries."""

import html
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from barzan.indicators import actions, charts, display
from barzan.indicators.models import Indicator

pytestmark = pytest.mark.django_db

PDFTOTEXT = "/usr/bin/pdftotext"
PDFFONTS = "/usr/bin/pdffonts"

# Two years of figures for two of the three neighborhoods of district 6 (the third,
# N3, reports nothing): populations of the areas are 1,000 and 3,000.
FIGURES = {
    "1401": {
        "N1": {"population": "900", "households": "1", "literacy": "78", "active": "380",
               "unemployed": "50"},
        "N2": {"population": "2800", "households": "1", "literacy": "88", "active": "560",
               "unemployed": "90"},
    },
    "1402": {
        "N1": {"population": "1000", "households": "1", "literacy": "80", "active": "400",
               "unemployed": "40"},
        "N2": {"population": "3000", "households": "2", "literacy": "90", "active": "600",
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
def figures(neighborhoods, catalogue, csv_of, areas, organizations):
    import_figures(csv_of, areas, organizations)
    return catalogue


def profile_page(client, login, user, area, *, language=None):
    login(user)
    if language:
        client.cookies["barzan_language"] = language
    response = client.get(f"/indicators/profile/{area.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def row_of(content: str, code: str) -> str:
    """Return the HTML of the profile's row for the indicator `code`."""
    match = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', content, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def value_of(row: str) -> str:
    """Return the figure a row shows, as text."""
    match = re.search(r'<span class="profile-value[^"]*">(.*?)</span>', row, re.S)
    assert match, "no value in the row"
    return match.group(1).strip()


def without_partial_label(row: str) -> str:
    """Return a row without its «2 of 3 areas reported»: counts of areas, not the figure."""
    return re.sub(r'<span class="profile-partial">.*?</span>', "", row, flags=re.S)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


class TestProfileFigures:
    def test_district_6_shows_the_sum_of_its_neighborhoods_in_persian_digits(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        row = text_of(row_of(content, "population"))
        assert "۴٬۰۰۰" in row
        assert "۱۴۰۲" in row

    def test_the_population_weighted_mean_weighs_each_neighborhood_by_its_population(
        self, client, login, people, areas, figures
    ):
        # (80 × 1,000 + 90 × 3,000) ÷ 4,000 = 87.5, not the plain mean 85.
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        assert "۸۷٫۵٪" in text_of(row_of(content, "literacy"))

    def test_the_unemployment_rate_is_the_ratio_of_the_sums(
        self, client, login, people, areas, figures
    ):
        # 100 × (40 + 83) ÷ (400 + 600) = 12.3.
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        assert "۱۲٫۳٪" in text_of(row_of(content, "unemployment_rate"))

    def test_a_roll_up_says_how_many_areas_below_reported(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.tehran_manager, areas.district6, language="en")
        row = text_of(row_of(content, "population"))
        assert "2 of 3 areas below reported" in row
        assert "roll-up of the areas below" in row
        assert "Education" not in row or "آموزش و پرورش استان تهران" in row
        # Drawn as an SVG rect: the Content-Security-Policy refuses style attributes.
        assert '<rect width="67" height="4" fill="#0b5d52"/>' in row_of(content, "population")

    def test_a_reported_figure_names_its_source(
        self, client, login, people, neighborhoods, figures
    ):
        content = profile_page(
            client, login, people.tehran_manager, neighborhoods.n1, language="en"
        )
        row = text_of(row_of(content, "population"))
        assert "آموزش و پرورش استان تهران" in row
        assert "reported" in row
        assert "areas below reported" not in row

    def test_a_neighborhood_is_ranked_among_its_siblings_and_compared_with_its_district(
        self, client, login, people, neighborhoods, figures
    ):
        content = profile_page(
            client, login, people.tehran_manager, neighborhoods.n1, language="en"
        )
        # Fewer unemployed is better, per 1,000 residents: N1's 40 of 1,000 residents
        # (40.0) against N2's 83 of 3,000 (27.7) ranks N1 second.
        unemployed = text_of(row_of(content, "unemployed"))
        assert "Rank 2 of 2 per 1,000 residents" in unemployed
        assert "40.0 per 1,000 residents" in unemployed
        # District 6 has 2 of its 3 neighborhoods' figures: no total to compare with.
        assert "The figure of تهران 6 is partial: not compared" in unemployed

    def test_a_neighborhood_is_compared_with_its_district_when_enough_reported(
        self, client, login, people, areas, neighborhoods, figures, organizations
    ):
        from barzan.geo.models import AreaLevel

        # 2 of 3 neighborhoods is enough for a data set that asks for 60%.
        actions.create_data_set(
            actor=None,
            code="district-figures",
            name_fa="ارقام منطقه",
            level=AreaLevel.objects.get(code="neighborhood"),
            period_type="year",
            owner=organizations.education_tehran,
            reporting_threshold=60,
            indicators=[figures.population, figures.literacy],
        )
        content = profile_page(
            client, login, people.tehran_manager, neighborhoods.n1, language="en"
        )
        # A count is compared by its share of the parent: 1,000 of 4,000.
        assert "25% of تهران 6 (4,000)" in text_of(row_of(content, "population"))
        # A percent differs in percentage points: 80 against 87.5.
        assert "7.5 percentage points below تهران 6 (87.5%)" in text_of(row_of(content, "literacy"))

    def test_the_parent_chain_links_to_the_profiles_the_user_may_see(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        assert f'href="/indicators/profile/{areas.tehran_city.pk}/"' in content
        assert f'href="/indicators/profile/{areas.tehran.pk}/"' in content
        # Iran is named in the chain but lies above the manager's grant.
        assert "ایران" in content
        assert f'href="/indicators/profile/{areas.country.pk}/"' not in content

    def test_an_area_with_no_figures_says_so_and_offers_entry_to_who_may_capture(
        self, client, login, people, areas, catalogue
    ):
        content = profile_page(
            client, login, people.tehran_manager, areas.shemiranat, language="en"
        )
        assert "There are no figures for this area yet." in content
        assert "Download PDF" not in content
        assert 'href="/indicators/entry/"' in content

    def test_an_analyst_who_may_not_capture_is_offered_no_entry(
        self, client, login, people, areas, catalogue
    ):
        content = profile_page(
            client, login, people.tehran_analyst, areas.shemiranat, language="en"
        )
        assert "There are no figures for this area yet." in content
        assert 'href="/indicators/entry/"' not in content

    def test_a_synthetic_area_is_marked_as_made_up(self, client, login, people, areas, figures):
        from barzan.geo.models import Area

        # No action marks an area synthetic; the demo generator creates them so.
        Area.objects.filter(pk=areas.district6.pk).update(is_synthetic=True)
        content = profile_page(client, login, people.tehran_manager, areas.district6, language="en")
        assert "generated for the demo" in content

    def test_the_area_page_links_to_the_profile(self, client, login, people, areas):
        login(people.tehran_analyst)
        content = client.get(f"/areas/{areas.district6.pk}/").content.decode()
        assert f'href="/indicators/profile/{areas.district6.pk}/"' in content


class TestSmallCounts:
    def test_a_count_of_3_is_suppressed_for_the_tehran_manager(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        row = row_of(content, "households")
        with translation.override("fa"):
            label = display.suppressed_label()  # «کمتر از ۵»
        assert "۵" in label
        assert value_of(row) == label
        assert "۳" not in text_of(without_partial_label(row.split('class="col-source"')[0]))

    def test_a_count_of_3_shows_as_fewer_than_5_in_english(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.tehran_manager, areas.district6, language="en")
        row = row_of(content, "households")
        with translation.override("en"):
            assert value_of(row) == html.escape(display.suppressed_label())
        assert value_of(row) == "&lt;5"
        assert "3" not in text_of(without_partial_label(row.split('class="col-source"')[0]))

    def test_the_focal_point_of_the_owning_organization_sees_the_3(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.focal_point, areas.district6)
        assert value_of(row_of(content, "households")) == "۳"

    def test_the_sparkline_of_a_suppressed_count_draws_no_point(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.tehran_manager, areas.district6)
        chart = row_of(content, "households")
        assert "<svg" in chart
        assert "<circle" not in chart
        assert "<polyline" not in chart

    def test_the_owning_organization_sees_the_trend_of_its_small_count(
        self, client, login, people, areas, figures
    ):
        content = profile_page(client, login, people.focal_point, areas.district6)
        assert "<polyline" in row_of(content, "households")

    def test_a_suppressed_share_of_the_parent_is_not_shown(
        self, client, login, people, neighborhoods, figures
    ):
        # N2's 2 households are 2 of district 6's 3: a share would give the count away.
        content = profile_page(
            client, login, people.tehran_manager, neighborhoods.n2, language="en"
        )
        assert "%" not in text_of(row_of(content, "households"))


class TestSparkline:
    def test_a_hidden_point_is_a_gap_and_does_not_shape_the_line(self):
        with_hidden = charts.sparkline([Decimal(10), None, Decimal(20), Decimal(30)])
        assert with_hidden.count("<polyline") == 1
        assert with_hidden.count('class="spark-dot"') == 1
        # The visible points sit where they would with any hidden value in the gap.
        assert charts.sparkline([Decimal(10), None, Decimal(20), Decimal(30)]) == with_hidden

    def test_a_single_point_is_a_dot(self):
        chart = charts.sparkline([Decimal(7)])
        assert chart.count("<circle") == 1
        assert "<polyline" not in chart

    def test_nothing_visible_draws_nothing(self):
        chart = charts.sparkline([None, None])
        assert "<circle" not in chart and "<polyline" not in chart

    def test_coordinates_use_latin_digits_on_persian_pages(self):
        with translation.override("fa"):
            chart = charts.sparkline([Decimal("1.5"), Decimal("2.5")])
        assert re.search(r'points="[0-9., ]+"', chart)


class TestScope:
    def test_the_tehran_manager_gets_404_for_the_isfahan_county_profile(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        assert client.get(f"/indicators/profile/{areas.isfahan_county.pk}/").status_code == 404
        assert client.get(f"/indicators/profile/{areas.isfahan_county.pk}/pdf/").status_code == 404

    def test_an_unknown_area_is_404(self, client, login, people, figures):
        login(people.admin)
        assert client.get("/indicators/profile/999999/").status_code == 404

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, areas):
        response = client.get(f"/indicators/profile/{areas.district6.pk}/")
        assert response.status_code == 302


@pytest.mark.usefixtures("front_end_assets")
class TestPdf:
    def test_the_pdf_is_an_attachment_with_the_area_name(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        response = client.get(f"/indicators/profile/{areas.district6.pk}/pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="profile-2301021606-')
        assert disposition.endswith('.pdf"')
        if not shutil.which(PDFTOTEXT):
            pytest.skip("pdftotext is not installed")
        text = subprocess.run(
            [PDFTOTEXT, "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "تهران" in text
        assert "۴٬۰۰۰" in text or "۴,۰۰۰" in text

    def test_the_pdf_is_set_in_vazirmatn_from_the_projects_own_files(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        content = client.get(f"/indicators/profile/{areas.district6.pk}/pdf/").content
        if not shutil.which(PDFFONTS):
            pytest.skip("pdffonts is not installed")
        fonts = subprocess.run(
            [PDFFONTS, "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        assert "Vazirmatn" in fonts
        assert "DejaVu" not in fonts

    def test_the_pdf_renderer_refuses_every_address_but_its_own_static_files(self):
        from barzan.indicators import pdf

        fetcher = pdf.local_fetcher()
        for url in (
            "http://example.com/style.css",
            "https://example.com/font.ttf",
            "file:///etc/passwd",
            "file://example.com/share/font.ttf",
        ):
            with pytest.raises(ValueError):
                fetcher.fetch(url)
        font = pdf.static_path(pdf.FONTS["regular"])
        assert fetcher.fetch(font.as_uri()).read()[:4] == b"\x00\x01\x00\x00"

    def test_a_page_asking_for_network_files_still_renders_offline(self):
        from barzan.indicators import pdf

        html = (
            '<html><head><link rel="stylesheet" href="http://example.com/x.css"></head>'
            '<body><img src="https://example.com/a.png">سلام</body></html>'
        )
        assert pdf.render(html).startswith(b"%PDF")


class TestQueries:
    def test_the_profile_makes_as_many_queries_for_8_indicators_as_for_3(
        self, client, login, people, areas, figures, count_queries
    ):
        login(people.tehran_manager)
        url = f"/indicators/profile/{areas.district6.pk}/"
        client.get(url)
        with_all = count_queries(lambda: client.get(url))
        # Households keep a small count in the table: secondary suppression reads it too;
        # a yes/no indicator, its count over the areas below.
        for indicator in Indicator.objects.exclude(
            code__in=["population", "households", "has_park"]
        ):
            actions.update_indicator(actor=None, indicator=indicator, version=None, is_key=False)
        with_two = count_queries(lambda: client.get(url))
        assert Indicator.objects.filter(is_key=True).count() == 3
        assert with_two == with_all

    def test_the_profile_makes_as_many_queries_for_8_periods_as_for_2(
        self, client, login, people, areas, figures, count_queries, csv_of, organizations
    ):
        login(people.tehran_manager)
        url = f"/indicators/profile/{areas.district6.pk}/"
        client.get(url)
        with_two = count_queries(lambda: client.get(url))
        more = {
            str(year): {"N1": {"population": "1000", "households": "2"}, "N2": {"population": "9"}}
            for year in range(1395, 1401)
        }
        import_figures(csv_of, areas, organizations, more)
        content = client.get(url).content.decode()
        assert len(re.findall(r"[0-9.]+,[0-9.]+", row_of(content, "population"))) == 8
        assert count_queries(lambda: client.get(url)) == with_two

    @pytest.mark.usefixtures("front_end_assets")
    def test_the_pdf_makes_as_many_queries_for_8_indicators_as_for_3(
        self, client, login, people, areas, figures, count_queries
    ):
        login(people.tehran_manager)
        url = f"/indicators/profile/{areas.district6.pk}/pdf/"
        with_all = count_queries(lambda: client.get(url))
        # Households keep a small count in the table: secondary suppression reads it too;
        # a yes/no indicator, its count over the areas below.
        for indicator in Indicator.objects.exclude(
            code__in=["population", "households", "has_park"]
        ):
            actions.update_indicator(actor=None, indicator=indicator, version=None, is_key=False)
        assert count_queries(lambda: client.get(url)) == with_all
