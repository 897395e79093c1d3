"""The audit log pages: for those with the audit action, scoped, filterable, exportable."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from barzan import audit
from barzan.audit.models import AuditEvent
from barzan.registry.actions import ORGANIZATION_CHANGED, ORGANIZATION_CREATED
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db


def listed(response) -> set[AuditEvent]:
    assert response.status_code == 200
    return set(response.context["object_list"])


def event_for(verb, target) -> AuditEvent:
    return AuditEvent.objects.get(verb=verb, target_id=str(target.pk))


class TestWhoMayRead:
    def test_an_analyst_gets_403(self, client, login, people, areas):
        login(people.tehran_analyst)
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/", {"export": "csv"}).status_code == 403

    @pytest.mark.parametrize("person", ["secretary", "focal_point", "nobody"])
    def test_roles_without_the_audit_action_get_403(self, client, login, people, areas, person):
        login(getattr(people, person))
        assert client.get("/audit/").status_code == 403

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, areas):
        response = client.get("/audit/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_a_manager_and_the_national_admin_may_read_it(self, client, login, people, areas):
        login(people.tehran_manager)
        assert client.get("/audit/").status_code == 200
        login(people.admin)
        assert client.get("/audit/").status_code == 200


class TestScope:
    def test_the_tehran_manager_sees_tehrans_events_and_not_isfahans(
        self, client, login, people, areas, organizations
    ):
        login(people.tehran_manager)
        shown = listed(client.get("/audit/"))
        assert event_for(ORGANIZATION_CREATED, organizations.welfare_tehran) in shown
        assert event_for("area.created", areas.district6) in shown
        assert event_for(ORGANIZATION_CREATED, organizations.education_isfahan) not in shown
        assert event_for("area.created", areas.isfahan) not in shown
        assert event_for("area.created", areas.country) not in shown
        assert all(
            event.area is None or event.area.path.startswith(areas.tehran.path) for event in shown
        )

    def test_the_page_shows_no_isfahan_record(self, client, login, people, organizations):
        login(people.tehran_manager)
        content = client.get("/audit/").content.decode()
        assert "بهزیستی استان تهران" in content
        assert "آموزش و پرورش استان اصفهان" not in content

    def test_a_manager_also_sees_their_own_events_elsewhere(self, client, login, people, areas):
        mine = audit.record(actor=people.tehran_manager, verb="test.mine", target=areas.isfahan)
        login(people.tehran_manager)
        assert mine in listed(client.get("/audit/"))

    def test_the_national_admin_sees_every_event(self, client, login, people, organizations):
        login(people.admin)
        assert listed(client.get("/audit/")) == set(AuditEvent.objects.all())


class TestFilters:
    def test_by_action(self, client, login, people, organizations):
        login(people.tehran_manager)
        shown = listed(client.get("/audit/", {"verb": ORGANIZATION_CREATED}))
        assert shown == {
            event_for(ORGANIZATION_CREATED, organizations.welfare_tehran),
            event_for(ORGANIZATION_CREATED, organizations.education_tehran),
        }

    def test_the_action_choices_name_every_declared_verb(self, client, login, people, areas):
        login(people.tehran_manager)
        choices = dict(client.get("/audit/").context["filterset"].form.fields["verb"].choices)
        assert ORGANIZATION_CREATED in choices
        assert "area.created" in choices

    def test_by_kind_of_record(self, client, login, people, organizations):
        login(people.tehran_manager)
        organization_type = ContentType.objects.get_for_model(Organization)
        shown = listed(client.get("/audit/", {"target_type": organization_type.pk}))
        assert shown
        assert {event.target_type for event in shown} == {organization_type}
        assert {event.target_id for event in shown} == {
            str(organizations.welfare_tehran.pk),
            str(organizations.education_tehran.pk),
        }

    def test_by_free_text_in_the_record(self, client, login, people, organizations):
        login(people.tehran_manager)
        shown = listed(client.get("/audit/", {"q": "بهزیستی"}))
        assert shown == {event_for(ORGANIZATION_CREATED, organizations.welfare_tehran)}

    def test_free_text_typed_with_arabic_letters(self, client, login, people, organizations):
        login(people.tehran_manager)
        typed = "بهزیستی".replace("ی", "\u064a")
        shown = listed(client.get("/audit/", {"q": typed}))
        assert shown == {event_for(ORGANIZATION_CREATED, organizations.welfare_tehran)}

    def test_by_free_text_in_the_user(self, client, login, people, areas):
        mine = audit.record(actor=people.tehran_manager, verb="test.mine", target=areas.tehran)
        login(people.tehran_manager)
        assert listed(client.get("/audit/", {"q": "tehran-manager"})) == {mine}

    def test_by_request_id(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.post(
            "/organizations/new/",
            {
                "code": "relief-tehran",
                "name_fa": "کمیته امداد",
                "kind": "charity",
                "area": areas.tehran.pk,
                "is_active": "on",
            },
        )
        request_id = response["X-Request-ID"]
        shown = listed(client.get("/audit/", {"q": request_id}))
        assert [event.verb for event in shown] == [ORGANIZATION_CREATED]

    def test_from_a_jalali_date_typed_with_persian_digits(
        self, client, login, people, dated_events
    ):
        login(people.tehran_manager)
        shown = listed(client.get("/audit/", {"since": "۱۴۰۳/۰۱/۰۱"}))
        assert dated_events.nowruz_1403 in shown
        assert dated_events.mehr_1403 in shown
        assert dated_events.last_day_of_1402 not in shown
        assert dated_events.isfahan not in shown

    def test_to_a_jalali_date_includes_that_whole_day(self, client, login, people, dated_events):
        login(people.tehran_manager)
        changed = listed(
            client.get("/audit/", {"until": "۱۴۰۲/۱۲/۲۹", "verb": ORGANIZATION_CHANGED})
        )
        assert changed == {dated_events.last_day_of_1402}

    def test_from_and_to_together(self, client, login, people, dated_events):
        login(people.tehran_manager)
        shown = listed(
            client.get(
                "/audit/",
                {"since": "۱۴۰۳/۰۱/۰۱", "until": "۱۴۰۳/۰۶/۳۱", "verb": ORGANIZATION_CHANGED},
            )
        )
        assert shown == {dated_events.nowruz_1403}

    def test_dates_typed_with_latin_or_arabic_indic_digits_work_too(
        self, client, login, people, dated_events
    ):
        login(people.tehran_manager)
        for typed in ("1403/07/01", "١٤٠٣/٠٧/٠١", "1403-7-1"):
            shown = listed(client.get("/audit/", {"since": typed, "verb": ORGANIZATION_CHANGED}))
            assert shown == {dated_events.mehr_1403}, typed

    @pytest.mark.parametrize("typed", ["۱۴۰۳/۱۳/۰۱", "2024/03/20", "1402/12/30", "not a date"])
    def test_a_bad_date_shows_the_filter_error_without_a_500(
        self, client, login, people, dated_events, typed
    ):
        login(people.tehran_manager)
        response = client.get("/audit/", {"since": typed})
        assert response.status_code == 200
        form = response.context["filterset"].form
        assert "since" in form.errors
        assert listed(response) == set()
        assert 'aria-invalid="true"' in response.content.decode()

    def test_a_bad_date_exports_nothing_rather_than_everything(
        self, client, login, people, dated_events
    ):
        login(people.tehran_manager)
        response = client.get("/audit/", {"since": "۱۴۰۳/۱۳/۰۱", "export": "csv"})
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert len(rows) == 1


class TestDetail:
    def test_it_shows_the_changed_fields(self, client, login, people, dated_events):
        login(people.tehran_manager)
        event = dated_events.mehr_1403
        response = client.get(f"/audit/{event.pk}/")
        assert response.status_code == 200
        assert response.context["event"] == event
        assert event.changes() == [("is_active", True, False)]
        content = response.content.decode()
        assert '<code dir="ltr">is_active</code>' in content
        assert '<code dir="ltr">name_fa</code>' not in content

    def test_it_shows_before_and_after_values(self, client, login, people, dated_events):
        login(people.tehran_manager)
        event = dated_events.last_day_of_1402
        content = client.get(f"/audit/{event.pk}/").content.decode()
        assert '<code dir="ltr">name_en</code>' in content
        assert ">Welfare<" in content

    def test_an_isfahan_event_is_404_for_the_tehran_manager(
        self, client, login, people, dated_events
    ):
        login(people.tehran_manager)
        response = client.get(f"/audit/{dated_events.isfahan.pk}/")
        assert response.status_code == 404
        assert "Isfahan Education" not in response.content.decode()

    def test_an_analyst_gets_403_for_any_event(self, client, login, people, dated_events):
        login(people.tehran_analyst)
        assert client.get(f"/audit/{dated_events.nowruz_1403.pk}/").status_code == 403

    def test_the_audit_log_is_for_auditors_even_for_ones_own_events(
        self, client, login, people, areas
    ):
        mine = audit.record(actor=people.tehran_analyst, verb="test.mine", target=areas.tehran)
        login(people.tehran_analyst)
        assert client.get(f"/audit/{mine.pk}/").status_code == 403
        # Their own activity is on the home page instead.
        assert "test.mine" in client.get("/").content.decode()


class TestExport:
    def test_the_csv_export_has_the_scoped_filtered_rows(self, client, login, people, dated_events):
        login(people.tehran_manager)
        response = client.get("/audit/", {"export": "csv", "verb": ORGANIZATION_CHANGED})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"].startswith('attachment; filename="audit-')
        text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 4
        assert {row[2] for row in rows[1:]} == {ORGANIZATION_CHANGED}
        assert {row[3] for row in rows[1:]} == {"بهزیستی استان تهران", "آموزش و پرورش استان تهران"}
        # Times are exported as Jalali dates with Latin digits.
        assert any(row[0].startswith("1403/07/29") for row in rows[1:])

    def test_the_xlsx_export_is_served(self, client, login, people, dated_events):
        login(people.tehran_manager)
        response = client.get("/audit/", {"export": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('.xlsx"')


class TestQueryBudgets:
    def test_the_audit_log_makes_as_many_queries_for_many_rows_as_for_few(
        self, client, login, people, areas, count_queries
    ):
        login(people.tehran_manager)
        few = count_queries(lambda: client.get("/audit/"))
        for number in range(30):
            audit.record(
                actor=people.admin, verb="test.many", target=areas.shemiranat, after={"n": number}
            )
        many = count_queries(lambda: client.get("/audit/"))
        assert many == few

    def test_the_audit_export_makes_as_many_queries_for_many_rows_as_for_few(
        self, client, login, people, areas, count_queries
    ):
        login(people.tehran_manager)
        few = count_queries(lambda: client.get("/audit/", {"export": "csv"}))
        for number in range(30):
            audit.record(
                actor=people.admin, verb="test.many", target=areas.shemiranat, after={"n": number}
            )
        many = count_queries(lambda: client.get("/audit/", {"export": "csv"}))
        assert many == few
