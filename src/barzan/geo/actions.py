"""
Writes to the area tree. Only this module sets `path` and `depth`.

Each action runs in one transaction, checks the access policy, validates, and records an
audit event. `actor=None` means the system (a command or a migration), which the policy
does not restrict.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from barzan import audit
from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.core.text import clean, search_key

from .models import Area, AreaLevel

AREA_CREATED = audit.verb("area.created", _("Area created"))

AUDITED_FIELDS = ("code", "name_fa", "name_en", "level", "parent", "population")


def area_search_text(area: Area) -> str:
    """Return the text area search matches: both names and the code, normalised."""
    # The code is lower-cased like the search key: PostgreSQL's LIKE is case-sensitive.
    return " ".join(
        filter(None, (search_key(area.name_fa), search_key(area.name_en), area.code.lower()))
    )


@transaction.atomic
def create_area(
    *,
    actor,
    level: AreaLevel,
    code: str,
    name_fa: str,
    name_en: str = "",
    parent: Area | None = None,
    population: int | None = None,
) -> Area:
    """Create an area under `parent` (a root when `parent` is None, for the system only)."""
    if actor is not None:
        if parent is None:
            # A new root would sit above every grant; only the system creates one.
            raise PermissionDenied
        policy.require(actor, MANAGE, parent)
    area = Area(
        level=level,
        code=clean(code),
        name_fa=clean(name_fa),
        name_en=clean(name_en),
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        population=population,
        # A unique placeholder until the primary key is known.
        path=f"/new-{clean(code)}-{level.pk}/",
    )
    area.search_text = area_search_text(area)
    area.full_clean(exclude=["path"])
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    audit.record(
        actor=actor, verb=AREA_CREATED, target=area, after=audit.snapshot(area, AUDITED_FIELDS)
    )
    return area
