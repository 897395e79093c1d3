"""Organizations from a CSV or XLSX list: the columns and how a row is checked and written.

Everything else (reading, headers in either language, problems with line and column,
duplicates, the dry run, applying in steps) is `core.importing`'s. Contact details are
not read: the registry keeps none, and a list of agencies is no place for residents' data.
"""

from django.utils.translation import gettext as _

from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.core.importing import Column, Row, TableImporter, cells
from barzan.core.importing.tables import in_batches
from barzan.geo.models import Area

from .choices import OrganizationKind
from .models import Organization

COLUMNS = (
    Column("code", ("code", "کد", "کد سازمان"), required=True, parse=cells.code(64)),
    Column(
        "name_fa",
        ("name_fa", "Persian name", "name", "نام", "نام فارسی"),
        required=True,
        parse=cells.text(200),
    ),
    Column("name_en", ("name_en", "English name", "نام انگلیسی"), parse=cells.text(200)),
    Column(
        "kind",
        ("kind", "type", "نوع", "نوع سازمان"),
        required=True,
        parse=cells.choice(OrganizationKind),
    ),
    Column(
        "parent",
        ("parent", "parent code", "parent_code", "سازمان بالادست", "کد سازمان بالادست"),
        parse=cells.code(64),
    ),
    Column(
        "area",
        ("area", "area code", "area_code", "seat", "منطقه", "کد منطقه", "مقر"),
        required=True,
        parse=cells.text(64),
    ),
    Column("is_active", ("active", "is_active", "فعال"), parse=cells.boolean, default=True),
)


class OrganizationImporter(TableImporter):
    columns = COLUMNS
    key = "code"

    def __init__(self, actor):
        super().__init__(actor)
        self.areas: dict[str, list[Area]] = {}
        self.parents: dict[str, Organization] = {}
        self.file_parents: dict[str, str] = {}

    def find_stored(self, keys):
        found = {}
        for batch in in_batches(keys):
            stored = Organization.objects.filter(code__in=batch).select_related("parent")
            found.update((organization.code, organization) for organization in stored)
        return found

    def prepare(self, rows: list[Row]) -> None:
        manageable = policy.areas(self.actor, MANAGE) if self.actor is not None else None
        for batch in in_batches({row["area"] for row in rows}):
            areas = Area.objects.filter(code__in=batch, valid_to__isnull=True)
            if manageable is not None:
                areas = manageable.filter(pk__in=areas.values("pk"))
            for area in areas:
                self.areas.setdefault(area.code, []).append(area)
        self.file_parents = {row.key: row.values.get("parent") or "" for row in rows}
        for batch in in_batches({row.values.get("parent") for row in rows} - {None, ""}):
            parents = Organization.objects.filter(code__in=batch).select_related("parent")
            if self.actor is not None:
                parents = policy.scope(self.actor, VIEW, parents)
            self.parents.update((organization.code, organization) for organization in parents)

    def check(self, row: Row):
        if row["code"].lower() in Organization.RESERVED_CODES:
            yield row.problem("code", _("This code is reserved; choose another."))
        found = self.areas.get(row["area"], [])
        if not found:
            yield row.problem(
                "area",
                _("No current area you manage has the code «%(code)s».") % {"code": row["area"]},
            )
        elif len(found) > 1:
            yield row.problem(
                "area",
                _("Several areas have the code «%(code)s»; this list cannot tell them apart.")
                % {"code": row["area"]},
            )
        else:
            row.found["area"] = found[0]
        parent = row.values.get("parent") or ""
        if parent:
            if parent == row.key:
                yield row.problem("parent", _("An organization cannot sit under itself."))
            elif parent not in self.parents and parent not in self.file_parents:
                yield row.problem(
                    "parent",
                    _("No organization has the code «%(code)s», here or in the file.")
                    % {"code": parent},
                )
            elif self._loops(row.key, parent):
                yield row.problem(
                    "parent",
                    _("An organization cannot sit under itself or under one of its own units."),
                )
        if self.actor is None or "area" not in row.found:
            return
        if row.stored is not None and not policy.can(self.actor, MANAGE, row.stored):
            yield row.problem(
                "code",
                _("An organization with this code exists and you may not change it."),
            )
        elif row.stored is None and not policy.can(
            self.actor, MANAGE, Organization(area=row.found["area"])
        ):
            yield row.problem("area", _("You may not register organizations in this area."))

    def _loops(self, code: str, parent: str) -> bool:
        """Whether `parent`'s chain, as the file and the registry give it, reaches `code`."""
        seen = set()
        while parent and parent not in seen:
            if parent == code:
                return True
            seen.add(parent)
            if parent in self.file_parents:
                parent = self.file_parents[parent]
            else:
                stored = (
                    self.parents.get(parent)
                    or Organization.objects.filter(code=parent).select_related("parent").first()
                )
                parent = stored.parent.code if stored and stored.parent_id else ""
        return False

    def differences(self, row: Row) -> list[str]:
        stored = row.stored
        current = {
            "name_fa": stored.name_fa,
            "name_en": stored.name_en,
            "kind": stored.kind,
            "parent": stored.parent.code if stored.parent_id else "",
            "area": stored.area_id,
            "is_active": stored.is_active,
        }
        wanted = {**row.values, "area": row.found["area"].pk}
        return [name for name in current if name in wanted and wanted[name] != current[name]]

    def order(self, rows: list[Row]) -> list[Row]:
        # A unit after the organization above it, when both are new in the file.
        def depth(row: Row) -> int:
            steps, parent = 0, row.values.get("parent") or ""
            while parent in self.file_parents and steps < len(self.file_parents):
                steps, parent = steps + 1, self.file_parents[parent]
            return steps

        return sorted(rows, key=depth)

    def write(self, row: Row) -> None:
        from . import actions

        parent_code = row.values.get("parent") or ""
        parent = Organization.objects.get(code=parent_code) if parent_code else None
        if row.stored is None:
            actions.create_organization(
                actor=self.actor,
                code=row["code"],
                name_fa=row["name_fa"],
                name_en=row.values.get("name_en", ""),
                kind=row["kind"],
                area=row.found["area"],
                parent=parent,
                is_active=row.values.get("is_active", True),
            )
            return
        changes = {name: row.values[name] for name in row.changes if name != "area"}
        if "parent" in row.changes:
            changes["parent"] = parent
        if "area" in row.changes:
            changes["area"] = row.found["area"]
        actions.update_organization(
            actor=self.actor, organization=row.stored, version=None, **changes
        )

    def record(self, outcome) -> None:
        from barzan import audit

        from .actions import ORGANIZATIONS_IMPORTED

        audit.record(
            actor=self.actor,
            verb=ORGANIZATIONS_IMPORTED,
            after={"file": outcome.source, **outcome.counts()},
        )
