"""
Demo organizations: agencies in Tehran and Isfahan, a municipality, a community site.

Each of Tehran's agencies owns the demo indicators it would report in real life
(`indicators.demo.OWNERS`), so that its focal point has figures to see and enter.
"""

from barzan.geo.models import Area

from .actions import create_organization
from .choices import OrganizationKind

ORGANIZATIONS = [
    (
        "education-tehran",
        "اداره کل آموزش و پرورش استان تهران",
        "Tehran Province Education Department",
        OrganizationKind.AGENCY,
        ("province", "23"),
    ),
    (
        "welfare-tehran",
        "اداره کل بهزیستی استان تهران",
        "Tehran Province Welfare Organization",
        OrganizationKind.AGENCY,
        ("province", "23"),
    ),
    (
        "health-tehran",
        "دانشگاه علوم پزشکی و خدمات بهداشتی درمانی تهران",
        "Tehran University of Medical Sciences",
        OrganizationKind.AGENCY,
        ("province", "23"),
    ),
    (
        "libraries-tehran",
        "اداره کل کتابخانه‌های عمومی استان تهران",
        "Tehran Province Public Libraries",
        OrganizationKind.AGENCY,
        ("province", "23"),
    ),
    (
        "relief-tehran",
        "کمیته امداد امام خمینی (ره) استان تهران",
        "Imam Khomeini Relief Committee, Tehran Province",
        OrganizationKind.CHARITY,
        ("province", "23"),
    ),
    (
        "municipality-tehran",
        "شهرداری تهران",
        "Tehran Municipality",
        OrganizationKind.MUNICIPALITY,
        ("city", "2301021576"),
    ),
    (
        "education-isfahan",
        "اداره کل آموزش و پرورش استان اصفهان",
        "Isfahan Province Education Department",
        OrganizationKind.AGENCY,
        ("province", "10"),
    ),
]


def load() -> dict:
    """Create the demo organizations and return them by code."""
    created = {}
    for code, name_fa, name_en, kind, (level, area_code) in ORGANIZATIONS:
        area = Area.objects.get(level__code=level, code=area_code)
        created[code] = create_organization(
            actor=None, code=code, name_fa=name_fa, name_en=name_en, kind=kind, area=area
        )
    district = Area.objects.get(level__code="district", name_fa="تهران 6")
    created["community-site-d6"] = create_organization(
        actor=None,
        code="community-site-d6",
        name_fa="پایگاه فرهنگی محله (نمونه آزمایشی)",
        name_en="Neighborhood cultural site (synthetic demo)",
        kind=OrganizationKind.COMMUNITY_SITE,
        area=district,
        parent=None,
    )
    return created
