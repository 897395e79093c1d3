"""
Names as people type them: official and alternative names, with or without a level word.

Search and name matching compare search keys (`core.text.search_key`: letters unified,
آ read as ا, no spaces). When that finds nothing a name is tried again without the level
words people put before or after it («شهر ری», «منطقه ۶ تهران», «Rey county»), in every
order of what remains, as a whole name: «منطقه ۶ تهران» is «تهران ۶», but «شهر ری» is
«ری» and not every name containing «ری».

`area_index` and `match` serve imports that name areas (a census table keyed by county
name); `AreaQuerySet.search` uses `keys_without_level_words` for the same rule.
"""

import csv
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from barzan.core.text import normalize, search_key

KNOWN_NAMES_FILE = Path(__file__).parent / "data" / "area-names" / "known-names.csv"

LEVEL_WORDS = frozenset(
    search_key(word)
    for word in (
        "استان",
        "شهرستان",
        "بخش",
        "دهستان",
        "شهر",
        "منطقه",
        "ناحیه",
        "محله",
        "روستا",
        "province",
        "county",
        "district",
        "city",
        "neighborhood",
        "neighbourhood",
        "village",
    )
)
# Beyond this many words, trying every order costs more than it finds.
MAX_PERMUTED_WORDS = 3
_WORDS = re.compile(r"\d+|[^\d\s]+")


@dataclass(frozen=True)
class KnownName:
    """One row of the shipped table of former names and spellings."""

    level: str
    code: str
    name: str
    language: str
    kind: str
    source: str


def known_names(path: Path = KNOWN_NAMES_FILE) -> list[KnownName]:
    """Return the former names and spellings of real areas that Barzan ships."""
    with path.open(encoding="utf-8", newline="") as file:
        return [
            KnownName(
                level=row["level"],
                code=row["code"],
                name=row["name"],
                language=row["language"],
                kind=row["kind"],
                source=row["source"],
            )
            for row in csv.DictReader(file)
        ]


def keys_without_level_words(text: str) -> list[str]:
    """Return the search keys of `text` without its level words, in every order of the
    words left (up to `MAX_PERMUTED_WORDS`, else as typed); none when `text` has no level
    word or only level words.

    A number typed against a word is a word of its own: «منطقه۶ تهران» has three.
    """
    words = [search_key(word) for word in _WORDS.findall(normalize(text))]
    kept = [word for word in words if word and word not in LEVEL_WORDS]
    if not kept or len(kept) == len(words):
        return []
    orders = itertools.permutations(kept) if len(kept) <= MAX_PERMUTED_WORDS else [kept]
    return list(dict.fromkeys("".join(order) for order in orders))


def area_index(area) -> dict[str, list[tuple[int, str]]]:
    """Map the search key of every name of the current areas within `area` (itself
    included): Persian, English and alternative names, to their (id, path).

    A key may map to several areas (a province, its county and its city share a name);
    the caller narrows by level or path.
    """
    from .models import Area, AreaName

    index: dict[str, list[tuple[int, str]]] = {}

    def add(name: str, entry: tuple[int, str]) -> None:
        key = search_key(name)
        if key and entry not in index.setdefault(key, []):
            index[key].append(entry)

    current = Area.objects.within(area).filter(valid_to__isnull=True)
    for pk, path, name_fa, name_en in current.values_list("pk", "path", "name_fa", "name_en"):
        add(name_fa, (pk, path))
        add(name_en, (pk, path))
    alternatives = AreaName.objects.filter(area__in=current.values("pk"))
    for pk, path, name in alternatives.values_list("area_id", "area__path", "name"):
        add(name, (pk, path))
    return index


def match(index: dict[str, list[tuple[int, str]]], text: str) -> list[tuple[int, str]]:
    """Return the (id, path) of the areas `text` names in `index`: by its search key, else
    by its words without level words in any order; an empty list when nothing matches."""
    found = index.get(search_key(text))
    if found:
        return list(found)
    matches: list[tuple[int, str]] = []
    for key in keys_without_level_words(text):
        for entry in index.get(key, ()):
            if entry not in matches:
                matches.append(entry)
    return matches
