"""One's own account: language, profile, password, and resetting a forgotten password."""

import json
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from barzan.accounts.models import User
from barzan.core.exceptions import ConcurrentEditError

from .support import PASSWORD, events, page_text

pytestmark = pytest.mark.django_db

ACCOUNT_URL = "/accounts/account/"
LANGUAGE_URL = "/accounts/language/"
NEW_PASSWORD = "a-much-longer-passphrase-2024"


def profile_data(user, **changes):
    data = {
        "form": "profile",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "version": user.version,
    }
    return {**data, **changes}


class TestLanguage:
    def test_choosing_english_sets_the_cookie_and_saves_it_on_the_account(
        self, client, people, login
    ):
        login(people.tehran_analyst)
        response = client.post(LANGUAGE_URL, {"language": "en", "next": "/areas/"})
        assert response.status_code == 302
        assert response.url == "/areas/"
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        people.tehran_analyst.refresh_from_db()
        assert people.tehran_analyst.language == "en"
        event = events("user.language_changed").get()
        assert event.actor == people.tehran_analyst
        assert event.after == {"language": "en"}

    def test_the_next_page_is_english(self, client, people, login):
        login(people.tehran_analyst)
        client.post(LANGUAGE_URL, {"language": "en"})
        assert '<html lang="en" dir="ltr">' in page_text(client.get("/"))

    def test_a_new_session_of_that_user_is_english_without_the_cookie(self, client, people, login):
        login(people.tehran_analyst)
        client.post(LANGUAGE_URL, {"language": "en"})
        elsewhere = login(people.tehran_analyst, on=Client())
        assert settings.LANGUAGE_COOKIE_NAME not in elsewhere.cookies
        response = elsewhere.get("/")
        assert '<html lang="en" dir="ltr">' in page_text(response)
        assert response["Content-Language"] == "en"

    def test_pages_are_persian_right_to_left_by_default(self, client, people, login):
        login(people.tehran_analyst)
        assert '<html lang="fa" dir="rtl">' in page_text(client.get("/"))

    def test_choosing_the_same_language_again_records_nothing_new(self, client, people, login):
        login(people.tehran_analyst)
        client.post(LANGUAGE_URL, {"language": "en"})
        client.post(LANGUAGE_URL, {"language": "en"})
        assert events("user.language_changed").count() == 1

    def test_an_anonymous_visitor_gets_the_cookie_only(self, client, people):
        response = client.post(LANGUAGE_URL, {"language": "en", "next": "/accounts/login/"})
        assert response.url == "/accounts/login/"
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert '<html lang="en" dir="ltr">' in page_text(client.get("/accounts/login/"))
        assert not events("user.language_changed").exists()

    def test_an_unknown_language_is_ignored(self, client, people, login):
        login(people.tehran_analyst)
        before = User.objects.get(pk=people.tehran_analyst.pk).language
        response = client.post(LANGUAGE_URL, {"language": "de"})
        assert response.status_code == 302
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
        assert User.objects.get(pk=people.tehran_analyst.pk).language == before
        assert not events("user.language_changed").exists()
        assert '<html lang="fa" dir="rtl">' in page_text(client.get("/"))

    def test_an_unsafe_next_is_ignored(self, client, people, login):
        login(people.tehran_analyst)
        response = client.post(LANGUAGE_URL, {"language": "en", "next": "https://evil.example/"})
        assert response.url == "/"

    def test_choosing_a_language_is_post_only(self, client, roles):
        assert client.get(LANGUAGE_URL, {"language": "en"}).status_code == 405


class TestProfile:
    def test_the_account_page_needs_a_login(self, client, roles):
        response = client.get(ACCOUNT_URL)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")

    def test_the_account_page_shows_the_profile_and_roles(self, client, people, login):
        login(people.tehran_analyst)
        response = client.get(ACCOUNT_URL)
        assert response.status_code == 200
        assert response.context["profile_form"].initial["version"] == 1
        assert [grant.role.code for grant in response.context["grants"]] == ["analyst"]

    def test_the_profile_form_saves_names_email_and_language(self, client, people, login):
        user = people.tehran_analyst
        login(user)
        response = client.post(
            ACCOUNT_URL,
            profile_data(
                user, first_name="علي", last_name="كريمي", email="ali@barzan.test", language="en"
            ),
        )
        assert response.status_code == 302
        assert response.url == ACCOUNT_URL
        user.refresh_from_db()
        # Arabic letters typed on an Arabic keyboard are stored as Persian ones.
        assert (user.first_name, user.last_name) == ("علی", "کریمی")
        assert (user.email, user.language, user.version) == ("ali@barzan.test", "en", 2)
        event = events("user.profile_changed").get()
        assert event.actor == user
        assert event.after["first_name"] == "علی"
        assert event.before["first_name"] == ""

    def test_an_invalid_email_is_refused(self, client, people, login):
        user = people.tehran_analyst
        login(user)
        response = client.post(ACCOUNT_URL, profile_data(user, email="not an email"))
        assert response.status_code == 200
        assert response.context["profile_form"].errors["email"]
        user.refresh_from_db()
        assert user.email == "tehran-analyst@barzan.test"

    def test_a_stale_version_is_refused_and_nothing_is_overwritten(self, client, people, login):
        user = people.tehran_analyst
        login(user)
        loaded = profile_data(user)
        # Two tabs opened the same version; the first one saves.
        first = client.post(ACCOUNT_URL, {**loaded, "first_name": "مریم"})
        assert first.status_code == 302
        second = client.post(ACCOUNT_URL, {**loaded, "first_name": "زهرا", "last_name": "احمدی"})
        assert second.status_code == 200
        with translation.override("fa"):
            message = str(ConcurrentEditError().messages[0])
        assert second.context["profile_form"].non_field_errors() == [message]
        assert message in page_text(second)
        user.refresh_from_db()
        assert (user.first_name, user.last_name, user.version) == ("مریم", "", 2)
        assert events("user.profile_changed").count() == 1


