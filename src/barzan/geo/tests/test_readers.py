"""Composed reads of the area tree."""

import pytest

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.geo.models import Area
from barzan.geo.readers import ancestors_of, children_of

pytestmark = pytest.mark.django_db


def test_ancestors_run_from_the_root_down_to_the_parent(areas):
    assert ancestors_of(areas.district6) == [
        areas.country,
        areas.tehran,
        areas.tehran_county,
        areas.tehran_city,
    ]


def test_ancestors_may_include_the_area_itself(areas):
    assert ancestors_of(areas.tehran, include_self=True) == [areas.country, areas.tehran]


def test_a_root_has_no_ancestors(areas):
    assert ancestors_of(areas.country) == []


def test_ancestors_are_read_in_one_query(areas, django_assert_num_queries):
    with django_assert_num_queries(1):
        ancestors = ancestors_of(areas.district6)
        [str(ancestor.level) for ancestor in ancestors]


def test_children_are_the_direct_children_only(areas):
    assert set(children_of(areas.tehran)) == {areas.tehran_county, areas.shemiranat}


def test_children_come_from_the_scoped_queryset_given(areas, people):
    visible = policy.scope(people.tehran_manager, VIEW, Area.objects.all())
    assert set(children_of(areas.country, visible)) == {areas.tehran}
