"""
Demo figures: the 1395 census for every county, and synthetic quarterly figures for the
demo city's neighborhoods up to the current quarter.

The census figures are the Statistical Centre of Iran's (population by sex and age group,
the active and the unemployed population by sex and education), and the centre owns them.
The neighborhood figures are made up, deterministically, and say so twice: their source is
the organization «داده‌های ساختگی نمایشی» (Synthetic demo data) and every value's comment is
SYNTHETIC_COMMENT. Their indicators are owned by the agencies that would report them
(OWNERS: the education department owns schools and literacy), so each agency's focal point
sees and enters its own figures.

The quarters are the last QUARTER_COUNT up to the one the clock is in, and the current
quarter is left partly unfilled on purpose (CURRENT_SHARES), so that secretaries and focal
points have something to do this period. A few neighborhoods break a validation rule in
the last finished quarter, so the violations page has something to show.

Values go through `actions.import_values`, the same bulk path as an uploaded file, which
also rolls them up the tree; `import_current_quarter` then uploads the municipality's
figures for the current quarter as a person would (`upload_values` and `run_import`), and
one file with a mistake, so officers see recent imports and their outcome.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from barzan.core import jalali
from barzan.geo import demo as geo_demo
from barzan.geo import importing as geo_importing
from barzan.geo.models import Area, AreaLevel
from barzan.registry.actions import create_organization
from barzan.registry.choices import OrganizationKind
from barzan.registry.models import Organization

from . import actions, formats
from . import periods as period_codes
from .choices import Aggregation, Direction, IndicatorKind, Operator, PeriodType, ValueType
from .models import Category

DATA_DIR = Path(__file__).parent / "data" / "census-1395"
CENSUS_FILE = geo_demo.CENSUS_FILE
ACTIVITY_FILE = DATA_DIR / "iran2016unemployment.csv"

CENSUS_ORGANIZATION = "sci"
SYNTHETIC_ORGANIZATION = "demo-synthetic"
SYNTHETIC_COMMENT = "ساختگی برای نمایش"
CENSUS_PERIOD = "1395"
QUARTER_COUNT = 8
SEED = 1403
# Neighborhoods whose last finished quarter has more households than registered residents.
BROKEN_NEIGHBORHOODS = 3

# Who reports each synthetic indicator (an organization of `registry.demo`); an indicator
# whose owner is not loaded stays with the synthetic source.
OWNERS = {
    "households": "municipality-tehran",
    "residents_registered": "municipality-tehran",
    "schools": "education-tehran",
    "literacy_rate": "education-tehran",
    "health_centers": "health-tehran",
    "green_space_per_capita": "municipality-tehran",
    "worn_out_fabric_share": "municipality-tehran",
    "has_library": "libraries-tehran",
    "satisfaction": "municipality-tehran",
    "social_housing_units": "welfare-tehran",
}
# The municipality reports first in the current quarter, through an uploaded file.
MUNICIPALITY = "municipality-tehran"
# How far the current quarter has got: a neighborhood has nothing yet, only the
# municipality's figures, or every figure, with these chances.
CURRENT_SHARES = (("empty", 0.4), ("municipality", 0.3), ("complete", 0.3))
UPLOAD_NAME = "municipality-current-quarter.csv"
MISTAKEN_UPLOAD_NAME = "municipality-current-quarter-draft.csv"


def quarters(today=None) -> list[str]:
    """Return the codes of the demo's quarters, oldest first, ending with the current one."""
    spec = period_codes.containing(today or jalali.today(), PeriodType.QUARTER)
    codes = [spec.code]
    while len(codes) < QUARTER_COUNT:
        spec = period_codes.previous(spec)
        codes.append(spec.code)
    return codes[::-1]


def current_state(code: str) -> str:
    """Return how far the current quarter has got for the neighborhood coded `code`."""
    # Its own generator per neighborhood: the state does not depend on which others load.
    draw = random.Random(f"{SEED}-{code}").random()
    for state, share in CURRENT_SHARES:
        if draw < share:
            return state
        draw -= share
    return CURRENT_SHARES[-1][0]


