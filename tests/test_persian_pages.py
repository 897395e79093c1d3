"""
Every list page reads as Persian: Persian digits in what a reader sees, and names in Persian
alphabetical order. English pages get Latin digits. A list page added to Barzan is walked
without being named here (the walk finds them from the URL patterns).

What counts as visible text: text nodes, outside <script>, <style>, <template>, <textarea>
(what a person is editing is kept as typed) and <code>/<kbd>/<pre>/<samp>. A digit inside a
Latin word is part of a name a person types as it is (UTF-8, WGS84, DHIS2, a code such as
moe-tehran2), not a number: it may stay Latin. A code that starts with a digit (an area code,
a period code «1402Q3») is a number to a reader and is shown in Persian digits, as
PERSIAN.md asks.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from barzan.access.views import ScopedListView
from barzan.core.text import sort_key

pytestmark = pytest.mark.django_db

SKIPPED = {"script", "style", "template", "textarea", "code", "kbd", "pre", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# A Latin word: a Latin letter, then letters and digits, perhaps joined by - _ . + / :
LATIN_WORD = re.compile(r"(?<![0-9۰-۹])[A-Za-z][A-Za-z0-9]*(?:[-_.+/:][A-Za-z0-9]+)*")
PERSIAN_DIGIT = re.compile("[۰-۹]")


class VisibleText(HTMLParser):
    """The text nodes of a page a reader sees, each with the tag it is in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if data.strip() and not SKIPPED & set(self.stack):
            self.texts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def latin_numbers(texts: list[str]) -> list[str]:
    """Return the texts that show a number in Latin digits."""
    return [text for text in texts if re.search("[0-9]", LATIN_WORD.sub("", text))]


