"""
Fixtures every test suite shares: an area tree, roles, users with grants, organizations,
and a client login that completes two-factor authentication like a real session.

They live here, outside the package, so that app tests share them without importing one
another across the layers import-linter enforces.
"""

import importlib
import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config):
    # Argon2 is slow on purpose; tests that are not about hashing need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests serve static files through the finders; no manifest exists before collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    # tools/mutation.py runs each module's mutants against that module's own tests only:
    # mutmut would otherwise run every test that happens to call the mutated function.
    only = [prefix for prefix in os.environ.get("BARZAN_MUTATION_TESTS", "").split(",") if prefix]
    if not only:
        return
    kept = [item for item in items if item.nodeid.startswith(tuple(only))]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def seed_reference_data():
    """Re-create the seeded levels and roles (a transactional test flushes them)."""
    from django.apps import apps

    for module in (
        "barzan.geo.migrations.0002_seed_area_levels",
        "barzan.access.migrations.0002_seed_roles",
        "barzan.indicators.migrations.0002_seed_breakdowns_and_periods",
    ):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def roles(db):
    from barzan.access.models import Role

    seed_reference_data()
    return {role.code: role for role in Role.objects.all()}


@pytest.fixture
def areas(db, roles):
    """Iran › Tehran, Isfahan › counties › Tehran city › district 6: enough for scoping."""
    from barzan.geo.actions import create_area
    from barzan.geo.models import AreaLevel

    level = {item.code: item for item in AreaLevel.objects.all()}
    country = create_area(
        actor=None, level=level["country"], code="IR", name_fa="ایران", name_en="Iran"
    )
    tehran = create_area(
        actor=None,
        level=level["province"],
        code="23",
        name_fa="تهران",
        name_en="Tehran",
        parent=country,
    )
    isfahan = create_area(
        actor=None,
        level=level["province"],
        code="10",
        name_fa="اصفهان",
        name_en="Isfahan",
        parent=country,
    )
    kermanshah = create_area(
        actor=None,
        level=level["province"],
        code="05",
        name_fa="کرمانشاه",
        name_en="Kermanshah",
        parent=country,
    )
    tehran_county = create_area(
        actor=None, level=level["county"], code="2301", name_fa="تهران", parent=tehran
    )
    shemiranat = create_area(
        actor=None, level=level["county"], code="2302", name_fa="شمیرانات", parent=tehran
    )
    isfahan_county = create_area(
        actor=None, level=level["county"], code="1001", name_fa="اصفهان", parent=isfahan
    )
    tehran_city = create_area(
        actor=None, level=level["city"], code="2301021576", name_fa="تهران", parent=tehran_county
    )
    district6 = create_area(
        actor=None,
        level=level["district"],
        code="2301021606",
        name_fa="تهران 6",
        parent=tehran_city,
    )
    return SimpleNamespace(
        country=country,
        tehran=tehran,
        isfahan=isfahan,
        kermanshah=kermanshah,
        tehran_county=tehran_county,
        shemiranat=shemiranat,
        isfahan_county=isfahan_county,
        tehran_city=tehran_city,
        district6=district6,
    )


@pytest.fixture
def organizations(areas):
    from barzan.registry.actions import create_organization

    def make(code, name_fa, area, kind="agency"):
        return create_organization(actor=None, code=code, name_fa=name_fa, kind=kind, area=area)

    return SimpleNamespace(
        education_tehran=make("education-tehran", "آموزش و پرورش استان تهران", areas.tehran),
        welfare_tehran=make("welfare-tehran", "بهزیستی استان تهران", areas.tehran),
        education_isfahan=make("education-isfahan", "آموزش و پرورش استان اصفهان", areas.isfahan),
    )


@pytest.fixture
def make_user(db, roles):
    """Return a function that creates a user, with a grant when `role` is given."""
    from barzan.accounts.actions import grant_role
    from barzan.accounts.models import User

    def make(username, role=None, area=None, organization=None, **fields):
        user = User(
            username=username, email=fields.pop("email", f"{username}@barzan.test"), **fields
        )
        user.set_password(PASSWORD)
        user.save()
        if role is not None:
            grant_role(
                actor=None, user=user, role=roles[role], area=area, organization=organization
            )
        return user

    return make


@pytest.fixture
def people(areas, organizations, make_user):
    """One user per role, in the places the access tests compare."""
    return SimpleNamespace(
        admin=make_user("admin", "national_admin", areas.country),
        tehran_manager=make_user("tehran-manager", "area_manager", areas.tehran),
        isfahan_manager=make_user("isfahan-manager", "area_manager", areas.isfahan),
        tehran_analyst=make_user("tehran-analyst", "analyst", areas.tehran),
        focal_point=make_user(
            "focal-point", "agency_focal_point", areas.tehran, organizations.education_tehran
        ),
        secretary=make_user("secretary", "council_secretary", areas.district6),
        nobody=make_user("nobody"),
    )


def verified_login(client, user):
    """Log `user` in on `client`, with a confirmed TOTP device already verified this session."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(scope="session")
def front_end_assets():
    """Install the npm packages pages and PDFs load (Vazirmatn…), as `barzan demo` would."""
    import fcntl

    from barzan.core.assets import ensure_assets

    # Test workers run side by side (pytest-xdist); one runs `npm ci`, the others wait.
    lock_path = settings.DATA_DIR / "npm-install.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_assets()


@pytest.fixture
def count_queries():
    """Return a function that runs `call` and returns how many queries it made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(call) -> int:
        with CaptureQueriesContext(connection) as context:
            response = call()
            # Streaming exports run their queries while the body is read.
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        return len(context.captured_queries)

    return count


@pytest.fixture
def login(client):
    """Return a function that logs a user in on the test client, two-factor done."""

    def log_in(user, on=None):
        return verified_login(on or client, user)

    return log_in