class TestPasswordChange:
    URL = "/accounts/account/password/"

    def change(self, client, old=PASSWORD, new=NEW_PASSWORD, again=None):
        return client.post(
            self.URL,
            {"old_password": old, "new_password1": new, "new_password2": again or new},
        )

    def test_the_old_password_must_be_right(self, client, people, login):
        login(people.tehran_analyst)
        response = self.change(client, old="not-the-password")
        assert response.status_code == 200
        assert response.context["form"].errors["old_password"]
        people.tehran_analyst.refresh_from_db()
        assert people.tehran_analyst.check_password(PASSWORD)

    @pytest.mark.parametrize(
        ("new", "again"),
        [("short1", None), ("1234567890123", None), ("password123", None), (NEW_PASSWORD, "x")],
        ids=["too-short", "numeric", "common", "mismatch"],
    )
    def test_the_new_password_must_follow_the_rules(self, client, people, login, new, again):
        login(people.tehran_analyst)
        response = self.change(client, new=new, again=again)
        assert response.status_code == 200
        assert response.context["form"].errors
        people.tehran_analyst.refresh_from_db()
        assert people.tehran_analyst.check_password(PASSWORD)
        assert not events("user.password_changed").exists()

    def test_a_valid_change_keeps_the_session_and_is_audited_without_the_password(
        self, client, people, login
    ):
        user = people.tehran_analyst
        login(user)
        response = self.change(client)
        assert response.status_code == 302
        assert response.url == ACCOUNT_URL
        assert client.get(ACCOUNT_URL).status_code == 200
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        event = events("user.password_changed").get()
        assert event.actor == user
        stored = json.dumps([event.before, event.after, event.reason, event.target_label])
        assert NEW_PASSWORD not in stored
        assert PASSWORD not in stored
        assert user.password not in stored

    def test_other_sessions_end_after_a_change(self, client, people, login):
        user = people.tehran_analyst
        login(user)
        other = login(user, on=Client())
        self.change(client)
        assert other.get(ACCOUNT_URL).status_code == 302


class TestPasswordReset:
    URL = "/accounts/password-reset/"

    def ask(self, client, email):
        return client.post(self.URL, {"email": email})

    def link_in(self, message):
        return re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", message.body).group(1)

    def test_a_known_email_receives_a_link(self, client, people):
        response = self.ask(client, "tehran-analyst@barzan.test")
        assert response.status_code == 302
        assert response.url == "/accounts/password-reset/sent/"
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["tehran-analyst@barzan.test"]
        assert "/accounts/password-reset/" in mail.outbox[0].body

    def test_an_unknown_email_gets_the_same_check_your_email_page(self, client, people):
        known = self.ask(client, "tehran-analyst@barzan.test")
        unknown = self.ask(Client(), "stranger@example.com")
        assert unknown.status_code == known.status_code == 302
        assert unknown.url == known.url
        assert len(mail.outbox) == 1
        page = Client().get(unknown.url)
        assert page.status_code == 200
        assert "/accounts/login/" in page_text(page)

    def test_the_link_sets_a_new_password_and_is_audited(self, client, people):
        user = people.tehran_analyst
        self.ask(client, user.email)
        form_page = client.get(self.link_in(mail.outbox[0]), follow=True)
        assert form_page.context["validlink"] is True
        set_url = form_page.redirect_chain[-1][0]
        response = client.post(
            set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert response.status_code == 302
        assert response.url == "/accounts/password-reset/done/"
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        event = events("user.password_reset").get()
        assert event.actor == user
        assert NEW_PASSWORD not in json.dumps([event.before, event.after])
        login = Client().post(
            "/accounts/login/", {"username": user.username, "password": NEW_PASSWORD}
        )
        assert login.status_code == 302

    def test_the_link_works_only_once(self, client, people):
        user = people.tehran_analyst
        self.ask(client, user.email)
        link = self.link_in(mail.outbox[0])
        set_url = client.get(link, follow=True).redirect_chain[-1][0]
        client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        again = Client().get(link, follow=True)
        assert again.context["validlink"] is False

    def test_the_new_password_must_follow_the_rules(self, client, people):
        user = people.tehran_analyst
        self.ask(client, user.email)
        set_url = client.get(self.link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
        response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
        assert response.status_code == 200
        assert response.context["form"].errors
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
        assert not events("user.password_reset").exists()

    def test_a_deactivated_user_receives_no_link(self, client, people):
        people.tehran_analyst.is_active = False
        people.tehran_analyst.save()
        self.ask(client, "tehran-analyst@barzan.test")
        assert mail.outbox == []

    def test_a_user_created_without_a_password_can_still_ask_for_a_link(
        self, client, people, areas, roles
    ):
        from barzan.accounts.actions import create_user

        # The set-password email tells them to use "Forgot your password?" once it expires.
        create_user(
            actor=None,
            username="new-secretary",
            email="new-secretary@barzan.test",
            role=roles["council_secretary"],
            area=areas.district6,
        )
        self.ask(client, "new-secretary@barzan.test")
        assert [message.to for message in mail.outbox] == [["new-secretary@barzan.test"]]
