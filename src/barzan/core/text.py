"""
Persian text: the canonical form stored, the form compared and searched, and digits shown.

Real files mix Arabic and Persian letters (ي/ی, ك/ک), three sets of digits, several
invisible joiners and stray direction marks. Three levels of normalisation answer three
needs:

- `clean` is what Barzan stores for display: letters, digits and joiners unified, nothing
  that a reader would notice removed.
- `normalize` is what two texts are compared by: also without diacritics, with letter
  variants (ة, ۀ, أ, ؤ, ئ) folded, case folded, joiners read as spaces.
- `search_key` is `normalize` without spaces and with آ read as ا, so «اسلام آبادغرب» finds
  «اسلام آباد غرب» and «ابادان» finds «آبادان».

Only the standard library is used: hazm and parsivar are heavy and change text in ways
that break names (see ARCHITECTURE.md).
"""

import re
import unicodedata
from decimal import Decimal

from django.utils.translation import get_language

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

ZWNJ = "\u200c"
ZWJ = "\u200d"

_TO_LATIN_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN_DIGITS = str.maketrans(LATIN_DIGITS + ARABIC_INDIC_DIGITS, PERSIAN_DIGITS * 2)

# Letters that keyboards and old files put where Persian ones are meant.
_CLEAN_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ي Arabic yeh → ی
        "\u0649": "\u06cc",  # ى alef maksura → ی
        "\u0643": "\u06a9",  # ك Arabic kaf → ک
        "\u200b": ZWNJ,  # zero-width space typed for a half-space
        "\u200e": None,  # left-to-right mark
        "\u200f": None,  # right-to-left mark
        "\u202a": None,
        "\u202b": None,
        "\u202c": None,
        "\u202d": None,
        "\u202e": None,
        "\u2066": None,
        "\u2067": None,
        "\u2068": None,
        "\u2069": None,
        "\ufeff": None,  # byte-order mark
        "\u00ad": None,  # soft hyphen
        "\u0640": None,  # tatweel (kashida)
        ZWJ: None,
        # Control characters other than tab and line breaks (NUL first of all) are noise
        # from copy and paste, and PostgreSQL cannot store NUL.
        **{chr(code): None for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)},
    }
)

# Variants folded only for comparison: the stored text keeps its spelling.
_FOLD_LETTERS = str.maketrans(
    {
        "\u0629": "\u0647",  # ة teh marbuta → ه
        "\u06c0": "\u0647",  # ۀ heh with yeh → ه
        "\u06d5": "\u0647",  # ە ae → ه
        "\u06be": "\u0647",  # ھ heh doachashmee → ه
        "\u0623": "\u0627",  # أ → ا
        "\u0625": "\u0627",  # إ → ا
        "\u0671": "\u0627",  # ٱ → ا
        "\u0624": "\u0648",  # ؤ → و
        "\u0626": "\u06cc",  # ئ → ی
        ZWNJ: " ",
    }
)

_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")
# A run of spaces and ZWNJs: one space if the run has a space, else one ZWNJ.
_JOINER_RUNS = re.compile(f"[ {ZWNJ}]+")


def to_latin_digits(text: str) -> str:
    """Return `text` with Persian and Arabic-Indic digits written as 0-9."""
    return text.translate(_TO_LATIN_DIGITS)


def to_persian_digits(text: str) -> str:
    """Return `text` with Latin and Arabic-Indic digits written as ۰-۹."""
    return text.translate(_TO_PERSIAN_DIGITS)


def clean(text: str | None) -> str:
    """Return `text` in the canonical form Barzan stores.

    Arabic letter variants become Persian, every digit becomes 0-9, a zero-width space
    becomes a ZWNJ, repeated or stray ZWNJs go, direction marks and tatweel go, and runs
    of whitespace become one space.
    """
    if not text:
        return ""
    # NFKC turns Arabic presentation forms (ﻻ, ﺑ…) back into letters. It runs again once
    # tatweel and invisible marks are gone, so that a letter and a mark they kept apart
    # compose (alef, tatweel, madda becomes آ) and cleaning clean text changes nothing.
    text = unicodedata.normalize("NFKC", text).translate(_CLEAN_LETTERS)
    text = unicodedata.normalize("NFKC", text).translate(_TO_LATIN_DIGITS)
    text = _SPACES.sub(" ", text)
    text = _JOINER_RUNS.sub(lambda m: " " if " " in m.group() else ZWNJ, text)
    return text.strip(" " + ZWNJ)


def clean_multiline(text: str | None) -> str:
    """Return `text` cleaned line by line, keeping its paragraphs."""
    if not text:
        return ""
    lines = [clean(line) for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def normalize(text: str | None) -> str:
    """Return the form two texts are compared by.

    On top of `clean`: no diacritics, ة/ۀ/أ/إ/ؤ/ئ folded to their plain letters, case
    folded, and a ZWNJ read as a space.
    """
    text = clean(text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_FOLD_LETTERS).casefold()
    # Removing a mark or folding case can leave a letter beside an accent it composes with.
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


# Folded only in search keys: people often type آ without its madda (ابادان for آبادان), but
# two names compared for equality (an import matching by name) keep it apart.
_SEARCH_FOLD = str.maketrans({"\u0622": "\u0627", " ": None})


def search_key(text: str | None) -> str:
    """Return `normalize(text)` without spaces and with آ as ا, for search that ignores both."""
    return normalize(text).translate(_SEARCH_FOLD)


def format_number(value, *, decimals: int | None = None, language: str | None = None) -> str:
    """Return `value` grouped by thousands, in Persian digits when the language is Persian."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = Decimal(to_latin_digits(value))
        except ArithmeticError:
            return value
    if decimals is None:
        decimals = 0 if value == int(value) else 2
    text = f"{value:,.{decimals}f}"
    if (language or get_language() or "fa").startswith("fa"):
        # Persian uses its own thousands (٬) and decimal (٫) separators.
        text = text.translate(str.maketrans({",": "\u066c", ".": "\u066b"}))
        return to_persian_digits(text)
    return text


def localize_digits(value, language: str | None = None) -> str:
    """Return `value` as text with digits for the active (or given) language."""
    text = "" if value is None else str(value)
    if (language or get_language() or "fa").startswith("fa"):
        return to_persian_digits(text)
    return to_latin_digits(text)
