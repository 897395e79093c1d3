"""The words a Persian officer reads on the pages: statuses, the system actor, DHIS2 terms."""

import re

import pytest

from barzan.audit import record
from barzan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def test_an_import_whose_file_had_problems_says_so_on_its_page_and_in_the_list(
    client, login, people, site
):
    login(people.tehran_manager)
    detail = text_of(client.get(site.checked_import.get_absolute_url()))
    listing = text_of(client.get("/indicators/imports/"))

    for page in (detail, listing):
        assert "بررسی شد؛ ۱ ایراد دارد و چیزی ثبت نشد" in page
        assert "در انتظار اعمال" not in page
    assert 'class="badge text-bg-danger" data-status="checked"' in detail


def test_what_the_system_did_is_shown_as_done_by_the_system_in_persian(
    client, login, people, areas
):
    event = record(actor=None, verb="area.created", target=areas.tehran)
    login(people.tehran_manager)
    listing = text_of(client.get("/audit/"))
    detail = text_of(client.get(event.get_absolute_url()))

    assert AuditEvent.objects.get(pk=event.pk).actor_label == "system"
    for page in (listing, detail):
        assert "سامانه" in page
        assert not re.search(r">\s*system\s*<", page)


def test_dhis2_terms_appear_only_inside_the_advanced_settings_of_the_import_page(
    client, login, people, site
):
    login(people.secretary)
    page = text_of(client.get("/indicators/imports/new/"))
    advanced = re.search(r"<details[^>]*data-advanced.*?</details>", page, re.S)

    assert advanced is not None
    assert "تنظیمات پیشرفته" in advanced.group()
    outside = page.replace(advanced.group(), "")
    for term in ("DHIS2", "idScheme", "category option", "uid", "ADX"):
        assert term not in outside, term
    assert 'name="format"' in advanced.group()
