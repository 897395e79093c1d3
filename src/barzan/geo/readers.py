"""Composed reads of the area tree."""

from .models import Area


def ancestors_of(area: Area, *, include_self: bool = False) -> list[Area]:
    """Return the areas from the root down to `area`'s parent (or to `area`), in one query."""
    ids = area.ancestor_ids if include_self else area.ancestor_ids[:-1]
    by_id = Area.objects.select_related("level").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def children_of(area: Area, queryset=None):
    """Return the direct children of `area` from `queryset` (already scoped by the caller)."""
    queryset = Area.objects.all() if queryset is None else queryset
    return queryset.filter(parent=area).select_related("level").order_by("name_fa")
