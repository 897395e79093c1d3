"""
The demo content `barzan demo` loads: real geography, a few organizations, figures up to the
current quarter, one login per role.

Every account shares DEMO_PASSWORD; the demo is for trying Barzan, never for real data.
"""

from dataclasses import dataclass

from django.db import transaction

DEMO_PASSWORD = "barzan-demo-1403"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    area: tuple[str, str]  # (level code, area code)
    organization: str | None
    first_name: str
    last_name: str


LOGINS = [
    DemoLogin("admin", "national_admin", ("country", "IR"), None, "مدیر", "ملی"),
    DemoLogin("tehran-manager", "area_manager", ("province", "23"), None, "مریم", "احمدی"),
    DemoLogin("analyst", "analyst", ("province", "23"), None, "رضا", "کریمی"),
    DemoLogin("secretary", "council_secretary", ("district", "2301021606"), None, "زهرا", "حسینی"),
    DemoLogin(
        "focal-point", "agency_focal_point", ("province", "23"), "education-tehran", "علی", "رضایی"
    ),
]


# The login whose name the demo's uploaded files carry.
IMPORTED_BY = "tehran-manager"


def is_loaded() -> bool:
    """Return whether the demo content is already in the database."""
    from barzan.accounts.models import User

    return User.objects.filter(username="admin").exists()


@transaction.atomic
def load() -> None:
    """Load the demo content into an empty database."""
    from barzan.access.models import Role
    from barzan.accounts.actions import create_user
    from barzan.accounts.models import User
    from barzan.geo import demo as geo_demo
    from barzan.geo.models import Area
    from barzan.indicators import demo as indicators_demo
    from barzan.registry import demo as registry_demo
    from barzan.registry.models import Organization

    geo_demo.load()
    registry_demo.load()
    indicators_demo.load()
    for login in LOGINS:
        level, code = login.area
        create_user(
            actor=None,
            username=login.username,
            first_name=login.first_name,
            last_name=login.last_name,
            email=f"{login.username}@barzan.example",
            password=DEMO_PASSWORD,
            role=Role.objects.get(code=login.role),
            area=Area.objects.get(level__code=level, code=code),
            organization=Organization.objects.get(code=login.organization)
            if login.organization
            else None,
        )
    # Uploaded by the province's manager once the accounts exist, so the imports say who.
    indicators_demo.import_current_quarter(actor=User.objects.get(username=IMPORTED_BY))


def describe_logins() -> list[tuple[str, str, str]]:
    """Return (role name, area name, username) for each demo login, as stored."""
    from barzan.access.models import Grant

    rows = []
    for login in LOGINS:
        grant = (
            Grant.objects.filter(user__username=login.username)
            .select_related("role", "area", "organization")
            .first()
        )
        if grant is not None:
            place = grant.area.name_en or grant.area.name_fa
            if grant.organization_id:
                place += f" / {grant.organization.name_en or grant.organization.name_fa}"
            rows.append((grant.role.name_en or grant.role.name_fa, place, login.username))
    return rows
