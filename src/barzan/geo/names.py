"""
Names of areas as people type them, for matching files by name.

A placeholder holding only `area_index`: the full module (alternative and former names)
replaces it.
"""

from collections import defaultdict

from barzan.core.text import search_key

from .models import Area


def area_index(area: Area) -> dict[str, list[tuple[int, str]]]:
    """Map the search key of each name of the current areas under `area` to (id, path)."""
    index: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = Area.objects.filter(valid_to__isnull=True, path__startswith=area.path).values_list(
        "pk", "path", "name_fa", "name_en"
    )
    for pk, path, name_fa, name_en in rows:
        for key in {search_key(name_fa), search_key(name_en)} - {""}:
            index[key].append((pk, path))
    return dict(index)
