"""Matching imported areas against what is stored: by code and by normalised name, and
what a row would change."""

from barzan.core.text import clean, parse_decimal, to_latin_digits

from ..models import Area
from .report import ALL_UPDATES, CHANGED, CREATED, UNCHANGED, UPDATED_FIELDS, Row, name_key


class Existing:
    """The current areas of the levels an import touches, looked up by code and by name."""

    def __init__(self, levels):
        areas = Area.objects.filter(level__in=levels, valid_to__isnull=True).select_related("level")
        self.by_code = {(area.level_id, area.code): area for area in areas}
        self.by_name: dict[tuple, list[Area]] = {}
        for area in self.by_code.values():
            key = (area.level_id, area.parent_id, name_key(area.name_fa))
            self.by_name.setdefault(key, []).append(area)

    def code(self, level, code) -> Area | None:
        return self.by_code.get((level.pk, code))

    def named(self, level, parent, name) -> list[Area]:
        return self.by_name.get((level.pk, parent.pk, name_key(name)), [])


def compare(row: Row, updates=ALL_UPDATES) -> None:
    """Set the row's status and changes against the stored area it matches, counting only
    the fields `updates` lets the file change."""
    area = row.area
    if area is None:
        row.status = CREATED
        return
    changes = []
    if row.name_fa and row.name_fa != area.name_fa:
        changes.append("name_fa")
    if row.name_en and row.name_en != area.name_en:
        changes.append("name_en")
    if row.code and row.code != area.code:
        changes.append("code")
    new_parent = row.parent
    if row.parent_row is not None or (new_parent is not None and new_parent.pk != area.parent_id):
        changes.append("parent")
    if row.population is not None and row.population != area.population:
        changes.append("population")
    if row.geometry is not None:
        placed = row.placement
        if placed.boundary is None:
            # A point (a city's location in the divisions) never replaces a boundary.
            if area.boundary is None and (placed.latitude, placed.longitude) != (
                area.latitude,
                area.longitude,
            ):
                changes.append("boundary")
        elif placed.boundary != area.boundary:
            changes.append("boundary")
    allowed = {name for choice in updates for name in UPDATED_FIELDS.get(choice, ())}
    changes = [name for name in changes if name in allowed]
    row.changes = changes
    row.status = CHANGED if changes else UNCHANGED


def code_of(raw, width: int | None) -> str | None:
    """Return a code as text, zero-padded to the level's width; None if it is not digits."""
    code = to_latin_digits(clean(str(raw or "")))
    if width is None:
        return code or None
    if not code.isdigit() or len(code) > width:
        return None
    return code.zfill(width)


def population_of(raw) -> int | None:
    text = clean(str(raw))
    if not text:
        return None
    value = parse_decimal(text)  # «۱۲٬۳۴۵», «12,345»; a ValueError otherwise
    if value < 0 or value != value.to_integral_value() or value > 10**10:
        raise ValueError
    return int(value)
