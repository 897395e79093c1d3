"""Role names a Persian officer cannot misread: «منطقه» is an urban district, not a province."""

import importlib

import pytest
from django.apps import apps

from barzan.access.models import Role

pytestmark = pytest.mark.django_db

rename = importlib.import_module("barzan.access.migrations.0003_rename_area_manager_role")


def test_the_area_manager_is_called_the_manager_of_an_area(roles):
    assert roles["area_manager"].name_fa == "مدیر محدوده"
    assert not Role.objects.filter(name_fa__contains="منطقه").exists()


def test_the_migration_renames_the_role_a_deployment_was_seeded_with(roles):
    Role.objects.filter(code="area_manager").update(name_fa="مدیر منطقه")

    rename.rename(apps, None)

    assert Role.objects.get(code="area_manager").name_fa == "مدیر محدوده"


def test_the_migration_keeps_a_name_a_deployment_chose_itself(roles):
    Role.objects.filter(code="area_manager").update(name_fa="مدیر استانی")

    rename.rename(apps, None)

    assert Role.objects.get(code="area_manager").name_fa == "مدیر استانی"
