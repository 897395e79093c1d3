"""An area's history: splitting one area into parts and merging areas into one, with the
succession links that say which area followed which."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan import audit
from barzan.core.concurrency import check_version
from barzan.core.text import clean, format_number

from ..models import Area, AreaSuccession
from .areas import (
    AUDITED_FIELDS,
    _check_current,
    _end,
    _locked,
    _move_subtree,
    _require_manage,
    create_area,
)

AREA_SPLIT = audit.verb("area.split", gettext_lazy("Area split"))
AREAS_MERGED = audit.verb("area.merged", gettext_lazy("Areas merged"))


@dataclass
class Part:
    """One of the areas a split creates."""

    code: str
    name_fa: str
    name_en: str = ""
    share: Decimal = Decimal(0)
    children: list[Area] = field(default_factory=list)


def _shares_of(population: int | None, shares: list[Decimal]) -> list[int | None]:
    """Divide a population by shares so that the parts add up to it exactly.

    Each part gets the whole people of its share; the people left over go one each to the
    parts with the largest remainders (the largest remainder method).
    """
    if population is None:
        return [None] * len(shares)
    # Shares are checked to add up to 1 within a millionth; dividing by their sum makes the
    # parts add up to the population exactly even then.
    total = sum(shares)
    exact = [Decimal(population) * share / total for share in shares]
    whole = [int(value.to_integral_value(rounding=ROUND_DOWN)) for value in exact]
    left = population - sum(whole)
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - whole[i], reverse=True)
    for index in by_remainder[:left]:
        whole[index] += 1
    return whole


@transaction.atomic
def split_area(
    *,
    actor,
    area: Area,
    parts: list[Part],
    date: datetime.date,
    version: int | None,
    reason: str = "",
) -> list[Area]:
    """End `area` on `date` and create `parts` in its place under the same parent.

    Shares (summing to 1) divide the population and are kept on the succession links so
    that figures reported for the old area can be re-based. Every current area below the
    old one moves to exactly one part.
    """
    area = _locked(area)
    _require_manage(actor, area.parent or area)
    if area.parent is None:
        raise ValidationError(_("The root of the tree cannot be split."))
    _check_current(area)
    check_version(area, version)
    if len(parts) < 2:
        raise ValidationError(_("A split needs at least two parts."))
    shares = [Decimal(part.share) for part in parts]
    if any(share <= 0 for share in shares) or abs(sum(shares) - 1) > Decimal("0.000001"):
        raise ValidationError(
            _("Each part needs a share above zero, and the shares must add up to 100%.")
        )
    children = {child.pk: child for child in area.children.filter(valid_to__isnull=True)}
    assigned = [child.pk for part in parts for child in part.children]
    if sorted(assigned) != sorted(children) or len(set(assigned)) != len(assigned):
        raise ValidationError(
            _("Each of the %(count)s current areas below %(area)s must go to exactly one part.")
            % {"count": format_number(len(children)), "area": area}
        )
    codes = [clean(part.code) for part in parts]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Each part needs its own code."))
    if date < (area.valid_from or date):
        raise ValidationError(_("The split cannot come before the area began."))
    before = audit.snapshot(area, AUDITED_FIELDS)
    _end(area, date)
    populations = _shares_of(area.population, shares)
    created = []
    for part, population in zip(parts, populations, strict=True):
        new = create_area(
            actor=actor,
            level=area.level,
            code=part.code,
            name_fa=part.name_fa,
            name_en=part.name_en,
            parent=area.parent,
            population=population,
            valid_from=date,
        )
        AreaSuccession.objects.create(
            predecessor=area,
            successor=new,
            change=AreaSuccession.Change.SPLIT,
            share=part.share,
            date=date,
        )
        for child in part.children:
            _move_subtree(Area.objects.get(pk=child.pk), new)
        created.append(new)
    audit.record(
        actor=actor,
        verb=AREA_SPLIT,
        target=area,
        before=before,
        after={
            "parts": [
                {"code": new.code, "name": new.name_fa, "share": str(part.share)}
                for new, part in zip(created, parts, strict=True)
            ]
        },
        reason=clean(reason),
    )
    return created


@transaction.atomic
def merge_areas(
    *,
    actor,
    areas: list[Area],
    code: str,
    name_fa: str,
    name_en: str = "",
    date: datetime.date,
    reason: str = "",
) -> Area:
    """End `areas` (siblings of one level) on `date` and create their union in their place.

    The new area's population is their sum; everything below them moves to it. Each link
    carries share 1: all of each old area went to the new one.
    """
    areas = [_locked(area) for area in areas]
    if len(areas) < 2:
        raise ValidationError(_("Choose at least two areas to merge."))
    parents = {area.parent_id for area in areas}
    levels = {area.level_id for area in areas}
    if len(parents) != 1 or len(levels) != 1 or None in parents:
        raise ValidationError(_("Only areas of one level under one parent can be merged."))
    parent = areas[0].parent
    _require_manage(actor, parent)
    for area in areas:
        _check_current(area)
        if date < (area.valid_from or date):
            raise ValidationError(_("The merge cannot come before an area began."))
    populations = [area.population for area in areas]
    for area in areas:
        _end(area, date)
    merged = create_area(
        actor=actor,
        level=areas[0].level,
        code=code,
        name_fa=name_fa,
        name_en=name_en,
        parent=parent,
        population=None if None in populations else sum(populations),
        valid_from=date,
    )
    for area in areas:
        AreaSuccession.objects.create(
            predecessor=area,
            successor=merged,
            change=AreaSuccession.Change.MERGE,
            share=Decimal(1),
            date=date,
        )
        for child in area.children.filter(valid_to__isnull=True):
            _move_subtree(child, merged)
    audit.record(
        actor=actor,
        verb=AREAS_MERGED,
        target=merged,
        before={"areas": [{"code": area.code, "name": area.name_fa} for area in areas]},
        after=audit.snapshot(merged, AUDITED_FIELDS),
        reason=clean(reason),
    )
    return merged
