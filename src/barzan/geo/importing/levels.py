"""Planning the features or rows of one level: how they are matched (Options) and the
LevelPlanner that turns them into plan rows."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from barzan.core.text import clean, format_number

from ..models import Area, AreaLevel
from .matching import Existing, code_of, compare, population_of
from .report import Report, Row, Update, default_updates, name_key, where_line


@dataclass
class Options:
    """How features are matched: the level, an optional parent, and the property names."""

    level: AreaLevel
    parent: Area | None = None
    code_property: str = "code"
    name_property: str = "name_fa"
    parent_property: str = "parent_code"
    source_label: str = ""
    # The credit the boundaries' license asks every map to show (see Area.boundary_attribution).
    attribution: str = ""
    # What the file may change (`Update` values); None: the format's default.
    updates: frozenset | None = None

    def updates_for(self, format: str) -> frozenset:
        return default_updates(format) if self.updates is None else frozenset(self.updates)


class LevelPlanner:
    """Turns features or rows of one level into plan rows, matching by code, then by name."""

    def __init__(self, report: Report, options: Options):
        self.report = report
        self.updates = report.updates
        self.options = options
        self.level = options.level
        self.existing = Existing([self.level])
        self.parent_levels = AreaLevel.objects.filter(rank__lt=self.level.rank)
        self._parents_by_code: dict[str, Area | None] = {}
        self.seen_codes: dict[str, str] = {}
        self.seen_names: dict[tuple, str] = {}
        self.generated = 0

    def parent_for(self, code: str) -> Area | None:
        if code not in self._parents_by_code:
            self._parents_by_code[code] = (
                Area.objects.filter(code=code, level__in=self.parent_levels, valid_to__isnull=True)
                .select_related("level")
                .order_by("-level__rank")
                .first()
            )
        return self._parents_by_code[code]

    def column(self, name: str, line: int | None) -> str:
        return where_line(line, name) if line else ""

    def add(self, where: str, properties: dict, checked, line: int | None = None) -> None:
        options = self.options
        report = self.report

        def problem(column, message):
            report.add(self.column(column, line) or where, message)

        code = code_of(properties.get(options.code_property), None)
        name_fa = clean(str(properties.get(options.name_property) or properties.get("name") or ""))
        name_en = clean(str(properties.get("name_en") or ""))
        parent = options.parent
        parent_code = code_of(properties.get(options.parent_property), None)
        if parent_code:
            found = self.parent_for(parent_code)
            if found is None:
                problem(
                    options.parent_property,
                    _("No area has the parent code %(code)s.") % {"code": parent_code},
                )
                return
            if parent is not None and not found.path.startswith(parent.path):
                problem(
                    options.parent_property,
                    _("%(area)s is not under %(parent)s.") % {"area": found, "parent": parent},
                )
                return
            parent = found
        try:
            population, bad_population = population_of(properties.get("population") or ""), False
        except ValueError:
            population, bad_population = None, True
        # Codes win over names: a name is matched only when no area has the code.
        area = self.existing.code(self.level, code) if code else None
        if area is None and name_fa and parent is not None:
            named = self.existing.named(self.level, parent, name_fa)
            if len(named) > 1:
                problem(
                    options.name_property,
                    _("%(count)s areas under %(parent)s are named “%(name)s”; give a code.")
                    % {"count": format_number(len(named)), "parent": parent, "name": name_fa},
                )
                return
            area = named[0] if named else None
        if bad_population and (area is None or Update.POPULATION in self.updates):
            problem("population", _("The population must be a whole number of people."))
            return
        if area is not None:
            if options.parent is not None and not area.path.startswith(options.parent.path):
                problem(
                    options.code_property,
                    _("%(area)s is not under %(parent)s.")
                    % {"area": area, "parent": options.parent},
                )
                return
            # A matched area keeps its place unless the row names another parent.
            if not parent_code or parent.pk == area.parent_id:
                parent = None
        else:
            if Update.NEW not in self.updates:
                problem(
                    options.name_property if name_fa else options.code_property,
                    _(
                        "No %(level)s matches “%(name)s” (code %(code)s), and this import may "
                        "not create new areas."
                    )
                    % {"level": self.level, "name": name_fa or "—", "code": code or "—"},
                )
                return
            if parent is None:
                problem(
                    options.parent_property,
                    _(
                        "No %(level)s has the code “%(code)s”, and no parent is given to create it "
                        "under."
                    )
                    % {"level": self.level, "code": code or "—"},
                )
                return
            if not name_fa:
                problem(options.name_property, _("A new area needs a Persian name."))
                return
            if parent.level.rank >= self.level.rank:
                problem(
                    options.parent_property,
                    _("A %(level)s cannot be under a %(parent_level)s.")
                    % {"level": self.level, "parent_level": parent.level},
                )
                return
        row = Row(
            where=self.column("", line) or where,
            level=self.level,
            code=code or (area.code if area else ""),
            name_fa=name_fa,
            name_en=name_en,
            parent=parent,
            population=population,
            geometry=checked.geometry if checked else None,
            repaired=checked.repaired if checked else "",
            area=area,
        )
        key_code = row.code
        if key_code and key_code in self.seen_codes:
            problem(
                options.code_property,
                _("The code %(code)s is also at %(other)s.")
                % {"code": key_code, "other": self.seen_codes[key_code]},
            )
            return
        parent_key = parent.pk if parent is not None else (area.parent_id if area else None)
        seen_key = (parent_key, name_key(name_fa or (area.name_fa if area else "")))
        if seen_key in self.seen_names:
            problem(
                options.name_property,
                _("“%(name)s” is also at %(other)s under the same parent.")
                % {"name": name_fa, "other": self.seen_names[seen_key]},
            )
            return
        if key_code:
            self.seen_codes[key_code] = row.where
        self.seen_names[seen_key] = row.where
        compare(row, self.updates)
        self.report.rows.append(row)

    def finish(self) -> None:
        """Give new areas without a code one made from their parent's: «<parent>-<n>»."""
        taken = {row.code for row in self.report.rows if row.code}
        counters: dict[int, int] = {}
        for row in self.report.rows:
            if row.code:
                continue
            parent = row.parent
            number = counters.get(parent.pk, 0)
            while True:
                number += 1
                candidate = f"{parent.code}-{number:03d}"
                if candidate not in taken and self.existing.code(self.level, candidate) is None:
                    break
            counters[parent.pk] = number
            taken.add(candidate)
            row.code = candidate
