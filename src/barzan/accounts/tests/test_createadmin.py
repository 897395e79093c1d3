"""`barzan createadmin`: the first national administrator of a new installation."""

import io

import pytest
from django.core.management import CommandError, call_command

from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.accounts.models import User
from barzan.geo.models import Area

from .support import PASSWORD, events

pytestmark = pytest.mark.django_db


def createadmin(**options):
    out = io.StringIO()
    call_command("createadmin", stdout=out, **options)
    return out.getvalue()


def test_it_creates_the_root_area_when_the_tree_is_empty(roles):
    assert not Area.objects.exists()
    output = createadmin(username="root", email="Root@Barzan.test", password=PASSWORD)
    root = Area.objects.get()
    assert (root.code, root.level.code, root.parent) == ("IR", "country", None)
    user = User.objects.get(username="root")
    assert user.check_password(PASSWORD)
    assert user.email == "root@barzan.test"
    grant = user.grants.get()
    assert (grant.role.code, grant.area) == ("national_admin", root)
    assert "root" in output


def test_it_grants_the_existing_root_of_the_tree(areas):
    createadmin(username="root", password=PASSWORD)
    user = User.objects.get(username="root")
    assert user.grants.get().area == areas.country
    assert Area.objects.filter(parent__isnull=True).count() == 1
    assert policy.can(user, MANAGE, areas.district6) is True
    assert policy.can_administer(user, User.objects.create(username="someone")) is True


def test_the_new_administrator_is_audited_as_created_by_the_system(areas):
    createadmin(username="root", password=PASSWORD)
    event = events("user.created").get()
    assert event.actor is None
    assert event.actor_label == "system"
    assert events("grant.created").get().after["role"] == "national_admin"


def test_a_duplicate_username_is_refused(areas, make_user):
    make_user("root")
    with pytest.raises(CommandError, match="root"):
        createadmin(username="root", password=PASSWORD)
    assert User.objects.filter(username="root").count() == 1
    assert not events("user.created").exists()


def test_a_weak_password_is_refused(areas):
    with pytest.raises(CommandError):
        createadmin(username="root", password="short")
    assert not User.objects.filter(username="root").exists()


def test_the_password_is_read_from_the_terminal_when_omitted(areas, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    createadmin(username="root")
    assert User.objects.get(username="root").check_password(PASSWORD)


def test_two_different_passwords_from_the_terminal_are_refused(areas, monkeypatch):
    answers = iter([PASSWORD, "something-else-entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        createadmin(username="root")
    assert not User.objects.filter(username="root").exists()
