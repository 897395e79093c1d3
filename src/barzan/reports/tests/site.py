"""
A small site with a row on every list page: areas down to neighborhoods, organizations,
indicators with a data set and figures, an import whose file had problems, users and
audit events. Shared by the tests that walk every page (links, phone layouts).
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

# The indicator tests' catalogue and neighborhoods, reused as they are.
from barzan.indicators.tests.conftest import catalogue, neighborhoods  # noqa: F401

# A file with one good row and one period that does not exist: checked, never applicable.
FILE_WITH_A_PROBLEM = (
    b"indicator,area,period,breakdown,value,comment\n"
    b"households,N1,1402,total,350,\n"
    b"households,N2,1402Q9,total,12,\n"
)


@pytest.fixture
def site(people, areas, organizations, catalogue, neighborhoods):  # noqa: F811
    """Fill every list page for the people of Tehran province; return what was made."""
    from barzan.geo.models import AreaLevel
    from barzan.indicators import actions
    from barzan.indicators.models import Period

    level = AreaLevel.objects.get(code="neighborhood")
    year = Period.objects.get(code="1402")
    data_set = actions.create_data_set(
        actor=None,
        code="neighborhood-census",
        name_fa="سرشماری محله",
        level=level,
        period_type="year",
        owner=organizations.education_tehran,
        indicators=[catalogue.population, catalogue.households, catalogue.literacy],
    )
    for area, households in ((neighborhoods.n1, 320), (neighborhoods.n2, 1200)):
        actions.set_value(
            actor=None,
            indicator=catalogue.households,
            area=area,
            period=year,
            breakdown=None,
            value=str(households),
        )
    upload = actions.upload_values(
        actor=people.tehran_manager,
        upload=SimpleUploadedFile("figures.csv", FILE_WITH_A_PROBLEM),
        format="csv",
        area=areas.district6,
        source=organizations.education_tehran,
    )
    checked = actions.start_import(actor=people.tehran_manager, value_import=upload, apply=False)
    return SimpleNamespace(data_set=data_set, year=year, checked_import=checked)