# The census file's columns, mapped to the seeded breakdown codes.
SEXES = {"male": "male", "female": "female"}
EDUCATION = {
    "Elementary school": "elementary",
    "Middle school": "middle",
    "High school": "high-school",
    "College": "college",
    "Higher education": "higher",
    "Other education": "other-education",
    "Illitrate": "illiterate",  # sic: the source's spelling
    "Unknown": "education-unknown",
}
ELDERLY_GROUPS = {"65-69", "70-74", "75-79", "80-84", "85-89", "90-94", "95-99", ">100"}

CATEGORIES = [
    ("population", "جمعیت", "Population"),
    ("work", "اشتغال و بیکاری", "Employment and unemployment"),
    ("education", "آموزش", "Education"),
    ("health", "سلامت", "Health"),
    ("services", "خدمات شهری", "Urban services"),
    ("social", "اجتماعی", "Social"),
]

_SYNTHETIC_NOTE_FA = " مقادیر این شاخص در نسخه نمایشی ساختگی‌اند."
_SYNTHETIC_NOTE_EN = " In the demo its values are synthetic."


@dataclass(frozen=True)
class Spec:
    """One indicator of the demo catalogue."""

    code: str
    category: str
    name_fa: str
    name_en: str
    description_fa: str
    description_en: str
    unit_fa: str
    unit_en: str
    value_type: str
    aggregation: str = Aggregation.SUM
    direction: str = Direction.NEUTRAL
    dimensions: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # For a calculated indicator: 100 × numerator ÷ denominator.
    numerator: str = ""
    denominator: str = ""


CENSUS_INDICATORS = [
    Spec(
        code="population",
        category="population",
        name_fa="جمعیت",
        name_en="Population",
        description_fa=(
            "شمار ساکنان در سرشماری عمومی نفوس و مسکن، به تفکیک جنس و گروه سنی پنج‌ساله."
        ),
        description_en=(
            "People counted by the national population and housing census, by sex and five-year age"
            " group."
        ),
        unit_fa="نفر",
        unit_en="people",
        value_type=ValueType.COUNT,
        dimensions=("sex", "age_group"),
    ),
    Spec(
        code="aged_65_plus",
        category="population",
        name_fa="جمعیت ۶۵ ساله و بیشتر",
        name_en="Population aged 65 and over",
        description_fa="شمار ساکنان ۶۵ ساله و بیشتر در سرشماری، به تفکیک جنس.",
        description_en="People aged 65 and over counted by the census, by sex.",
        unit_fa="نفر",
        unit_en="people",
        value_type=ValueType.COUNT,
        dimensions=("sex",),
    ),
    Spec(
        code="elderly_share",
        category="population",
        name_fa="سهم سالمندان",
        name_en="Share of people aged 65 and over",
        description_fa=(
            "درصد ساکنان ۶۵ ساله و بیشتر: ۱۰۰ × جمعیت ۶۵ ساله و بیشتر ÷ جمعیت، در هر سطح از جمع‌ها "
            "محاسبه می‌شود."
        ),
        description_en=(
            "Percent of people aged 65 and over: 100 × population aged 65 and over ÷ population, "
            "calculated from the sums at every level."
        ),
        unit_fa="درصد",
        unit_en="percent",
        value_type=ValueType.PERCENT,
        aggregation=Aggregation.NONE,
        numerator="aged_65_plus",
        denominator="population",
    ),
    Spec(
        code="active_population",
        category="work",
        name_fa="جمعیت فعال اقتصادی",
        name_en="Economically active population",
        description_fa="شاغلان و بیکارانِ جویای کار در سرشماری، به تفکیک جنس و سطح تحصیلات.",
        description_en=(
            "People in work or looking for work, as the census counted them, by sex and level of "
            "education."
        ),
        unit_fa="نفر",
        unit_en="people",
        value_type=ValueType.COUNT,
        dimensions=("sex", "education"),
    ),
    Spec(
        code="unemployed",
        category="work",
        name_fa="جمعیت بیکار",
        name_en="Unemployed population",
        description_fa="افراد بیکارِ جویای کار در سرشماری، به تفکیک جنس و سطح تحصیلات.",
        description_en=(
            "People without work and looking for work, as the census counted them, by sex and level"
            " of education."
        ),
        unit_fa="نفر",
        unit_en="people",
        value_type=ValueType.COUNT,
        direction=Direction.LOWER_IS_BETTER,
        dimensions=("sex", "education"),
    ),
    Spec(
        code="unemployment_rate",
        category="work",
        name_fa="نرخ بیکاری",
        name_en="Unemployment rate",
        description_fa=(
            "درصد بیکاران از جمعیت فعال اقتصادی: ۱۰۰ × جمعیت بیکار ÷ جمعیت فعال، در هر سطح از "
            "جمع‌ها محاسبه می‌شود."
        ),
        description_en=(
            "Percent of the active population without work: 100 × unemployed ÷ active population, "
            "calculated from the sums at every level."
        ),
        unit_fa="درصد",
        unit_en="percent",
        value_type=ValueType.PERCENT,
        aggregation=Aggregation.NONE,
        direction=Direction.LOWER_IS_BETTER,
        numerator="unemployed",
        denominator="active_population",
    ),
]

