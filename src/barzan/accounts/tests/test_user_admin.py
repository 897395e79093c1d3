"""Administering users: who sees whom, creating users, changing them, and their roles."""

import csv
import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from barzan.access.models import Grant
from barzan.accounts import actions
from barzan.accounts.models import User
from barzan.core.exceptions import ConcurrentEditError

from .support import PASSWORD, confirmed_device, events, page_text

pytestmark = pytest.mark.django_db

LIST_URL = "/accounts/users/"
CREATE_URL = "/accounts/users/new/"
NEW_PASSWORD = "a-much-longer-passphrase-2024"


def listed(response):
    return {row.record.username for row in response.context["table"].rows}


def detail_url(user):
    return f"/accounts/users/{user.pk}/"


def command_url(user, command):
    return f"/accounts/users/{user.pk}/{command}/"


def new_user_data(roles, area, **changes):
    data = {
        "username": "new-analyst",
        "first_name": "مریم",
        "last_name": "احمدی",
        "email": "new-analyst@barzan.test",
        "language": "fa",
        "password": NEW_PASSWORD,
        "role": roles["analyst"].pk,
        "area": area.pk,
        "organization": "",
    }
    return {**data, **changes}


class TestWhoSeesUserAdministration:
    @pytest.mark.parametrize("name", ["admin", "tehran_manager", "isfahan_manager"])
    def test_administrators_see_the_list(self, client, people, login, name):
        login(getattr(people, name))
        assert client.get(LIST_URL).status_code == 200

    @pytest.mark.parametrize("name", ["tehran_analyst", "focal_point", "secretary", "nobody"])
    def test_other_roles_get_403(self, client, people, login, name):
        login(getattr(people, name))
        assert client.get(LIST_URL).status_code == 403
        assert client.get(CREATE_URL).status_code == 403
        assert client.get(f"{LIST_URL}?export=csv").status_code == 403

    def test_anonymous_visitors_are_sent_to_log_in(self, client, roles):
        response = client.get(LIST_URL)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")

    def test_the_menu_offers_it_only_to_administrators(self, client, people, login):
        login(people.tehran_manager)
        assert 'href="/accounts/users/"' in page_text(client.get("/"))
        analyst = login(people.tehran_analyst, on=Client())
        assert 'href="/accounts/users/"' not in page_text(analyst.get("/"))

    def test_the_tehran_manager_lists_tehran_users_and_not_isfahans(self, client, people, login):
        login(people.tehran_manager)
        response = client.get(LIST_URL)
        assert listed(response) == {"tehran-manager", "tehran-analyst", "focal-point", "secretary"}
        assert "isfahan-manager" not in page_text(response)

    def test_the_national_administrator_lists_everyone(self, client, people, login):
        login(people.admin)
        assert listed(client.get(LIST_URL)) == set(User.objects.values_list("username", flat=True))

    def test_the_list_shows_each_users_roles(self, client, people, login):
        login(people.tehran_manager)
        text = page_text(client.get(LIST_URL))
        grant = people.focal_point.grants.get()
        assert f"{grant.role} — {grant.area}" in text

    def test_an_isfahan_users_page_is_404_for_the_tehran_manager(self, client, people, login):
        login(people.tehran_manager)
        assert client.get(detail_url(people.isfahan_manager)).status_code == 404
        assert client.get(detail_url(people.admin)).status_code == 404
        assert client.get(detail_url(people.nobody)).status_code == 404

    def test_a_tehran_users_page_shows_their_roles_and_commands(self, client, people, login):
        login(people.tehran_manager)
        response = client.get(detail_url(people.tehran_analyst))
        assert response.status_code == 200
        assert response.context["can_administer"] is True
        assert [grant.role.code for grant, _can in response.context["grants"]] == ["analyst"]
        text = page_text(response)
        assert command_url(people.tehran_analyst, "deactivate") in text
        assert command_url(people.tehran_analyst, "send-password-link") in text

    def test_a_user_held_in_two_provinces_is_visible_but_not_administrable(
        self, client, people, login, two_province_user
    ):
        login(people.tehran_manager)
        response = client.get(detail_url(two_province_user))
        assert response.status_code == 200
        assert response.context["can_administer"] is False
        assert command_url(two_province_user, "deactivate") not in page_text(response)


