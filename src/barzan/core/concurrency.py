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