SYNTHETIC_INDICATORS = [
    Spec(
        code="households",
        category="population",
        name_fa="خانوار",
        name_en="Households",
        description_fa="شمار خانوارهای ساکن محله در پایان فصل.",
        description_en="Households living in the neighborhood at the end of the quarter.",
        unit_fa="خانوار",
        unit_en="households",
        value_type=ValueType.COUNT,
    ),
    Spec(
        code="residents_registered",
        category="population",
        name_fa="ساکنان ثبت‌شده",
        name_en="Registered residents",
        description_fa="شمار ساکنانی که در دفتر محله‌ای شهرداری ثبت شده‌اند، در پایان فصل.",
        description_en=(
            "Residents recorded in the municipality's neighborhood register at the end of the "
            "quarter."
        ),
        unit_fa="نفر",
        unit_en="people",
        value_type=ValueType.COUNT,
    ),
    Spec(
        code="schools",
        category="education",
        name_fa="مدرسه",
        name_en="Schools",
        description_fa="مدرسه‌های دولتی و غیردولتی دایر در محله در پایان فصل.",
        description_en=(
            "Public and private schools open in the neighborhood at the end of the quarter."
        ),
        unit_fa="باب",
        unit_en="schools",
        value_type=ValueType.COUNT,
        aggregation=Aggregation.LAST,
    ),
    Spec(
        code="literacy_rate",
        category="education",
        name_fa="نرخ باسوادی",
        name_en="Literacy rate",
        description_fa=(
            "درصد باسوادان در میان ساکنان ۶ ساله و بیشتر؛ جمع آن در سطوح بالاتر میانگین وزنی به "
            "جمعیت است."
        ),
        description_en=(
            "Percent of residents aged 6 and over who can read and write; higher levels show the "
            "population-weighted mean."
        ),
        unit_fa="درصد",
        unit_en="percent",
        value_type=ValueType.PERCENT,
        aggregation=Aggregation.WEIGHTED_MEAN,
        direction=Direction.HIGHER_IS_BETTER,
    ),
    Spec(
        code="health_centers",
        category="health",
        name_fa="مراکز خدمات سلامت",
        name_en="Health facilities",
        description_fa=(
            "مراکز جامع سلامت، پایگاه‌های سلامت، درمانگاه‌ها و داروخانه‌های دایر در محله در پایان فصل."
        ),
        description_en=(
            "Comprehensive health centres, health posts, clinics and pharmacies open in the "
            "neighborhood at the end of the quarter."
        ),
        unit_fa="مرکز",
        unit_en="facilities",
        value_type=ValueType.COUNT,
        aggregation=Aggregation.LAST,
        direction=Direction.HIGHER_IS_BETTER,
    ),
    Spec(
        code="green_space_per_capita",
        category="services",
        name_fa="سرانه فضای سبز",
        name_en="Green space per resident",
        description_fa=(
            "مساحت بوستان‌ها و فضای سبز عمومی محله به ازای هر ساکن؛ در سطوح بالاتر میانگین وزنی به "
            "جمعیت است."
        ),
        description_en=(
            "Public parks and green space of the neighborhood per resident; higher levels show the "
            "population-weighted mean."
        ),
        unit_fa="مترمربع",
        unit_en="m²",
        value_type=ValueType.NUMBER,
        aggregation=Aggregation.WEIGHTED_MEAN,
        direction=Direction.HIGHER_IS_BETTER,
        minimum=Decimal(0),
    ),
    Spec(
        code="worn_out_fabric_share",
        category="services",
        name_fa="سهم بافت فرسوده",
        name_en="Share of worn-out urban fabric",
        description_fa=(
            "درصد مساحت محله که بافت فرسوده شناخته شده است؛ در سطوح بالاتر میانگین وزنی به جمعیت "
            "است."
        ),
        description_en=(
            "Percent of the neighborhood's land recognised as worn-out urban fabric; higher levels "
            "show the population-weighted mean."
        ),
        unit_fa="درصد",
        unit_en="percent",
        value_type=ValueType.PERCENT,
        aggregation=Aggregation.WEIGHTED_MEAN,
        direction=Direction.LOWER_IS_BETTER,
    ),
    Spec(
        code="has_library",
        category="services",
        name_fa="کتابخانه عمومی",
        name_en="Public library",
        description_fa="آیا محله کتابخانه عمومی دایر دارد.",
        description_en="Whether the neighborhood has a public library open.",
        unit_fa="",
        unit_en="",
        value_type=ValueType.BOOLEAN,
        aggregation=Aggregation.NONE,
        direction=Direction.HIGHER_IS_BETTER,
    ),
    Spec(
        code="satisfaction",
        category="social",
        name_fa="رضایت ساکنان",
        name_en="Residents' satisfaction",
        description_fa="میانگین نمره رضایت ساکنان از محله در نظرسنجی فصلی، از ۰ تا ۱۰.",
        description_en=(
            "Mean score residents give their neighborhood in the quarterly survey, from 0 to 10."
        ),
        unit_fa="از ۱۰",
        unit_en="out of 10",
        value_type=ValueType.NUMBER,
        aggregation=Aggregation.MEAN,
        direction=Direction.HIGHER_IS_BETTER,
        minimum=Decimal(0),
        maximum=Decimal(10),
    ),
    Spec(
        code="social_housing_units",
        category="social",
        name_fa="واحدهای مسکن حمایتی",
        name_en="Social housing units",
        description_fa=(
            "واحدهای مسکونی که با حمایت دولت یا نهادهای حمایتی به خانوارهای نیازمند محله واگذار شده"
            " است."
        ),
        description_en=(
            "Dwellings let or given to households in need in the neighborhood with the support of "
            "the state or a welfare body."
        ),
        unit_fa="واحد",
        unit_en="dwellings",
        value_type=ValueType.COUNT,
    ),
]


