"""Areas change over time: splits and merges end areas and link them to their successors,
moves carry whole subtrees, and every change is checked, versioned and audited."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from barzan.audit.models import AuditEvent
from barzan.core.exceptions import ConcurrentEditError
from barzan.geo.actions import (
    Part,
    create_area,
    merge_areas,
    move_area,
    split_area,
    update_area,
)
from barzan.geo.models import Area, AreaSuccession
from barzan.geo.readers import children_of, history_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SPLIT_ON = datetime.date(2025, 3, 21)


def fresh(area: Area) -> Area:
    return Area.objects.get(pk=area.pk)


def stored() -> tuple:
    """What an action may write: every area as it is, the succession links and the audit log."""
    return (
        list(
            Area.objects.order_by("pk").values_list(
                "pk", "code", "parent", "path", "depth", "population", "valid_to", "version"
            )
        ),
        AreaSuccession.objects.count(),
        AuditEvent.objects.count(),
    )


def population_below(area: Area) -> int:
    return sum(child.population or 0 for child in children_of(area))


@pytest.fixture
def county(areas, levels):
    """Tehran county with 1,000,001 people and two cities: Tehran (with district 6) and Rey."""
    rey = create_area(
        actor=None,
        level=levels["city"],
        code="2301031234",
        name_fa="ری",
        parent=areas.tehran_county,
    )
    update_area(actor=None, area=areas.tehran_county, version=None, population=1_000_001)
    update_area(actor=None, area=areas.shemiranat, version=None, population=50_000)
    areas.rey = rey
    return fresh(areas.tehran_county)


def three_parts(areas, codes=("2303", "2304", "2305")) -> list[Part]:
    return [
        Part(code=codes[0], name_fa="تهران", share=Decimal("0.5"), children=[areas.tehran_city]),
        Part(code=codes[1], name_fa="ری", share=Decimal("0.3"), children=[areas.rey]),
        Part(code=codes[2], name_fa="اسلامشهر", share=Decimal("0.2")),
    ]


# -- Splitting ------------------------------------------------------------------------------


def test_a_split_divides_the_population_so_that_the_parts_add_up_exactly(areas, county):
    parts = split_area(
        actor=None, area=county, parts=three_parts(areas), date=SPLIT_ON, version=county.version
    )

    # 500,000.5 / 300,000.3 / 200,000.2: the one person left goes to the largest remainder.
    assert [part.population for part in parts] == [500_001, 300_000, 200_000]
    assert sum(part.population for part in parts) == 1_000_001


def test_a_split_keeps_the_parents_total_over_its_current_children(areas, county):
    total = population_below(areas.tehran)

    split_area(
        actor=None, area=county, parts=three_parts(areas), date=SPLIT_ON, version=county.version
    )

    assert population_below(areas.tehran) == total == 1_050_001


def test_a_split_ends_the_old_area_and_links_it_to_its_successors_with_their_shares(areas, county):
    parts = split_area(
        actor=None, area=county, parts=three_parts(areas), date=SPLIT_ON, version=county.version
    )

    old = fresh(county)
    assert old.valid_to == SPLIT_ON
    assert old.is_current is False
    assert set(children_of(areas.tehran)) == {areas.shemiranat, *parts}
    assert old in children_of(areas.tehran, include_ended=True)
    links = AreaSuccession.objects.filter(predecessor=old).order_by("share")
    assert [(link.successor, link.share, link.change) for link in links] == [
        (parts[2], Decimal("0.2"), AreaSuccession.Change.SPLIT),
        (parts[1], Decimal("0.3"), AreaSuccession.Change.SPLIT),
        (parts[0], Decimal("0.5"), AreaSuccession.Change.SPLIT),
    ]
    assert {link.date for link in links} == {SPLIT_ON}
    assert [link.successor for link in history_of(old).successors] == parts
    assert [link.predecessor for link in history_of(parts[0]).predecessors] == [old]
    for part in parts:
        assert part.parent == areas.tehran
        assert part.level == county.level
        assert part.valid_from == SPLIT_ON


def test_a_split_moves_each_child_with_its_own_children_to_its_part(areas, county):
    tehran_part, rey_part, new_part = split_area(
        actor=None, area=county, parts=three_parts(areas), date=SPLIT_ON, version=county.version
    )

    city = fresh(areas.tehran_city)
    assert city.parent == tehran_part
    assert city.path == f"{tehran_part.path}{city.pk}/"
    district = fresh(areas.district6)
    assert district.path == f"{tehran_part.path}{city.pk}/{district.pk}/"
    assert district.depth == 4
    assert fresh(areas.rey).parent == rey_part
    assert list(children_of(new_part)) == []
    assert list(children_of(fresh(county))) == []


def test_the_code_of_an_ended_area_may_pass_to_a_successor(areas, county, levels):
    parts = split_area(
        actor=None,
        area=county,
        parts=three_parts(areas, codes=("2301", "2304", "2305")),
        date=SPLIT_ON,
        version=county.version,
    )

    assert parts[0].code == "2301"
    same_code = Area.objects.filter(level=levels["county"], code="2301")
    assert {(area.pk, area.valid_to) for area in same_code} == {
        (county.pk, SPLIT_ON),
        (parts[0].pk, None),
    }


def test_thirds_of_a_million_people_still_add_up(areas, county):
    thirds = [
        Part(code="2303", name_fa="یکم", share=Decimal("0.333333"), children=[areas.tehran_city]),
        Part(code="2304", name_fa="دوم", share=Decimal("0.333333"), children=[areas.rey]),
        Part(code="2305", name_fa="سوم", share=Decimal("0.333334")),
    ]

    parts = split_area(actor=None, area=county, parts=thirds, date=SPLIT_ON, version=None)

    assert sum(part.population for part in parts) == 1_000_001


def test_thirds_rounded_to_six_places_still_divide_a_large_population_exactly(areas, county):
    update_area(actor=None, area=county, version=None, population=10_000_000)
    thirds = [
        Part(code="2303", name_fa="یکم", share=Decimal("0.333333"), children=[areas.tehran_city]),
        Part(code="2304", name_fa="دوم", share=Decimal("0.333333"), children=[areas.rey]),
        Part(code="2305", name_fa="سوم", share=Decimal("0.333333")),
    ]

    parts = split_area(actor=None, area=county, parts=thirds, date=SPLIT_ON, version=None)

    assert sum(part.population for part in parts) == 10_000_000


def test_a_split_is_audited_with_its_parts(areas, county, people):
    split_area(
        actor=people.tehran_manager,
        area=county,
        parts=three_parts(areas),
        date=SPLIT_ON,
        version=county.version,
        reason="Cabinet decision",
    )

    event = AuditEvent.objects.get(verb="area.split")
    assert event.actor == people.tehran_manager
    assert event.target_id == str(county.pk)
    assert event.reason == "Cabinet decision"
    assert event.after == {
        "parts": [
            {"code": "2303", "name": "تهران", "share": "0.5"},
            {"code": "2304", "name": "ری", "share": "0.3"},
            {"code": "2305", "name": "اسلامشهر", "share": "0.2"},
        ]
    }


def wrong_shares(areas):
    parts = three_parts(areas)
    parts[2].share = Decimal("0.1")
    return parts


def unassigned_child(areas):
    parts = three_parts(areas)
    parts[1].children = []
    return parts


def child_in_two_parts(areas):
    parts = three_parts(areas)
    parts[2].children = [areas.tehran_city]
    return parts


def one_part(areas):
    return [Part(code="2303", name_fa="تهران", share=Decimal(1), children=[areas.tehran_city])]


def duplicate_codes(areas):
    return three_parts(areas, codes=("2303", "2304", "2303"))


def a_code_still_in_use(areas):
    return three_parts(areas, codes=("2303", "2304", "2302"))  # Shemiranat's


def a_zero_share(areas):
    parts = three_parts(areas)
    parts[0].share, parts[2].share = Decimal("0.7"), Decimal(0)
    return parts


@pytest.mark.parametrize(
    ("parts_of", "message"),
    [
        pytest.param(parts_of, message, id=parts_of.__name__.replace("_", " "))
        for parts_of, message in [
            (wrong_shares, "the shares must add up to 100%"),
            (a_zero_share, "Each part needs a share above zero"),
            (unassigned_child, "must go to exactly one part"),
            (child_in_two_parts, "must go to exactly one part"),
            (one_part, "at least two parts"),
            (duplicate_codes, "Each part needs its own code"),
            (a_code_still_in_use, "already has the code 2302"),
        ]
    ],
)
def test_a_split_that_does_not_add_up_is_refused_and_writes_nothing(
    areas, county, parts_of, message
):
    before = stored()

    with pytest.raises(ValidationError, match=message):
        split_area(
            actor=None,
            area=county,
            parts=parts_of(areas),
            date=SPLIT_ON,
            version=county.version,
        )

    assert stored() == before
    assert fresh(county).is_current


def test_an_ended_area_cannot_be_split_again(areas, county):
    split_area(actor=None, area=county, parts=three_parts(areas), date=SPLIT_ON, version=None)

    with pytest.raises(ValidationError, match="can no longer change"):
        split_area(
            actor=None,
            area=county,
            parts=three_parts(areas, codes=("2306", "2307", "2308")),
            date=SPLIT_ON,
            version=None,
        )


def test_a_tehran_manager_may_not_split_an_isfahan_county(areas, people):
    with pytest.raises(PermissionDenied):
        split_area(
            actor=people.tehran_manager,
            area=areas.isfahan_county,
            parts=[
                Part(code="1002", name_fa="یکم", share=Decimal("0.5")),
                Part(code="1003", name_fa="دوم", share=Decimal("0.5")),
            ],
            date=SPLIT_ON,
            version=None,
        )

    assert fresh(areas.isfahan_county).is_current


# -- Merging --------------------------------------------------------------------------------


def test_a_merge_sums_the_populations_and_takes_in_every_child(areas, county, levels):
    merged = merge_areas(
        actor=None,
        areas=[county, areas.shemiranat],
        code="2399",
        name_fa="تهران بزرگ",
        date=SPLIT_ON,
    )

    assert merged.population == 1_050_001
    assert merged.parent == areas.tehran
    assert merged.level == levels["county"]
    assert list(children_of(areas.tehran)) == [merged]
    assert set(children_of(merged)) == {fresh(areas.tehran_city), fresh(areas.rey)}
    district = fresh(areas.district6)
    assert district.path == f"{merged.path}{areas.tehran_city.pk}/{district.pk}/"
    for old in (county, areas.shemiranat):
        assert fresh(old).valid_to == SPLIT_ON
    links = AreaSuccession.objects.filter(successor=merged)
    assert {(link.predecessor_id, link.share, link.change) for link in links} == {
        (county.pk, Decimal(1), AreaSuccession.Change.MERGE),
        (areas.shemiranat.pk, Decimal(1), AreaSuccession.Change.MERGE),
    }


def test_a_merge_may_keep_the_code_of_one_of_the_merged_areas(areas, county):
    merged = merge_areas(
        actor=None, areas=[county, areas.shemiranat], code="2301", name_fa="تهران", date=SPLIT_ON
    )

    assert merged.code == "2301"
    assert Area.objects.filter(code="2301", valid_to__isnull=True).get() == merged


def test_a_merge_is_audited(areas, county, people):
    merged = merge_areas(
        actor=people.tehran_manager,
        areas=[county, areas.shemiranat],
        code="2399",
        name_fa="تهران بزرگ",
        date=SPLIT_ON,
    )

    event = AuditEvent.objects.get(verb="area.merged")
    assert event.actor == people.tehran_manager
    assert event.target_id == str(merged.pk)
    assert event.before == {
        "areas": [{"code": "2301", "name": "تهران"}, {"code": "2302", "name": "شمیرانات"}]
    }


def test_areas_under_different_parents_cannot_be_merged(areas):
    before = stored()

    with pytest.raises(ValidationError, match="one level under one parent"):
        merge_areas(
            actor=None,
            areas=[areas.tehran_county, areas.isfahan_county],
            code="9999",
            name_fa="ناممکن",
            date=SPLIT_ON,
        )

    assert stored() == before


def test_a_merge_needs_two_areas(areas):
    with pytest.raises(ValidationError, match="at least two areas"):
        merge_areas(
            actor=None, areas=[areas.shemiranat], code="9999", name_fa="تنها", date=SPLIT_ON
        )


# -- Moving ---------------------------------------------------------------------------------


@pytest.fixture
def lavasanat(areas, levels):
    """A sector of Shemiranat: deeper than a county, so a city moved under it goes down a level."""
    return create_area(
        actor=None,
        level=levels["sector"],
        code="230201",
        name_fa="لواسانات",
        parent=areas.shemiranat,
    )


def test_a_move_carries_the_whole_subtree_with_new_paths_and_depths(areas, levels, lavasanat):
    neighborhood = create_area(
        actor=None,
        level=levels["neighborhood"],
        code="2301021606001",
        name_fa="محله نمونه",
        parent=areas.district6,
    )

    city = move_area(actor=None, area=areas.tehran_city, parent=lavasanat, version=None)

    assert city.path == f"{lavasanat.path}{city.pk}/"
    assert city.depth == 4
    stored_city = fresh(city)
    assert (stored_city.parent, stored_city.path, stored_city.depth) == (
        lavasanat,
        city.path,
        4,
    )
    district = fresh(areas.district6)
    assert (district.path, district.depth) == (f"{city.path}{district.pk}/", 5)
    neighborhood = fresh(neighborhood)
    assert (neighborhood.path, neighborhood.depth) == (f"{district.path}{neighborhood.pk}/", 6)
    assert set(Area.objects.within(areas.tehran_county)) == {areas.tehran_county}
    assert set(Area.objects.within(lavasanat)) == {lavasanat, city, district, neighborhood}


def test_a_move_is_audited_with_the_old_and_new_parent(areas, lavasanat, people):
    move_area(
        actor=people.tehran_manager,
        area=areas.tehran_city,
        parent=lavasanat,
        version=areas.tehran_city.version,
        reason="Boundary correction",
    )

    event = AuditEvent.objects.get(verb="area.moved")
    assert event.actor == people.tehran_manager
    assert event.before["parent"] == areas.tehran_county.pk
    assert event.after["parent"] == lavasanat.pk
    assert event.reason == "Boundary correction"
    assert fresh(areas.tehran_city).version == areas.tehran_city.version + 1


def test_an_area_cannot_move_under_itself_or_below_it(areas):
    before = stored()

    with pytest.raises(ValidationError, match="under itself or an area below it"):
        move_area(actor=None, area=areas.tehran_county, parent=areas.district6, version=None)
    with pytest.raises(ValidationError, match="under itself or an area below it"):
        move_area(actor=None, area=areas.tehran_county, parent=areas.tehran_county, version=None)

    assert stored() == before


def test_an_area_cannot_move_under_a_lower_or_equal_level(areas):
    before = stored()

    with pytest.raises(ValidationError, match="cannot be under a"):
        move_area(actor=None, area=areas.shemiranat, parent=areas.tehran_city, version=None)
    with pytest.raises(ValidationError, match="cannot be under a"):
        move_area(actor=None, area=areas.shemiranat, parent=areas.isfahan_county, version=None)

    assert stored() == before


def test_a_tehran_manager_may_not_move_an_area_into_isfahan(areas, people):
    before = stored()

    with pytest.raises(PermissionDenied):
        move_area(
            actor=people.tehran_manager,
            area=areas.tehran_city,
            parent=areas.isfahan_county,
            version=None,
        )

    assert stored() == before


def test_a_tehran_manager_moves_areas_within_tehran(areas, people, lavasanat):
    move_area(actor=people.tehran_manager, area=areas.tehran_city, parent=lavasanat, version=None)

    assert fresh(areas.tehran_city).parent == lavasanat


def test_the_root_cannot_move(areas, levels):
    other_root = create_area(actor=None, level=levels["country"], code="XX", name_fa="دیگر")

    with pytest.raises(ValidationError, match="root of the tree cannot move"):
        move_area(actor=None, area=areas.country, parent=other_root, version=None)


# -- Versions and the audit log -------------------------------------------------------------


def test_a_change_from_a_stale_copy_is_refused(areas):
    loaded = areas.tehran.version
    update_area(actor=None, area=areas.tehran, version=loaded, name_en="Tehran Province")

    with pytest.raises(ConcurrentEditError):
        update_area(actor=None, area=areas.tehran, version=loaded, name_en="Teheran")

    tehran = fresh(areas.tehran)
    assert tehran.name_en == "Tehran Province"
    assert tehran.version == loaded + 1


def test_a_move_and_a_split_from_a_stale_copy_are_refused(areas, county, lavasanat):
    stale = areas.tehran_city.version
    update_area(actor=None, area=areas.tehran_city, version=stale, name_en="Tehran")
    before = stored()

    with pytest.raises(ConcurrentEditError):
        move_area(actor=None, area=areas.tehran_city, parent=lavasanat, version=stale)
    with pytest.raises(ConcurrentEditError):
        split_area(
            actor=None,
            area=county,
            parts=three_parts(areas),
            date=SPLIT_ON,
            version=county.version - 1,
        )

    assert stored() == before


def test_a_change_is_audited_with_before_and_after(areas, people):
    update_area(actor=people.tehran_manager, area=areas.tehran, version=None, population=13_267_637)

    event = AuditEvent.objects.get(verb="area.changed", target_id=str(areas.tehran.pk))
    assert event.actor == people.tehran_manager
    assert event.before["population"] is None
    assert event.after["population"] == 13_267_637


def test_an_ended_area_can_no_longer_change(areas, county):
    split_area(actor=None, area=county, parts=three_parts(areas), date=SPLIT_ON, version=None)

    with pytest.raises(ValidationError, match="can no longer change"):
        update_area(actor=None, area=county, version=None, name_en="Old Tehran")
