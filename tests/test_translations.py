"""Persian is complete: every message has a translation, and the compiled catalogue matches it."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "src" / "barzan" / "locale" / "fa" / "LC_MESSAGES"
_STRING = re.compile(r'^"(.*)"$')


def _unquote(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def read_po(path: Path) -> list[dict]:
    """Return the entries of a .po file: msgid, msgid_plural, msgstr (or msgstr[n]), flags."""
    entries, entry, key = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry or {"flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                entry[key] = match.group(2)
            elif _STRING.match(line) and key:
                entry[key] += _STRING.match(line).group(1)
    return [
        {k: _unquote(v) if isinstance(v, str) else v for k, v in item.items()}
        for item in entries
        if item.get("msgid") != ""
    ]


def test_every_message_has_a_persian_translation():
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 300
    missing = [
        item["msgid"]
        for item in entries
        if not item.get("msgstr") and not all(item.get(f"msgstr[{n}]") for n in range(2))
    ]
    fuzzy = [item["msgid"] for item in entries if "fuzzy" in item["flags"]]
    assert missing == [], f"Untranslated: {missing}"
    assert fuzzy == [], f"Fuzzy (check and clear the flag): {fuzzy}"


def test_the_compiled_catalogue_matches_the_translations():
    with (LOCALE / "django.mo").open("rb") as file:
        catalogue = gettext.GNUTranslations(file)
    stale = [
        item["msgid"]
        for item in read_po(LOCALE / "django.po")
        if "msgstr" in item
        and (
            catalogue.pgettext(item["msgctxt"], item["msgid"])
            if "msgctxt" in item
            else catalogue.gettext(item["msgid"])
        )
        != item["msgstr"]
    ]
    assert stale == [], f"Run compilemessages; django.mo is older than django.po for: {stale[:5]}"


def test_placeholders_survive_translation():
    for item in read_po(LOCALE / "django.po"):
        source = set(re.findall(r"%\(\w+\)s|%s", item["msgid"]))
        for key, value in item.items():
            if key.startswith("msgstr") and value:
                assert set(re.findall(r"%\(\w+\)s|%s", value)) == source, item["msgid"]