def is_loaded() -> bool:
    """Return whether the demo figures are already in the database."""
    return Organization.objects.filter(code=CENSUS_ORGANIZATION).exists()


@transaction.atomic
def load() -> dict[str, int]:
    """Load the demo catalogue and figures (after the geography) and return counts.

    Does nothing, and returns no counts, when they are already loaded.
    """
    if is_loaded():
        return {}
    country = Area.objects.get(
        level__code="country", code=geo_demo.COUNTRY_CODE, valid_to__isnull=True
    )
    city = Area.objects.get(level__code="city", code=geo_demo.DEMO_CITY_CODE, valid_to__isnull=True)
    census_owner = create_organization(
        actor=None,
        code=CENSUS_ORGANIZATION,
        name_fa="مرکز آمار ایران",
        name_en="Statistical Centre of Iran",
        kind=OrganizationKind.AGENCY,
        area=country,
    )
    synthetic_owner = create_organization(
        actor=None,
        code=SYNTHETIC_ORGANIZATION,
        name_fa="داده‌های ساختگی نمایشی",
        name_en="Synthetic demo data",
        kind=OrganizationKind.OTHER,
        area=city,
    )
    categories = {
        code: Category.objects.create(code=code, name_fa=name_fa, name_en=name_en, order=order)
        for order, (code, name_fa, name_en) in enumerate(CATEGORIES)
    }
    owners = {
        organization.code: organization
        for organization in Organization.objects.filter(code__in=set(OWNERS.values()))
    }
    indicators = _create_indicators(
        CENSUS_INDICATORS, categories, lambda code: census_owner, synthetic=False
    )
    indicators |= _create_indicators(
        SYNTHETIC_INDICATORS,
        categories,
        lambda code: owners.get(OWNERS.get(code), synthetic_owner),
        synthetic=True,
    )

    census_rows, matched, skipped = census_values()
    census = _import(census_rows, area=country, source=census_owner)
    neighborhoods = _neighborhoods(city)
    bulk, _uploaded = _split(synthetic_values(neighborhoods))
    synthetic = _import(bulk, area=city, source=synthetic_owner)

    levels = {level.code: level for level in AreaLevel.objects.all()}
    actions.create_data_set(
        actor=None,
        code="census-county",
        name_fa="سرشماری ۱۳۹۵ به تفکیک شهرستان",
        name_en="1395 census by county",
        level=levels["county"],
        period_type=PeriodType.YEAR,
        owner=census_owner,
        description="جمعیت و فعالیت اقتصادی هر شهرستان در سرشماری عمومی نفوس و مسکن.",
        indicators=[indicators[spec.code] for spec in CENSUS_INDICATORS if not spec.numerator],
    )
    actions.create_data_set(
        actor=None,
        code="neighborhood-quarterly",
        name_fa="شناسنامه فصلی محله (ساختگی)",
        name_en="Quarterly neighborhood profile (synthetic)",
        level=levels["neighborhood"],
        period_type=PeriodType.QUARTER,
        owner=synthetic_owner,
        description="شاخص‌های فصلی محله‌های نمایشی؛ همه مقادیر ساختگی‌اند.",
        indicators=[indicators[spec.code] for spec in SYNTHETIC_INDICATORS],
    )
    _create_rules(indicators)
    return {
        "organizations": 2,
        "categories": len(categories),
        "indicators": len(indicators),
        "census_counties": matched,
        "census_counties_skipped": skipped,
        "census_values": census,
        "neighborhoods": len(neighborhoods),
        "synthetic_values": synthetic,
        "data_sets": 2,
        "validation_rules": 3,
    }


