"""The audit log in the API: scoped like the audit page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from barzan import audit
from barzan.accounts.actions import create_api_token
from barzan.audit.models import AuditEvent
from barzan.registry.actions import ORGANIZATION_CREATED

from .support import assert_error

pytestmark = pytest.mark.django_db


def event_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def event_for(verb, target) -> AuditEvent:
    return AuditEvent.objects.get(verb=verb, target_id=str(target.pk))


def test_the_tehran_manager_gets_tehrans_events_and_not_isfahans(
    client, login, people, areas, organizations
):
    login(people.tehran_manager)
    listed = event_ids(client.get("/api/v1/audit-events/", {"limit": 500}))
    assert event_for(ORGANIZATION_CREATED, organizations.welfare_tehran).pk in listed
    assert event_for("area.created", areas.shemiranat).pk in listed
    assert event_for(ORGANIZATION_CREATED, organizations.education_isfahan).pk not in listed
    assert event_for("area.created", areas.isfahan).pk not in listed


def test_the_api_lists_the_same_events_as_the_page(client, login, people, organizations):
    login(people.tehran_manager)
    page = {event.pk for event in client.get("/audit/").context["object_list"]}
    assert event_ids(client.get("/api/v1/audit-events/", {"limit": 500})) == page


def test_the_list_is_newest_first_and_paginated(client, login, people, organizations):
    login(people.tehran_manager)
    body = client.get("/api/v1/audit-events/", {"limit": 3}).json()
    assert len(body["items"]) == 3
    assert body["count"] > 3
    times = [item["created_at"] for item in body["items"]]
    assert times == sorted(times, reverse=True)


def test_an_event_reads_with_what_it_changed(client, login, people, organizations):
    login(people.tehran_manager)
    event = event_for(ORGANIZATION_CREATED, organizations.welfare_tehran)
    body = client.get(f"/api/v1/audit-events/{event.pk}").json()
    assert body["actor"] == "system"
    assert body["verb"] == ORGANIZATION_CREATED
    assert body["target_type"] == "organization"
    assert body["target_id"] == str(organizations.welfare_tehran.pk)
    assert body["target_label"] == "بهزیستی استان تهران"
    assert body["after"]["code"] == "welfare-tehran"


def test_an_isfahan_event_is_404_for_the_tehran_manager(client, login, people, organizations):
    login(people.tehran_manager)
    event = event_for(ORGANIZATION_CREATED, organizations.education_isfahan)
    assert_error(client.get(f"/api/v1/audit-events/{event.pk}"), 404)


def test_an_analyst_without_the_audit_action_is_refused_like_on_the_page(
    client, login, people, organizations
):
    token, _raw = create_api_token(actor=people.tehran_analyst, name="script")
    login(people.tehran_analyst)
    assert_error(client.get("/api/v1/audit-events/"), 403)
    own = AuditEvent.objects.get(verb="api_token.created", target_id=str(token.pk))
    assert_error(client.get(f"/api/v1/audit-events/{own.pk}"), 403)
    other = event_for(ORGANIZATION_CREATED, organizations.welfare_tehran)
    assert_error(client.get(f"/api/v1/audit-events/{other.pk}"), 403)
    assert client.get("/audit/").status_code == 403


def test_the_list_filters_by_verb_actor_and_time(client, login, people, areas, organizations):
    tehran = ZoneInfo("Asia/Tehran")
    old = audit.record(actor=people.tehran_manager, verb="test.old", target=areas.tehran)
    AuditEvent.objects.filter(pk=old.pk).update(created_at=datetime(2024, 3, 19, 12, tzinfo=tehran))
    login(people.tehran_manager)
    assert event_ids(client.get("/api/v1/audit-events/", {"verb": "test.old"})) == {old.pk}
    assert event_ids(client.get("/api/v1/audit-events/", {"actor": "tehran-manager"})) == {old.pk}
    assert event_ids(
        client.get("/api/v1/audit-events/", {"until": "2024-03-20T00:00:00+03:30"})
    ) == {old.pk}
    assert old.pk not in event_ids(
        client.get("/api/v1/audit-events/", {"since": "2024-03-20T00:00:00+03:30", "limit": 500})
    )


def test_the_list_makes_as_many_queries_for_many_rows_as_for_few(
    client, login, people, areas, count_queries
):
    login(people.tehran_manager)
    few = count_queries(lambda: client.get("/api/v1/audit-events/", {"limit": 500}))
    for number in range(25):
        audit.record(
            actor=people.admin, verb="test.many", target=areas.shemiranat, after={"n": number}
        )
    many = count_queries(lambda: client.get("/api/v1/audit-events/", {"limit": 500}))
    assert many == few
