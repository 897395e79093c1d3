"""Optimistic locking for `VersionedModel` rows."""

from .exceptions import ConcurrentEditError


def check_version(instance, expected: int | None) -> None:
    """Raise ConcurrentEditError unless `instance` is still at `expected` version.

    `instance` must have been read inside the writing transaction (with
    `select_for_update()` where the database supports it) so that no other writer can
    slip in between this check and the save.
    """
    if expected is not None and instance.version != expected:
        raise ConcurrentEditError()
    instance.version += 1


def field_values(instance, fields) -> dict:
    """Return the values of `fields` of `instance` to compare: foreign keys as ids and
    many-to-many fields as the set of related ids stored now."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            related = getattr(instance, name).values_list("pk", flat=True) if instance.pk else ()
            values[name] = set(related)
        else:
            values[name] = getattr(instance, field.attname)
    return values


def unchanged(instance, before: dict, **many_to_many) -> bool:
    """Return whether an edit left `instance` as `before` (from `field_values`) found it.

    Give each many-to-many field the edit is about to set as a keyword (its related objects
    or ids; None when the edit leaves it alone). When nothing changed, take back the version
    `check_version` added: an edit that changes nothing is no new version, so the action
    saves nothing and records no audit event.
    """
    after = field_values(instance, [name for name in before if name not in many_to_many])
    for name, related in many_to_many.items():
        after[name] = (
            before[name] if related is None else {getattr(item, "pk", item) for item in related}
        )
    if after != before:
        return False
    instance.version -= 1
    return True
