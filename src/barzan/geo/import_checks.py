"""
Checks of an area import's plan against its neighbours in the tree, made after the rows are
matched: boundaries outside their parent's, and new areas named like existing ones nearby.
Warnings do not stop an import; a boundary mostly outside its parent is a problem.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from barzan.core.text import localize_digits

from . import geometry
from .importing import CREATED, Report, Update, name_key
from .models import Area


def _percent(share: float) -> str:
    # Whole percents, but never «0%» or «100%» for a share that is neither.
    value = share * 100
    if 0 < value < 1:
        return "<1"
    if 99 < value < 100:
        return ">99"
    return f"{value:.0f}"


def check_containment(report: Report, *, visible=lambda area: True) -> None:
    """Compare each boundary with its parent's: the share outside it is a warning above
    BARZAN_AREA_OUTSIDE_WARN, and a problem (the file is refused) above
    BARZAN_AREA_OUTSIDE_REFUSE. Only polygons are checked (a point is no boundary), and only
    against the parent's own boundary, not an ancestor's: a parent without one is not
    checked. A parent the importer may not see is not named."""
    warn_above = settings.BARZAN_AREA_OUTSIDE_WARN
    refuse_above = settings.BARZAN_AREA_OUTSIDE_REFUSE
    parents: dict[int, tuple[Area, object] | None] = {}
    for row in report.rows:
        shape = row.geometry
        if shape is None or shape.geom_type not in geometry.POLYGONAL or row.is_hidden:
            continue
        if row.status != CREATED and Update.BOUNDARIES not in report.updates:
            continue  # a shape the import does not write
        if row.area is not None and "parent" not in row.changes:
            parent_id = row.area.parent_id  # it stays where it is
        else:
            parent_id = row.parent.pk if row.parent is not None else None
        if parent_id is None:
            continue
        if parent_id not in parents:
            parent = Area.objects.filter(pk=parent_id, boundary__isnull=False).first()
            parents[parent_id] = parent and (parent, geometry.from_geojson(parent.boundary))
        if parents[parent_id] is None or not shape.area:
            continue
        parent, parent_shape = parents[parent_id]
        outside = shape.difference(parent_shape).area / shape.area
        values = {
            "percent": localize_digits(_percent(outside)),
            "parent": parent.name_fa if visible(parent) else _("its parent"),
        }
        if outside > refuse_above:
            report.add(
                row.where,
                _(
                    "%(percent)s%% of this boundary lies outside %(parent)s, more than the "
                    "%(limit)s%% allowed: check the feature's parent, code and coordinates."
                )
                % {**values, "limit": localize_digits(_percent(refuse_above))},
            )
        elif outside > warn_above:
            report.warn(
                row.where,
                _("%(percent)s%% of this boundary lies outside %(parent)s.") % values,
            )


def check_new_names(report: Report, *, visible=lambda area: True) -> None:
    """Warn when an area the file creates has the name (as matched: `name_key`) of a current
    area under one of its new siblings or under a sibling of its parent: a file of
    neighborhoods given under a city when they exist under its districts would otherwise
    make second copies of them without a word. Areas the importer may not see are left out."""
    nearby: dict[int, dict[str, list[Area]]] = {}
    for row in report.created:
        parent = row.parent
        if parent is None or row.is_hidden or not row.name_fa:
            continue
        if parent.pk not in nearby:
            near = Area.objects.filter(valid_to__isnull=True, parent__parent=parent)
            if parent.parent_id is not None:
                near = near | Area.objects.filter(
                    valid_to__isnull=True, parent__parent_id=parent.parent_id
                ).exclude(parent=parent)
            names: dict[str, list[Area]] = {}
            for area in near.select_related("parent", "level").order_by("path"):
                names.setdefault(name_key(area.name_fa), []).append(area)
            nearby[parent.pk] = names
        same = nearby[parent.pk].get(name_key(row.name_fa), [])
        for other in [area for area in same if visible(area)][:3]:
            report.warn(
                row.where,
                _(
                    "A %(level)s named “%(name)s” (code %(code)s) is already under %(other)s; "
                    "this creates a second one under %(parent)s."
                )
                % {
                    "level": other.level,
                    "name": other.name_fa,
                    "code": other.code,
                    "other": other.parent.name_fa,
                    "parent": parent.name_fa,
                },
            )
