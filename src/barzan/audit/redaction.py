"""
Blanking what a reader of the audit log may not see in an event's before and after.

The audit log sits below the apps whose records it keeps, so it cannot judge their
contents itself: an app registers, for its verbs, a function that names the fields of each
event the reader may not see (indicators: a small count of another organization, and the
comment beside it). The audit pages and the API show those fields as hidden; the stored
event keeps them, for the organization that owns them and for the record.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

# redactor(user, events) -> {event id: {"before.value", "after.comment", ...}}
Redactor = Callable[[object, list], dict[int, set[str]]]

_redactors: dict[str, Redactor] = {}


def register_redactor(verbs: Iterable[str], redactor: Redactor) -> None:
    """Let `redactor` name the fields of events of `verbs` a reader may not see."""
    for code in verbs:
        _redactors[code] = redactor


def redact(user, events: Iterable) -> list:
    """Blank, in memory, the fields of `events` that `user` may not see, and return them.

    Each event gets `hidden_fields`, a sorted list such as ["after.value"]; a blanked field
    reads None. Nothing is saved.
    """
    events = list(events)
    by_verb: dict[str, list] = defaultdict(list)
    for event in events:
        event.hidden_fields = []
        if event.verb in _redactors:
            by_verb[event.verb].append(event)
    for verb, group in by_verb.items():
        hidden = _redactors[verb](user, group)
        for event in group:
            fields = sorted(hidden.get(event.pk, ()))
            event.hidden_fields = fields
            for side in ("before", "after"):
                names = {field.split(".", 1)[1] for field in fields if field.startswith(side)}
                data = getattr(event, side)
                if names and isinstance(data, dict):
                    setattr(event, side, {k: None if k in names else v for k, v in data.items()})
    return events