def _neighborhoods(city) -> list[Area]:
    return list(
        Area.objects.filter(
            level__code="neighborhood",
            path__startswith=city.path,
            valid_to__isnull=True,
            is_synthetic=True,
        ).order_by("code")
    )


def _split(rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Return the rows loaded in bulk, and the municipality's current-quarter rows, which
    `import_current_quarter` uploads as a file."""
    current = quarters()[-1]
    uploaded_codes = {code for code, owner in OWNERS.items() if owner == MUNICIPALITY}
    bulk, uploaded = [], []
    for row in rows:
        indicator, _area, period = row[:3]
        (uploaded if period == current and indicator in uploaded_codes else bulk).append(row)
    return bulk, uploaded


def import_current_quarter(*, actor) -> list:
    """Upload the municipality's figures for the current quarter as `actor` would, and a
    draft of the same file with a mistake in it; return the two imports.

    The first is applied; the second stops at its check, so officers see an import with a
    problem to fix beside one that went through.
    """
    city = Area.objects.get(level__code="city", code=geo_demo.DEMO_CITY_CODE, valid_to__isnull=True)
    # The figures stay marked as synthetic by their source, as every other demo figure.
    source = Organization.objects.filter(code=SYNTHETIC_ORGANIZATION).first()
    _bulk, rows = _split(synthetic_values(_neighborhoods(city)))
    if source is None or not rows:
        return []
    applied = _upload(actor, UPLOAD_NAME, rows, area=city, source=source, apply=True)
    # A period typed as the ninth quarter: the check names the line, nothing is written.
    mistaken = [(*rows[0][:2], rows[0][2][:-1] + "9", *rows[0][3:]), *rows[1:20]]
    draft = _upload(actor, MISTAKEN_UPLOAD_NAME, mistaken, area=city, source=source, apply=False)
    return [applied, draft]


def _upload(actor, name: str, rows: list[tuple], *, area, source, apply: bool):
    upload = ContentFile(_csv_bytes(rows), name=name)
    value_import = actions.upload_values(
        actor=actor, upload=upload, format=formats.CSV, area=area, source=source
    )
    return actions.run_import(actor=actor, value_import=value_import, apply=apply)


def _create_indicators(specs, categories, owner_of, *, synthetic: bool) -> dict:
    created = {}
    for order, spec in enumerate(specs):
        fields = {}
        if spec.numerator:
            fields = {
                "kind": IndicatorKind.CALCULATED,
                "numerator": created[spec.numerator],
                "denominator": created[spec.denominator],
                "factor": Decimal(100),
            }
        created[spec.code] = actions.create_indicator(
            actor=None,
            code=spec.code,
            name_fa=spec.name_fa,
            name_en=spec.name_en,
            description_fa=spec.description_fa + (_SYNTHETIC_NOTE_FA if synthetic else ""),
            description_en=spec.description_en + (_SYNTHETIC_NOTE_EN if synthetic else ""),
            unit_fa=spec.unit_fa,
            unit_en=spec.unit_en,
            value_type=spec.value_type,
            aggregation=spec.aggregation,
            direction=spec.direction,
            dimensions=list(spec.dimensions),
            minimum=spec.minimum,
            maximum=spec.maximum,
            category=categories[spec.category],
            owner=owner_of(spec.code),
            is_key=True,
            order=order,
            **fields,
        )
    return created


def _create_rules(indicators: dict) -> None:
    actions.create_validation_rule(
        actor=None,
        code="unemployed-le-active",
        name_fa="بیکاران از جمعیت فعال بیشتر نیستند",
        name_en="The unemployed do not outnumber the active population",
        left=indicators["unemployed"],
        operator=Operator.LE,
        right=indicators["active_population"],
    )
    actions.create_validation_rule(
        actor=None,
        code="population-sexes-le-total",
        name_fa="جمع زنان و مردان از کل جمعیت بیشتر نیست",
        name_en="Women and men together do not outnumber the population",
        left=indicators["population"],
        left_dimension="sex",
        operator=Operator.LE,
        right=indicators["population"],
    )
    actions.create_validation_rule(
        actor=None,
        code="households-le-residents",
        name_fa="شمار خانوارها از ساکنان ثبت‌شده بیشتر نیست",
        name_en="Households do not outnumber registered residents",
        left=indicators["households"],
        operator=Operator.LE,
        right=indicators["residents_registered"],
    )


def _import(rows: list[tuple], *, area, source) -> int:
    """Import `rows` (indicator, area, period, breakdown, value, comment); return how many."""
    outcome = actions.import_values(
        actor=None,
        stream=io.BytesIO(_csv_bytes(rows)),
        format=formats.CSV,
        area=area,
        source=source,
    )
    if not outcome.is_valid:
        problems = "; ".join(
            f"line {problem['line']}: {problem['message']}" for problem in outcome.problems[:10]
        )
        raise geo_demo.DemoDataError(problems)
    return outcome.new + outcome.changed


def _csv_bytes(rows: list[tuple]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(formats.FIELDS)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


# -- the census


def census_values() -> tuple[list[tuple], int, int]:
    """Return the census rows to import, and how many counties were matched and skipped.

    A county is matched by its code among the current counties (Markazi's codes are
    padded back to four digits, as the geography does); the others are skipped.
    """
    counties = set(
        Area.objects.filter(level__code="county", valid_to__isnull=True).values_list(
            "code", flat=True
        )
    )
    people: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with CENSUS_FILE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            county = geo_importing.code_of(row["county_code"], 4)
            figures = people[county]
            male, female = int(row["male"]), int(row["female"])
            group = row["age_group"]
            age = "age-100-plus" if group == ">100" else f"age-{group}"
            figures[("population", "")] += male + female
            figures[("population", "male")] += male
            figures[("population", "female")] += female
            figures[("population", age)] += male + female
            if group in ELDERLY_GROUPS:
                figures[("aged_65_plus", "")] += male + female
                figures[("aged_65_plus", "male")] += male
                figures[("aged_65_plus", "female")] += female
    with ACTIVITY_FILE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            county = geo_importing.code_of(row["county_code"], 4)
            figures = people[county]
            indicator = "unemployed" if row["status"] == "Unemployed" else "active_population"
            sex = SEXES[row["gender"].lower()]
            for column, breakdown in EDUCATION.items():
                count = int(row[column])
                figures[(indicator, "")] += count
                figures[(indicator, sex)] += count
                figures[(indicator, breakdown)] += count
    rows = []
    matched = skipped = 0
    for county in sorted(people):
        if county not in counties:
            skipped += 1
            continue
        matched += 1
        for (indicator, breakdown), value in people[county].items():
            rows.append((indicator, county, CENSUS_PERIOD, breakdown, value, ""))
    return rows, matched, skipped


# -- synthetic neighborhood figures


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def synthetic_values(neighborhoods: list[Area]) -> list[tuple]:
    """Return made-up quarterly rows for `neighborhoods`, the same on every run in a quarter.

    Each neighborhood gets a hidden "advantage" between 0 and 1 that moves its figures
    together (literacy, green space and satisfaction up; worn-out fabric and social
    housing down), and every figure follows a gentle trend over the quarters. The current
    quarter has only what `current_state` says the neighborhood has reported so far.
    """
    codes = quarters()
    current = len(codes) - 1
    municipality = {code for code, owner in OWNERS.items() if owner == MUNICIPALITY}
    rng = random.Random(SEED)
    broken = {
        area.pk for area in rng.sample(neighborhoods, min(BROKEN_NEIGHBORHOODS, len(neighborhoods)))
    }
    rows = []
    for area in neighborhoods:
        population = area.population or 20_000
        advantage = rng.random()
        residents = population * rng.uniform(0.88, 0.98)
        growth = rng.uniform(0.001, 0.006)
        household_size = rng.uniform(2.9, 3.5)
        schools = max(5, round(population / 2_500 * rng.uniform(0.7, 1.3)))
        school_opens = rng.randrange(16)  # a quarter index below 8 opens one more school
        health = max(5, round(population / 2_000 * rng.uniform(0.6, 1.2)))
        green = 2.5 + 12 * advantage * rng.uniform(0.7, 1.2)
        literacy = _clamp(84 + 11 * advantage + rng.uniform(-2, 2), 70, 99)
        satisfaction = 3.8 + 3.6 * advantage + rng.uniform(-0.6, 0.6)
        worn_out = max(0.0, 55 * (1 - advantage) * rng.uniform(0.3, 1.2) - 8)
        has_library = rng.random() < 0.2 + 0.4 * advantage
        library_opens = rng.randrange(24) if not has_library else -1
        kind = rng.random()
        if kind < 0.3:
            housing = 0
        elif kind < 0.55:
            housing = rng.randint(1, 4)  # small enough to be suppressed
        else:
            housing = 5 + round(140 * (1 - advantage) * rng.random())
        state = current_state(area.code)
        for index, period in enumerate(codes):
            people = round(residents * (1 + growth) ** index)
            households = round(people / (household_size - 0.01 * index))
            if area.pk in broken and index == current - 1:
                # A data-entry slip for the rule households-le-residents to catch.
                people = round(households * 0.8)
            score = satisfaction + 0.05 * index + rng.uniform(-0.4, 0.4)
            if index and kind >= 0.55 and rng.random() < 0.4:
                housing += rng.randint(0, 6)
            values = {
                "households": households,
                "residents_registered": people,
                "schools": schools + (1 if index >= school_opens else 0),
                "health_centers": health + (1 if index >= 5 and advantage < 0.3 else 0),
                "green_space_per_capita": f"{green + 0.08 * index:.2f}",
                "literacy_rate": f"{min(99.5, literacy + 0.15 * index):.1f}",
                "worn_out_fabric_share": f"{max(0.0, worn_out - 0.4 * index):.1f}",
                "satisfaction": f"{_clamp(score, 0, 10):.1f}",
                "has_library": int(has_library or 0 <= library_opens <= index),
                "social_housing_units": housing,
            }
            for code, value in values.items():
                if index == current and (
                    state == "empty" or (state == "municipality" and code not in municipality)
                ):
                    continue
                rows.append((code, area.code, period, "", value, SYNTHETIC_COMMENT))
    return rows
