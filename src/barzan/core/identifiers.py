"""
Identifiers that other systems give to Barzan's objects (a DHIS2 uid, a ministry's code).

A scheme is a plain slug rather than a row of its own: the schemes in use are few, named
by the files that use them (`dhis2` for DHIS2 uids, `moh` for a ministry's own codes),
and a slug needs no page to create before a mapping can be saved. Only `dhis2` has rules
of its own: its uids are eleven letters and digits, the first a letter. Values are stored
cleaned (`core.text.clean`) and compared exactly, since DHIS2 uids are case-sensitive.

Each kind of object has its own table (`indicators.IndicatorIdentifier`,
`indicators.BreakdownIdentifier`, `geo.AreaIdentifier`), built on `ExternalIdentifier`;
within one kind a (scheme, value) names one object, and an object may have several.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .forms import Form
from .text import clean

DHIS2 = "dhis2"
SCHEME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
DHIS2_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
# Words an import uses for matching by Barzan's own fields; they cannot name a scheme.
RESERVED = frozenset({"code", "uid", "id", "name", "attribute"})

validate_scheme = RegexValidator(
    SCHEME_PATTERN,
    _("A scheme is a short name of lowercase Latin letters, digits, - and _ (e.g. dhis2)."),
)


def clean_scheme(text: str | None) -> str:
    """Return the scheme `text` names: lowercase; `uid` is `dhis2`; DHIS2's `attribute:`
    prefix goes (`attribute:moh` is `moh`)."""
    scheme = clean(text).lower().removeprefix("attribute:")
    return DHIS2 if scheme in ("uid", "id") else scheme


def check_value(scheme: str, value: str) -> None:
    """Raise ValidationError unless `value` may be an identifier in `scheme`."""
    if not value:
        raise ValidationError({"value": _("Write the identifier.")})
    if scheme == DHIS2 and not DHIS2_UID.match(value):
        raise ValidationError(
            {
                "value": _(
                    "«%(value)s» is not a DHIS2 uid: it has eleven letters and digits and "
                    "starts with a letter (e.g. fbfJHSPpUQD)."
                )
                % {"value": value}
            }
        )


class ExternalIdentifier(models.Model):
    """An identifier of one object in another system's scheme."""

    scheme = models.CharField(_("scheme"), max_length=40, validators=[validate_scheme])
    value = models.CharField(_("identifier"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["scheme", "value"]

    def __str__(self):
        return f"{self.scheme}:{self.value}"

    def clean(self):
        self.scheme = clean_scheme(self.scheme)
        self.value = clean(self.value)
        if self.scheme in RESERVED:
            raise ValidationError(
                {"scheme": _("«%(scheme)s» cannot name a scheme.") % {"scheme": self.scheme}}
            )
        check_value(self.scheme, self.value)


def prepare(model: type[ExternalIdentifier], owner_field: str, owner, scheme: str, value: str):
    """Return (identifier, is_new): `owner`'s identifier `value` in `scheme`, checked, unsaved.

    An identifier `owner` already has is returned as it is stored; one that names
    another object of the same kind is refused: a file's identifier means one thing.
    """
    identifier = model(scheme=clean_scheme(scheme), value=clean(value), **{owner_field: owner})
    identifier.clean()
    existing = (
        model.objects.filter(scheme=identifier.scheme, value=identifier.value)
        .select_related(owner_field)
        .first()
    )
    if existing is not None:
        if getattr(existing, f"{owner_field}_id") == owner.pk:
            return existing, False
        raise ValidationError(
            {
                "value": _("«%(value)s» in the scheme «%(scheme)s» already names «%(other)s».")
                % {
                    "value": identifier.value,
                    "scheme": identifier.scheme,
                    "other": getattr(existing, owner_field),
                }
            }
        )
    identifier.full_clean(validate_constraints=False)
    return identifier, True


class IdentifierForm(Form):
    """One identifier to add on an object's identifiers page: its scheme and value."""

    scheme = forms.CharField(
        label=_("Scheme"),
        max_length=60,
        initial=DHIS2,
        help_text=_(
            "dhis2 (or uid) for a DHIS2 uid, or the short name of another system's "
            "identifiers, such as moh."
        ),
    )
    value = forms.CharField(label=_("Identifier"), max_length=100)
