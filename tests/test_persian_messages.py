"""Persian messages show numbers in Persian digits: in the catalogue's translations, and in
the numbers code puts into a message (which go through the localizer first)."""

import ast
import re
from pathlib import Path

from .test_translations import LOCALE, read_po

SOURCE = Path(__file__).resolve().parents[1] / "src" / "barzan"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# A Latin word with digits is a name typed as it is (UTF-8, WGS84, DHIS2, H1), not a number.
LATIN_WORD = re.compile(r"(?<![0-9۰-۹])[A-Za-z][A-Za-z0-9]*(?:[-_.+/:=][A-Za-z0-9]+)*")

# Translations that show Latin digits on purpose, each with its reason.
LATIN_ON_PURPOSE = {
    "«%(text)s» has two kinds of decimal point; write it like 1234.5 or ۱۲۳۴٫۵.": (
        "It shows both ways of typing a number: the Latin one is the point."
    ),
    "«%(text)s» is not a number: a thousands separator must have three digits after it, "
    "and a decimal point is written «٫» or «.», such as ۱۲٬۳۴۵٫۶ or 12,345.6.": (
        "It shows both ways of typing a number: the Latin one is the point."
    ),
    "Give a date and time such as 2024-03-20T10:00:00+03:30.": (
        "An API parameter: ISO 8601 text exactly as a program sends it."
    ),
    "Give a date such as 2025-03-21.": "An API parameter: ISO 8601 text exactly as sent.",
}


def latin_numbers(text: str) -> list[str]:
    return re.findall(r"[0-9]+", LATIN_WORD.sub("", PLACEHOLDER.sub("", text)))


def test_no_persian_translation_writes_a_number_in_latin_digits():
    wrong = {}
    for item in read_po(LOCALE / "django.po"):
        if item["msgid"] in LATIN_ON_PURPOSE:
            continue
        for key, value in item.items():
            if key.startswith("msgstr") and value and latin_numbers(value):
                wrong[item["msgid"]] = value
    assert wrong == {}, "Write these numbers in Persian digits (۰–۹)"


def test_the_exceptions_are_still_in_the_catalogue():
    msgids = {item["msgid"] for item in read_po(LOCALE / "django.po")}
    assert set(LATIN_ON_PURPOSE) <= msgids


# Placeholders that hold a number: a message fills them through the localizer.
NUMBER_KEYS = re.compile(
    r"^(count|total|number|line|limit|size|days|year|min|max|minimum|maximum|min_\w+|max_\w+"
    r"|done|new|changed|length|width|threshold|percent)$"
)
LOCALIZERS = {
    "localize_digits",
    "format_number",
    "format_percent",
    "format_date",
    "format_datetime",
}
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}


def _name(node) -> str | None:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def unlocalized_numbers() -> list[str]:
    """Return where a translated message gets a number placeholder not from the localizer."""
    found = []
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Mod)
                and isinstance(node.left, ast.Call)
                and _name(node.left.func) in GETTEXT
                and isinstance(node.right, ast.Dict)
            ):
                continue
            for key, value in zip(node.right.keys, node.right.values, strict=True):
                if not (isinstance(key, ast.Constant) and NUMBER_KEYS.match(str(key.value))):
                    continue
                if isinstance(value, ast.Call) and _name(value.func) in LOCALIZERS:
                    continue
                where = path.relative_to(SOURCE)
                found.append(f"{where}:{node.lineno} {key.value}={ast.unparse(value)}")
    return found


def test_numbers_put_into_messages_go_through_the_localizer():
    assert unlocalized_numbers() == []


def test_the_source_walk_finds_messages_with_numbers():
    # The walk reads the real source: a message known to take a localized count is seen.
    text = (SOURCE / "accounts" / "forms.py").read_text(encoding="utf-8")
    assert "localize_digits(settings.AXES_FAILURE_LIMIT)" in text
