"""
How an import names indicators, areas and breakdowns: DHIS2's `idScheme` choices.

A file names each kind of object by one scheme: `code` (Barzan's codes, the default),
`uid` (DHIS2 uids, the `dhis2` scheme of `core.identifiers`), any other external scheme
by its slug (DHIS2 writes `attribute:ID`; `attribute:moh` and `moh` are the same), and,
for areas only, `name` (the area's normalised name under the import's area). As in DHIS2,
`idScheme` sets all three and `dataElementIdScheme`, `orgUnitIdScheme` and
`categoryOptionComboIdScheme` override it for their kind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from barzan.core.identifiers import SCHEME_PATTERN, clean_scheme

CODE = "code"
NAME = "name"
KINDS = ("indicator", "area", "breakdown")
# The DHIS2 parameter (and file attribute) that sets each kind's scheme.
PARAMETERS = {
    "indicator": "dataElementIdScheme",
    "area": "orgUnitIdScheme",
    "breakdown": "categoryOptionComboIdScheme",
}
GENERAL_PARAMETER = "idScheme"


@dataclass(frozen=True)
class IdSchemes:
    """The scheme of each kind: `code`, `name` (areas), or an external scheme's slug."""

    indicator: str = CODE
    area: str = CODE
    breakdown: str = CODE

    def as_dict(self) -> dict[str, str]:
        """Return the kinds not matched by code, as stored on a ValueImport."""
        return {kind: scheme for kind, scheme in asdict(self).items() if scheme != CODE}

    @classmethod
    def of(cls, stored: dict | None) -> IdSchemes:
        """Return the schemes stored by `as_dict` (unknown keys are ignored)."""
        stored = stored or {}
        return cls(**{kind: stored[kind] for kind in KINDS if stored.get(kind)})

    def external(self, kind: str) -> str | None:
        """Return the external scheme `kind` is matched by, or None for code and name."""
        scheme = getattr(self, kind)
        return None if scheme in (CODE, NAME) else scheme


def parse_scheme(text: str | None, *, kind: str | None = None) -> str:
    """Return the scheme `text` names (`code`, `name` or a slug); raise ValidationError."""
    scheme = clean_scheme(text)
    if scheme in ("", CODE):
        return CODE
    if scheme == NAME:
        if kind not in (None, "area"):
            raise ValidationError(
                _("Only areas can be matched by name; choose code or an identifier scheme.")
            )
        return NAME
    if not SCHEME_PATTERN.match(scheme):
        raise ValidationError(
            _(
                "«%(scheme)s» is not an identifier scheme: write code, uid, name (areas only) "
                "or the short name of a scheme such as moh."
            )
            % {"scheme": text}
        )
    return scheme


def schemes_from(values, base: IdSchemes | None = None) -> IdSchemes:
    """Return the schemes set by DHIS2 parameters in `values` (idScheme, orgUnitIdScheme…).

    Kinds `values` does not name keep their scheme in `base` (code by default). Raise
    ValidationError naming the parameter that is wrong.
    """
    general = values.get(GENERAL_PARAMETER)
    chosen: dict[str, str] = asdict(base or IdSchemes())
    errors: dict[str, str] = {}
    for kind, parameter in PARAMETERS.items():
        text = values.get(parameter) or general
        if not text:
            continue
        try:
            scheme = parse_scheme(text, kind=kind if values.get(parameter) else None)
        except ValidationError as error:
            errors[parameter if values.get(parameter) else GENERAL_PARAMETER] = error.messages[0]
            continue
        # `idScheme=name` names areas only; the other kinds keep their codes.
        if scheme == NAME and kind != "area":
            scheme = CODE
        chosen[kind] = scheme
    if errors:
        raise ValidationError(errors)
    return IdSchemes(**chosen)