def list_pages() -> list[str]:
    """Return the URL names of Barzan's list pages: scoped list views and the home page."""
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and not pattern.pattern.converters:
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, ScopedListView):
                    found.append(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    return sorted(found)


# Pages that list areas or data but are not ScopedListViews: walked too.
OTHER_LIST_PAGES = ["reports:home", "indicators:violations", "indicators:entry_start"]


@pytest.fixture
def data(areas, organizations, make_user, login):
    """Names that show order and digits: digits stored Latin, letters code-point order gets
    wrong (پ چ ژ گ), a negative figure, a described indicator."""
    from barzan.geo.actions import create_area
    from barzan.geo.models import AreaLevel
    from barzan.indicators.actions import create_data_set, create_indicator, set_value
    from barzan.indicators.models import Breakdown, Category, Period
    from barzan.registry.actions import create_organization

    provinces = AreaLevel.objects.get(code="province")
    for code, name in (("12", "گیلان"), ("13", "چهارمحال و بختیاری"), ("14", "همدان")):
        create_area(actor=None, level=provinces, code=code, name_fa=name, parent=areas.country)
    neighborhood = AreaLevel.objects.get(code="neighborhood")
    for number in (1, 2, 10):
        create_area(
            actor=None,
            level=neighborhood,
            code=f"2301021606{number:03d}",
            name_fa=f"محلهٔ نمونهٔ 6-{number}",
            parent=areas.district6,
            population=1200 * number,
        )
    for code, name in (
        ("pardis-12", "پایگاه سلامت 12"),
        ("gilan-1", "گروه 2 داوطلبان"),
        ("helpers-3", "همیاران محله 3"),
    ):
        create_organization(actor=None, code=code, name_fa=name, kind="ngo", area=areas.tehran)
    category = Category.objects.create(code="people", name_fa="جمعیت", name_en="People")
    children = create_indicator(
        actor=None,
        code="children_6",
        name_fa="ساکنان 6 ساله",
        name_en="Residents aged 6",
        description_fa="شمار ساکنان 6 ساله در 1402",
        category=category,
        owner=organizations.education_tehran,
        value_type="count",
        aggregation="sum",
    )
    change = create_indicator(
        actor=None,
        code="change",
        name_fa="تغییر جمعیت",
        name_en="Population change",
        category=category,
        owner=organizations.education_tehran,
        value_type="number",
        aggregation="none",
    )
    create_indicator(
        actor=None,
        code="zz_parks",
        name_fa="پارک‌ها",
        category=category,
        owner=organizations.education_tehran,
        value_type="count",
        aggregation="sum",
    )
    create_data_set(
        actor=None,
        code="schools-2",
        name_fa="مدارس 2",
        name_en="Schools 2",
        level=neighborhood,
        period_type="year",
        owner=organizations.education_tehran,
        indicators=[children, change],
    )
    create_data_set(
        actor=None,
        code="watch-3",
        name_fa="پایش گروه 3",
        level=neighborhood,
        period_type="year",
        owner=organizations.education_tehran,
        indicators=[change],
    )
    period = Period.objects.get(code="1402")
    total = Breakdown.objects.get(code="total")
    set_value(
        actor=None,
        indicator=children,
        area=areas.district6,
        period=period,
        breakdown=total,
        value=Decimal(12345),
    )
    set_value(
        actor=None,
        indicator=change,
        area=areas.district6,
        period=period,
        breakdown=total,
        value=Decimal(-3),
    )
    admin = make_user("admin", "national_admin", areas.country, first_name="مدیر", last_name="1")
    return login(admin)


def test_the_walk_finds_the_list_pages_of_every_app():
    pages = list_pages()
    for expected in (
        "geo:area_list",
        "registry:organization_list",
        "indicators:indicator_list",
        "accounts:user_list",
        "audit:event_list",
    ):
        assert expected in pages


@pytest.mark.parametrize("page", list_pages() + OTHER_LIST_PAGES)
def test_a_persian_list_page_shows_no_latin_digits(data, page):
    response = data.get(reverse(page))
    assert response.status_code == 200
    texts = visible_text(response.content.decode())
    assert latin_numbers(texts) == []


@pytest.mark.parametrize("page", list_pages() + OTHER_LIST_PAGES)
def test_an_english_list_page_shows_no_persian_digits(data, page):
    data.cookies["barzan_language"] = "en"
    response = data.get(reverse(page))
    assert response.status_code == 200
    texts = visible_text(response.content.decode())
    assert [text for text in texts if PERSIAN_DIGIT.search(text)] == []


def linked_names(html: str, prefix: str) -> list[str]:
    """Return the text of the links to `prefix`… in the order the page shows them."""
    links = re.findall(rf'<a [^>]*href="{re.escape(prefix)}[^"]+"[^>]*>([^<]+)</a>', html)
    return [link.strip() for link in links]


@pytest.mark.parametrize(
    ("page", "prefix"),
    [
        ("geo:area_list", "/areas/"),
        ("registry:organization_list", "/organizations/"),
        ("indicators:dataset_list", "/indicators/data-sets/"),
        ("indicators:indicator_list", "/indicators/"),
    ],
)
def test_a_list_page_is_in_persian_order(data, page, prefix):
    response = data.get(reverse(page) + "?per_page=100")
    names = linked_names(response.content.decode(), prefix)
    assert len(names) >= 2
    if page == "geo:area_list":
        # Level by level: the provinces are a run of their own.
        names = [name for name in names if name in PROVINCES][: len(PROVINCES)]
        assert set(names) == PROVINCES
    assert names == sorted(names, key=sort_key)


PROVINCES = {"تهران", "اصفهان", "کرمانشاه", "گیلان", "چهارمحال و بختیاری", "همدان"}


def test_an_area_page_lists_its_children_in_persian_order_with_persian_digits(data, areas):
    response = data.get(areas.district6.get_absolute_url())
    html = response.content.decode()
    names = [name for name in linked_names(html, "/areas/") if name.startswith("محلهٔ")]
    assert names == ["محلهٔ نمونهٔ ۶-۱", "محلهٔ نمونهٔ ۶-۲", "محلهٔ نمونهٔ ۶-۱۰"]
    assert latin_numbers(visible_text(html)) == []


def test_a_profile_shows_persian_digits_and_a_sign_that_reads_right(data, areas):
    response = data.get(reverse("indicators:profile", args=[areas.district6.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert latin_numbers(visible_text(html)) == []
    assert "۱۲٬۳۴۵" in html
    # The minus keeps its place left of the digits in right-to-left text.
    assert "\u200e\u2212۳" in html


def test_an_indicator_page_shows_its_description_with_persian_digits(data):
    response = data.get(reverse("indicators:indicator_detail", args=["children_6"]))
    html = response.content.decode()
    assert "ساکنان ۶ ساله" in html
    assert "۱۴۰۲" in html
    assert latin_numbers(visible_text(html)) == []


@pytest.mark.usefixtures("front_end_assets")
def test_a_persian_pdf_shows_no_latin_digits(data, areas):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    response = data.get(reverse("indicators:profile_pdf", args=[areas.district6.pk]))
    assert response.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "۶" in text  # «تهران 6», stored with a Latin digit
    assert latin_numbers(text.splitlines()) == []
