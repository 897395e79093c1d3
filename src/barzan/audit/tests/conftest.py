"""Fixtures for the audit tests: events placed on known Jalali days."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

TEHRAN = ZoneInfo("Asia/Tehran")


@pytest.fixture
def dated_events(areas, organizations, people):
    """Three organization changes: the last day of 1402, Nowruz 1403 and a day in Mehr 1403."""
    from barzan.audit.models import AuditEvent
    from barzan.registry.actions import ORGANIZATION_CHANGED, update_organization

    def change(organization, when, **fields):
        update_organization(
            actor=people.admin, organization=organization, version=organization.version, **fields
        )
        organization.refresh_from_db()
        event = AuditEvent.objects.filter(
            verb=ORGANIZATION_CHANGED, target_id=str(organization.pk)
        ).latest("id")
        AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
        event.refresh_from_db()
        return event

    return SimpleNamespace(
        # 1402/12/29 and 1403/01/01 are the Gregorian 19 and 20 March 2024.
        last_day_of_1402=change(
            organizations.welfare_tehran,
            datetime(2024, 3, 19, 23, 30, tzinfo=TEHRAN),
            name_en="Welfare",
        ),
        nowruz_1403=change(
            organizations.education_tehran,
            datetime(2024, 3, 20, 0, 30, tzinfo=TEHRAN),
            name_en="Education",
        ),
        mehr_1403=change(
            organizations.welfare_tehran,
            datetime(2024, 10, 20, 12, 0, tzinfo=TEHRAN),
            is_active=False,
        ),
        isfahan=change(
            organizations.education_isfahan,
            datetime(2024, 3, 20, 10, 0, tzinfo=TEHRAN),
            name_en="Isfahan Education",
        ),
    )
