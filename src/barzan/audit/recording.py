"""Writing audit events: the one function actions call, and the verbs they use."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Model
from django.utils import translation

from barzan.core.context import current_origin
from barzan.core.text import to_latin_digits

_verbs: dict[str, str] = {}


def verb(code: str, label) -> str:
    """Declare the audit verb `code` with the `label` people read, and return `code`."""
    _verbs[code] = label
    return code


def _discover() -> None:
    # Verbs are declared in each app's actions module; import them all once.
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("actions")


def verb_label(code: str) -> str:
    """Return the label of verb `code`, or the code itself for a verb no longer declared."""
    if code not in _verbs:
        _discover()
    return str(_verbs.get(code, code))


def verbs() -> dict[str, str]:
    """Return every declared verb with its label."""
    _discover()
    return dict(_verbs)


def _json_value(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: Model, fields: list[str] | tuple[str, ...]) -> dict:
    """Return the values of `fields` of `instance` as JSON (foreign keys as ids)."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(
                (instance.pk and getattr(instance, name).values_list("pk", flat=True)) or []
            )
        elif field.is_relation:
            values[name] = getattr(instance, field.attname)
        else:
            values[name] = _json_value(getattr(instance, name))
    return values


def _saved(instance):
    return instance if getattr(instance, "pk", None) is not None else None


def record(
    *, actor, verb: str, target: Model | None = None, before=None, after=None, reason="", area=None
):
    """Write one audit event and return it; call inside the action's transaction.

    `actor` is the user acting, or None for the system (a command or a job). The event's
    area (for scoping who may read it) is `area`, else the area of `target`.
    """
    # Imported here: this module is loaded with the package, before models are ready.
    from django.contrib.contenttypes.models import ContentType

    from barzan.access import policy

    from .models import SYSTEM_ACTOR, AuditEvent

    request_id, job_id = current_origin()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else SYSTEM_ACTOR,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=_label(target),
        area=area if area is not None else _saved(policy.area_of(target)),
        before=_json_value(before) if before is not None else None,
        after=_json_value(after) if after is not None else None,
        reason=reason or "",
        request_id=request_id,
        job_id=job_id,
    )


def _label(target) -> str:
    # The log keeps one label whatever the language of the page that made the change: the
    # installation's own (Persian), so that two events about one area read alike. Digits are
    # stored as 0-9, like all stored text: each page shows them in its own digits.
    if target is None:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return to_latin_digits(str(target))[:255]
