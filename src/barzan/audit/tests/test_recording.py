"""audit.record: who, what, where, and from which request or job."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from barzan import audit
from barzan.audit.models import AuditEvent
from barzan.core import context
from barzan.registry.actions import ORGANIZATION_CREATED
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db


def new_organization_form(areas):
    return {
        "code": "relief-tehran",
        "name_fa": "کمیته امداد استان تهران",
        "name_en": "",
        "kind": "charity",
        "area": areas.tehran_county.pk,
        "is_active": "on",
    }


def created_event():
    organization = Organization.objects.get(code="relief-tehran")
    return AuditEvent.objects.get(verb=ORGANIZATION_CREATED, target_id=str(organization.pk))


class TestRequestId:
    def test_an_event_carries_the_id_of_the_web_request_that_made_the_change(
        self, client, login, people, areas
    ):
        login(people.tehran_manager)
        response = client.post("/organizations/new/", new_organization_form(areas))
        assert response.status_code == 302
        request_id = response["X-Request-ID"]
        assert request_id
        event = created_event()
        assert event.request_id == request_id
        assert event.job_id == ""

    def test_every_request_gets_its_own_id(self, client, login, people, areas):
        login(people.tehran_manager)
        first = client.get("/organizations/")["X-Request-ID"]
        second = client.get("/organizations/")["X-Request-ID"]
        assert first and second and first != second

    def test_a_proxys_request_id_is_kept(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.post(
            "/organizations/new/",
            new_organization_form(areas),
            HTTP_X_REQUEST_ID="proxy-7f3a9c2e",
        )
        assert response["X-Request-ID"] == "proxy-7f3a9c2e"
        assert created_event().request_id == "proxy-7f3a9c2e"

    @pytest.mark.parametrize("incoming", ["short", "has spaces in it", "<script>x</script>"])
    def test_a_malformed_incoming_request_id_is_replaced(
        self, client, login, people, areas, incoming
    ):
        login(people.tehran_manager)
        response = client.post(
            "/organizations/new/", new_organization_form(areas), HTTP_X_REQUEST_ID=incoming
        )
        assert response["X-Request-ID"] != incoming
        assert created_event().request_id == response["X-Request-ID"]

    def test_an_api_request_id_is_recorded_too(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.post(
            "/api/v1/organizations/",
            {
                "code": "relief-tehran",
                "name_fa": "کمیته امداد",
                "kind": "charity",
                "area_id": areas.tehran.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        assert created_event().request_id == response["X-Request-ID"]

    def test_outside_a_request_the_request_id_is_empty(self, areas):
        event = audit.record(actor=None, verb="test.outside", target=areas.tehran)
        assert event.request_id == ""

    def test_a_job_records_its_job_id(self, areas):
        token = context.job_id.set("job-42")
        try:
            event = audit.record(actor=None, verb="test.job", target=areas.tehran)
        finally:
            context.job_id.reset(token)
        assert event.job_id == "job-42"
        assert event.request_id == ""


class TestWhatIsRecorded:
    def test_the_actor_target_and_area_are_recorded(self, people, areas, organizations):
        organization = organizations.welfare_tehran
        event = audit.record(
            actor=people.tehran_manager,
            verb="test.touched",
            target=organization,
            reason="بررسی",
        )
        event.refresh_from_db()
        assert event.actor == people.tehran_manager
        assert event.actor_label == "tehran-manager"
        assert event.target_type == ContentType.objects.get_for_model(Organization)
        assert event.target_id == str(organization.pk)
        assert event.target_label == "بهزیستی استان تهران"
        assert event.target_kind
        assert event.area == areas.tehran
        assert event.reason == "بررسی"

    def test_an_area_is_its_own_area(self, areas):
        event = audit.record(actor=None, verb="test.area", target=areas.shemiranat)
        assert event.area == areas.shemiranat

    def test_an_explicit_area_wins_over_the_targets(self, areas, organizations):
        event = audit.record(
            actor=None, verb="test.area", target=organizations.welfare_tehran, area=areas.district6
        )
        assert event.area == areas.district6

    def test_an_event_written_by_the_system_reads_system(self, areas):
        event = audit.record(actor=None, verb="test.system", target=areas.tehran)
        assert event.actor is None
        assert event.actor_label == "system"
        assert str(event).startswith("system ")

    def test_the_fixtures_own_writes_read_system(self, areas):
        event = AuditEvent.objects.get(verb="area.created", target_id=str(areas.tehran.pk))
        assert event.actor is None
        assert event.actor_label == "system"

    def test_an_unsaved_or_anonymous_actor_reads_system(self, areas):
        from django.contrib.auth.models import AnonymousUser

        event = audit.record(actor=AnonymousUser(), verb="test.anonymous", target=areas.tehran)
        assert event.actor is None
        assert event.actor_label == "system"

    def test_an_event_without_a_target_has_no_target_or_area(self, people):
        event = audit.record(actor=people.admin, verb="test.nothing")
        assert event.target_type is None
        assert event.target_id == ""
        assert event.target_label == ""
        assert event.area is None

    def test_before_and_after_are_stored_as_json(self, areas):
        event = audit.record(
            actor=None,
            verb="test.values",
            before={"on": date(2024, 3, 20), "amount": Decimal("1.50"), "area": areas.tehran},
            after={"items": (1, 2), "nothing": None},
        )
        event.refresh_from_db()
        assert event.before == {"on": "2024-03-20", "amount": "1.50", "area": areas.tehran.pk}
        assert event.after == {"items": [1, 2], "nothing": None}

    def test_the_log_outlives_what_it_describes(self, people, areas):
        event = audit.record(actor=people.nobody, verb="test.outlive", target=areas.tehran)
        people.nobody.delete()
        event.refresh_from_db()
        assert event.actor is None
        assert event.actor_label == "nobody"


class TestVerbs:
    def test_a_declared_verb_has_a_label(self, areas):
        assert audit.verb_label(ORGANIZATION_CREATED) != ORGANIZATION_CREATED
        assert ORGANIZATION_CREATED in audit.verbs()

    def test_an_undeclared_verb_reads_as_its_code(self):
        assert audit.verb_label("retired.verb") == "retired.verb"


class TestChanges:
    def test_changes_list_only_the_fields_that_differ(self):
        event = AuditEvent(
            before={"name_fa": "الف", "kind": "agency", "area": 1},
            after={"name_fa": "ب", "kind": "agency", "area": 2, "is_active": False},
        )
        assert event.changes() == [
            ("name_fa", "الف", "ب"),
            ("area", 1, 2),
            ("is_active", None, False),
        ]

    def test_a_creation_lists_every_value_set(self):
        event = AuditEvent(after={"code": "x", "name_fa": "نام"})
        assert event.changes() == [("code", None, "x"), ("name_fa", None, "نام")]