class TestCreatingUsers:
    def test_the_tehran_manager_creates_a_user_with_a_first_grant(
        self, client, people, login, roles, areas
    ):
        login(people.tehran_manager)
        response = client.post(CREATE_URL, new_user_data(roles, areas.tehran_county))
        user = User.objects.get(username="new-analyst")
        assert response.status_code == 302
        assert response.url == detail_url(user)
        assert user.check_password(NEW_PASSWORD)
        assert (user.first_name, user.email) == ("مریم", "new-analyst@barzan.test")
        grant = user.grants.get()
        assert (grant.role.code, grant.area, grant.granted_by) == (
            "analyst",
            areas.tehran_county,
            people.tehran_manager,
        )
        assert events("user.created", actor=people.tehran_manager).count() == 1
        assert events("grant.created", actor=people.tehran_manager).count() == 1
        assert mail.outbox == []

    def test_the_create_form_offers_only_areas_the_manager_manages(self, client, people, login):
        login(people.tehran_manager)
        form = client.get(CREATE_URL).context["form"]
        codes = set(form.fields["area"].queryset.values_list("code", flat=True))
        assert codes == {"23", "2301", "2302", "2301021576", "2301021606"}
        roles = set(form.fields["role"].queryset.values_list("code", flat=True))
        assert "national_admin" not in roles
        assert "area_manager" in roles

    def test_an_isfahan_area_is_refused_and_nothing_is_written(
        self, client, people, login, roles, areas
    ):
        login(people.tehran_manager)
        users_before, grants_before = User.objects.count(), Grant.objects.count()
        response = client.post(CREATE_URL, new_user_data(roles, areas.isfahan_county))
        assert response.status_code == 200
        assert response.context["form"].errors["area"]
        assert (User.objects.count(), Grant.objects.count()) == (users_before, grants_before)
        assert not events("user.created").exists()

    def test_the_national_admin_role_is_refused_and_nothing_is_written(
        self, client, people, login, roles, areas
    ):
        login(people.tehran_manager)
        data = new_user_data(roles, areas.tehran, role=roles["national_admin"].pk)
        response = client.post(CREATE_URL, data)
        assert response.status_code == 200
        assert response.context["form"].errors["role"]
        assert not User.objects.filter(username="new-analyst").exists()

    def test_the_manager_may_create_another_area_manager_below_them(
        self, client, people, login, roles, areas
    ):
        login(people.tehran_manager)
        data = new_user_data(roles, areas.shemiranat, role=roles["area_manager"].pk)
        assert client.post(CREATE_URL, data).status_code == 302
        assert User.objects.get(username="new-analyst").grants.get().role.code == "area_manager"

    def test_without_a_password_a_set_password_link_is_emailed(
        self, client, people, login, roles, areas, django_capture_on_commit_callbacks
    ):
        login(people.tehran_manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                CREATE_URL, new_user_data(roles, areas.tehran_county, password="")
            )
        assert response.status_code == 302
        user = User.objects.get(username="new-analyst")
        assert user.has_usable_password() is False
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["new-analyst@barzan.test"]
        assert "new-analyst" in mail.outbox[0].body
        assert events("user.password_link_sent", target_id=str(user.pk)).count() == 1

        link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[0].body)
        stranger = Client()
        set_url = stranger.get(link.group(1), follow=True).redirect_chain[-1][0]
        stranger.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)

    def test_without_a_password_an_email_is_required(self, client, people, login, roles, areas):
        login(people.tehran_manager)
        data = new_user_data(roles, areas.tehran_county, password="", email="")
        response = client.post(CREATE_URL, data)
        assert response.status_code == 200
        assert response.context["form"].errors["email"]
        assert not User.objects.filter(username="new-analyst").exists()

    def test_a_weak_initial_password_is_refused(self, client, people, login, roles, areas):
        login(people.tehran_manager)
        response = client.post(
            CREATE_URL, new_user_data(roles, areas.tehran_county, password="short")
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not User.objects.filter(username="new-analyst").exists()

    def test_a_taken_username_is_refused(self, client, people, login, roles, areas):
        login(people.tehran_manager)
        data = new_user_data(roles, areas.tehran_county, username="tehran-analyst")
        response = client.post(CREATE_URL, data)
        assert response.status_code == 200
        assert response.context["form"].errors["username"]
        assert User.objects.filter(username="tehran-analyst").count() == 1


class TestChangingUsers:
    def edit_data(self, user, **changes):
        data = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "language": user.language,
            "version": user.version,
        }
        return {**data, **changes}

    def test_the_manager_edits_a_tehran_user_and_it_is_audited(self, client, people, login):
        analyst = people.tehran_analyst
        login(people.tehran_manager)
        response = client.post(
            f"/accounts/users/{analyst.pk}/edit/",
            self.edit_data(analyst, first_name="رضا", email="reza@barzan.test"),
        )
        assert response.status_code == 302
        analyst.refresh_from_db()
        assert (analyst.first_name, analyst.email, analyst.version) == (
            "رضا",
            "reza@barzan.test",
            2,
        )
        event = events("user.changed").get()
        assert event.actor == people.tehran_manager
        assert event.before["email"] == "tehran-analyst@barzan.test"
        assert event.after["email"] == "reza@barzan.test"

    def test_a_stale_edit_is_refused(self, client, people, login):
        analyst = people.tehran_analyst
        loaded = self.edit_data(analyst)
        actions.update_profile(
            actor=people.admin, user=analyst, version=analyst.version, first_name="زهرا"
        )
        login(people.tehran_manager)
        response = client.post(
            f"/accounts/users/{analyst.pk}/edit/", {**loaded, "first_name": "رضا"}
        )
        assert response.status_code == 200
        with translation.override("fa"):
            message = str(ConcurrentEditError().messages[0])
        assert message in response.context["form"].non_field_errors()
        analyst.refresh_from_db()
        assert analyst.first_name == "زهرا"

    @pytest.mark.parametrize(
        ("target", "status"),
        [("isfahan_manager", 404), ("admin", 404), ("tehran_manager", 403)],
        ids=["other-province", "more-senior", "oneself"],
    )
    def test_the_manager_cannot_edit_whom_they_do_not_administer(
        self, client, people, login, target, status
    ):
        account = getattr(people, target)
        login(people.tehran_manager)
        assert client.get(f"/accounts/users/{account.pk}/edit/").status_code == status
        response = client.post(f"/accounts/users/{account.pk}/edit/", self.edit_data(account))
        assert response.status_code == status
        assert not events("user.changed").exists()

    def test_one_provinces_manager_cannot_change_a_user_held_in_two_provinces(
        self, client, people, login, two_province_user
    ):
        login(people.tehran_manager)
        url = f"/accounts/users/{two_province_user.pk}/edit/"
        assert client.post(url, self.edit_data(two_province_user)).status_code == 403
        for command in ("deactivate", "reset-two-factor", "send-password-link"):
            assert client.post(command_url(two_province_user, command)).status_code == 403
        two_province_user.refresh_from_db()
        assert two_province_user.is_active is True
        assert mail.outbox == []

    def test_the_national_administrator_can_change_a_user_held_in_two_provinces(
        self, client, people, login, two_province_user
    ):
        login(people.admin)
        assert client.post(command_url(two_province_user, "deactivate")).status_code == 302
        two_province_user.refresh_from_db()
        assert two_province_user.is_active is False

    def test_deactivating_and_activating_are_audited(self, client, people, login):
        analyst = people.tehran_analyst
        login(people.tehran_manager)
        response = client.post(command_url(analyst, "deactivate"))
        assert response.status_code == 302
        assert response.url == detail_url(analyst)
        analyst.refresh_from_db()
        assert analyst.is_active is False
        assert events("user.deactivated", actor=people.tehran_manager).count() == 1
        refused = Client().post(
            "/accounts/login/", {"username": analyst.username, "password": PASSWORD}
        )
        assert refused.status_code == 200

        client.post(command_url(analyst, "activate"))
        analyst.refresh_from_db()
        assert analyst.is_active is True
        assert events("user.activated", actor=people.tehran_manager).count() == 1

    def test_a_deactivated_users_open_session_ends(self, client, people, login):
        analyst_client = login(people.tehran_analyst, on=Client())
        login(people.tehran_manager)
        client.post(command_url(people.tehran_analyst, "deactivate"))
        assert analyst_client.get("/").status_code == 302

    def test_commands_are_post_only_and_unknown_ones_are_404(self, client, people, login):
        login(people.tehran_manager)
        assert client.get(command_url(people.tehran_analyst, "deactivate")).status_code == 405
        assert client.post(command_url(people.tehran_analyst, "delete")).status_code == 404

    def test_resetting_two_factor_from_the_users_page(self, client, people, login):
        confirmed_device(people.tehran_analyst)
        login(people.tehran_manager)
        response = client.post(command_url(people.tehran_analyst, "reset-two-factor"))
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=people.tehran_analyst).exists()
        assert events("user.two_factor_reset", actor=people.tehran_manager).count() == 1

    def test_emailing_a_password_link(
        self, client, people, login, django_capture_on_commit_callbacks
    ):
        login(people.tehran_manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(command_url(people.tehran_analyst, "send-password-link"))
        assert response.status_code == 302
        assert [message.to for message in mail.outbox] == [["tehran-analyst@barzan.test"]]
        event = events("user.password_link_sent").get()
        assert event.actor == people.tehran_manager

    def test_emailing_a_password_link_needs_an_email_address(
        self, client, people, login, django_capture_on_commit_callbacks
    ):
        User.objects.filter(pk=people.tehran_analyst.pk).update(email="")
        login(people.tehran_manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                command_url(people.tehran_analyst, "send-password-link"), follow=True
            )
        assert mail.outbox == []
        assert [message.level_tag for message in response.context["messages"]] == ["error"]
        assert not events("user.password_link_sent").exists()


class TestRoles:
    def grant_url(self, user):
        return f"/accounts/users/{user.pk}/grants/new/"

    def revoke_url(self, grant):
        return f"/accounts/grants/{grant.pk}/revoke/"

    def test_giving_a_role_works_and_is_audited(self, client, people, login, roles, areas):
        login(people.tehran_manager)
        response = client.post(
            self.grant_url(people.tehran_analyst),
            {"role": roles["council_secretary"].pk, "area": areas.district6.pk},
        )
        assert response.status_code == 302
        assert response.url == detail_url(people.tehran_analyst)
        grant = people.tehran_analyst.grants.get(role__code="council_secretary")
        assert (grant.area, grant.granted_by) == (areas.district6, people.tehran_manager)
        event = events("grant.created", actor=people.tehran_manager).get()
        assert event.after["role"] == "council_secretary"
        assert event.area == areas.district6

    def test_a_role_outside_ones_areas_is_refused(self, client, people, login, roles, areas):
        login(people.tehran_manager)
        response = client.post(
            self.grant_url(people.tehran_analyst),
            {"role": roles["analyst"].pk, "area": areas.isfahan.pk},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["area"]
        assert people.tehran_analyst.grants.count() == 1

    def test_the_same_role_twice_is_refused(self, client, people, login, roles, areas):
        login(people.tehran_manager)
        response = client.post(
            self.grant_url(people.tehran_analyst),
            {"role": roles["analyst"].pk, "area": areas.tehran.pk},
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert people.tehran_analyst.grants.count() == 1

    def test_a_non_administrator_cannot_give_roles(self, client, people, login, roles, areas):
        login(people.tehran_analyst)
        response = client.post(
            self.grant_url(people.tehran_analyst),
            {"role": roles["analyst"].pk, "area": areas.tehran_county.pk},
        )
        assert response.status_code == 403
        assert people.tehran_analyst.grants.count() == 1

    def test_revoking_a_role_works_and_is_audited(self, client, people, login):
        grant = people.tehran_analyst.grants.get()
        login(people.tehran_manager)
        response = client.post(self.revoke_url(grant), {"reason": "moved to another office"})
        assert response.status_code == 302
        assert response.url == detail_url(people.tehran_analyst)
        assert not Grant.objects.filter(pk=grant.pk).exists()
        event = events("grant.revoked").get()
        assert event.actor == people.tehran_manager
        assert event.reason == "moved to another office"
        assert event.before["role"] == "analyst"

    @pytest.mark.parametrize("name", ["tehran_manager", "admin"])
    def test_nobody_revokes_their_own_role(self, client, people, login, name):
        user = getattr(people, name)
        grant = user.grants.get()
        login(user)
        response = client.post(self.revoke_url(grant), follow=True)
        assert response.status_code == 200
        assert Grant.objects.filter(pk=grant.pk).exists()
        assert [message.level_tag for message in response.context["messages"]] == ["error"]
        assert not events("grant.revoked").exists()

    def test_another_provinces_role_cannot_be_revoked(self, client, people, login):
        grant = people.isfahan_manager.grants.get()
        login(people.tehran_manager)
        assert client.post(self.revoke_url(grant)).status_code == 404
        assert Grant.objects.filter(pk=grant.pk).exists()

    def test_revoking_is_post_only(self, client, people, login):
        login(people.tehran_manager)
        assert client.get(self.revoke_url(people.tehran_analyst.grants.get())).status_code == 405


class TestListFiltersAndExport:
    @pytest.fixture
    def staff(self, make_user, areas):
        return {
            "ali": make_user("ali", "analyst", areas.tehran_county, first_name="علی"),
            "kazem": make_user("kazem", "council_secretary", areas.district6, last_name="کاظمی"),
            "gone": make_user("gone", "analyst", areas.tehran_county, is_active=False),
        }

    def test_searching_with_arabic_letters_finds_persian_names(self, client, people, login, staff):
        login(people.tehran_manager)
        # Typed on an Arabic keyboard: ي (Arabic yeh) and ك (Arabic kaf).
        assert listed(client.get(LIST_URL, {"q": "علي"})) == {"ali"}
        assert listed(client.get(LIST_URL, {"q": "كاظمي"})) == {"kazem"}

    def test_searching_by_username_or_email(self, client, people, login, staff):
        login(people.tehran_manager)
        assert listed(client.get(LIST_URL, {"q": "KAZEM"})) == {"kazem"}
        assert listed(client.get(LIST_URL, {"q": "ali@barzan"})) == {"ali"}

    def test_the_search_stays_inside_ones_areas(self, client, people, login, staff):
        login(people.tehran_manager)
        assert listed(client.get(LIST_URL, {"q": "manager"})) == {"tehran-manager"}

    def test_filtering_by_role(self, client, people, login, roles, staff):
        login(people.tehran_manager)
        response = client.get(LIST_URL, {"role": roles["analyst"].pk})
        assert listed(response) == {"tehran-analyst", "ali", "gone"}

    def test_filtering_by_active(self, client, people, login, staff):
        login(people.tehran_manager)
        assert listed(client.get(LIST_URL, {"is_active": "false"})) == {"gone"}
        assert "gone" not in listed(client.get(LIST_URL, {"is_active": "true"}))

    def test_the_csv_export_lists_the_filtered_users(self, client, people, login, roles, staff):
        login(people.tehran_manager)
        response = client.get(LIST_URL, {"export": "csv", "role": roles["analyst"].pk})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(content)))
        usernames = {row[0] for row in rows[1:]}
        assert usernames == {"tehran-analyst", "ali", "gone"}
        assert len(rows[0]) == len(rows[1])
        assert "isfahan-manager" not in content


class TestListQueryCount:
    def count_queries(self, client):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL)
        assert response.status_code == 200
        return len(queries), len(response.context["table"].rows)

    def test_the_list_makes_as_many_queries_for_twenty_users_as_for_three(
        self, client, people, login, make_user, roles, areas
    ):
        def add(start, stop):
            # Two grants each, so that roles and areas are read per page, not per row.
            for number in range(start, stop):
                user = make_user(f"staff-{number}", "analyst", areas.tehran_county)
                actions.grant_role(
                    actor=None, user=user, role=roles["council_secretary"], area=areas.district6
                )

        login(people.tehran_manager)
        add(0, 3)
        client.get(LIST_URL)
        few, few_rows = self.count_queries(client)
        add(3, 20)
        many, many_rows = self.count_queries(client)
        assert many_rows == few_rows + 17
        assert many == few
        assert few <= 12


@pytest.mark.django_db
def test_a_colleague_from_two_provinces_shows_only_the_grants_in_your_area(
    client, login, people, two_province_user
):
    login(people.tehran_manager)
    page = client.get(f"/accounts/users/{two_province_user.pk}/").content.decode()
    assert "تهران" in page
    assert "اصفهان" not in page
    listing = client.get("/accounts/users/", {"q": two_province_user.username}).content.decode()
    assert "اصفهان" not in listing
