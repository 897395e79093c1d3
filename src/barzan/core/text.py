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
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


_PERSIAN_SEPARATORS = str.maketrans({",": "\u066c", ".": "\u066b"})
# What starts a negative number on a Persian page: a left-to-right mark, then a minus sign.
NEGATIVE_PREFIX = "\u200e\u2212"


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
    if text.startswith("-") and not text.strip("-0,."):
        text = text[1:]  # -0.001 rounds to «0», not «-0»
    if (language or get_language() or "fa").startswith("fa"):
        # Persian uses its own thousands (٬) and decimal (٫) separators.
        text = to_persian_digits(text.translate(_PERSIAN_SEPARATORS))
        if text.startswith("-"):
            # In right-to-left text a bare «-۳» is drawn «۳-»: a left-to-right mark before
            # the minus sign (U+2212) keeps the sign on the left of the digits.
            text = NEGATIVE_PREFIX + text[1:]
    return text


def format_percent(value, *, decimals: int | None = None, language: str | None = None) -> str:
    """Return `value` (a percent, 25 for a quarter) with its sign: «۲۵٪» in Persian, 25% else."""
    text = format_number(value, decimals=decimals, language=language)
    if not text:
        return ""
    return f"{text}%" if text.isascii() else f"{text}\u066a"


def localize_digits(value, language: str | None = None) -> str:
    """Return `value` as text with digits for the active (or given) language."""
    text = "" if value is None else str(value)
    if (language or get_language() or "fa").startswith("fa"):
        return to_persian_digits(text)
    return to_latin_digits(text)


# What a Persian page shows in Persian digits: digit runs in text nodes. Left as they are:
# markup (tags and their attributes, so input values and URLs keep their digits), comments,
# elements whose text is code or what a person is editing, entities, and Latin words with
# digits in them (UTF-8, WGS84, DHIS2, moe-tehran2), which are names typed as they are.
_RAW_ELEMENTS = "script|style|textarea|pre|code|kbd|samp"
# One group around all markup, so that `split` returns text and markup in turn; every
# alternative starts with «<», which keeps the scan fast.
_HTML_MARKUP = re.compile(
    rf"(<(?:!--.*?--|(?:{_RAW_ELEMENTS})\b.*?</(?:{_RAW_ELEMENTS})\s*|[^>]*)>)",
    re.DOTALL | re.IGNORECASE,
)
_TEXT_NUMBERS = re.compile(
    r"(?P<left>&#?[A-Za-z0-9]+;|[A-Za-z][A-Za-z0-9]*(?:[-_.+/:][A-Za-z0-9]+)*)"
    # A code that starts with a digit («1402Q3», «2301-06») is a number to a reader: all of
    # its digits turn.
    r"|(?P<number>[0-9]+(?:[.,][0-9]+)*(?:[A-Za-z]+[0-9]+)*)"
)
_ANY_DIGIT = re.compile("[0-9]")


def _persian_number(match: re.Match) -> str:
    if match["left"] is not None:
        return match["left"]
    # Between digits, a point is a decimal point and a comma groups thousands.
    return to_persian_digits(match["number"].translate(_PERSIAN_SEPARATORS))


def persian_digits_in_html(html: str) -> str:
    """Return `html` with the numbers of its text in Persian digits and separators.

    Stored text keeps Latin digits (`clean`): a name «منطقه 6», a description «ساکنان 6
    ساله», a person's name, a message quoting a file. A Persian page shows them all in Persian
    digits; this is the one place that does it for every page, so no template has to.
    """
    parts = _HTML_MARKUP.split(html)
    # Text and markup alternate: the text is at the even places.
    parts[::2] = [_text_numbers(text) for text in parts[::2]]
    return "".join(parts)


def _text_numbers(text: str) -> str:
    # Most text of a Persian page has no Latin digit at all: leave it unscanned.
    return _TEXT_NUMBERS.sub(_persian_number, text) if _ANY_DIGIT.search(text) else text


# -- Numbers as people type them ------------------------------------------------------------

DECIMAL_SEPARATOR = "\u066b"  # ٫
THOUSANDS_SEPARATOR = "\u066c"  # ٬
# What may group thousands: the Persian separator, the Latin and Persian commas, an
# apostrophe (Swiss style, as some spreadsheets write it) and a space (after `clean`,
# no-break and thin spaces are spaces too).
_GROUPING = "\u066c,\u060c' "
_DECIMAL_POINTS = "." + DECIMAL_SEPARATOR
_MINUS_SIGNS = str.maketrans(
    {"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"}
)
# Plain Latin decimal text, the form of nearly every value in a machine-written file: read
# directly. `Decimal` alone would also take «1_000», «NaN» and surrounding spaces.
_PLAIN = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?P<whole>[0-9]+(?:(?P<group>[^0-9.eE+-])[0-9]{3}(?:(?P=group)[0-9]{3})*)?)?"
    r"(?:\.(?P<fraction>[0-9]*))?"
    r"(?P<exponent>[eE][+-]?[0-9]+)?",
    re.ASCII,
)

# Digits and separators only, but not in a form read above: a misplaced separator.
_MISGROUPED = re.compile(r"[+-]?[0-9.\u066c,\u060c' ]+", re.ASCII)


def parse_decimal(text) -> Decimal:
    """Return the number `text` holds, however a Persian or Latin keyboard typed it.

    Read: Persian and Arabic-Indic digits; «٫» or «.» as the decimal point; «٬», the comma
    «,» or «،», an apostrophe or a space between groups of three digits; a leading sign (a
    Unicode minus too); and stray direction marks. A comma counts as a thousands separator
    only where it is followed by groups of exactly three digits («12,345» is 12345), so
    «1,5» (a decimal comma elsewhere) is refused rather than read as 15, and so is
    «1.234,5». A slash is not read as a decimal point (PERSIAN.md uses «٫»): «۳۵/۷» is
    refused with a hint, since it may as well be a date or a fraction.

    Raise ValueError with a message a person can act on.
    """
    if isinstance(text, Decimal):
        number = text
    elif isinstance(text, bool):
        raise ValueError(_("«%(text)s» is not a number.") % {"text": text})
    elif isinstance(text, int):
        return Decimal(text)
    elif isinstance(text, float):
        number = Decimal(repr(text))
    else:
        original = "" if text is None else str(text)
        number = _read_number(original)
    if not number.is_finite():
        raise ValueError(_("«%(text)s» is not a number.") % {"text": text})
    return number


def _read_number(original: str) -> Decimal:
    if _PLAIN.fullmatch(original):
        return Decimal(original)
    text = clean(original).translate(_MINUS_SIGNS)
    points = [point for point in _DECIMAL_POINTS if point in text]
    if len(points) > 1:
        raise ValueError(
            _("«%(text)s» has two kinds of decimal point; write it like 1234.5 or ۱۲۳۴٫۵.")
            % {"text": original}
        )
    text = text.replace(DECIMAL_SEPARATOR, ".")
    match = _NUMBER.fullmatch(text)
    if (
        match is None
        or (match["group"] is not None and match["group"] not in _GROUPING)
        or (match["whole"] is None and not match["fraction"])
    ):
        if "/" in text and re.fullmatch(r"[+-]?[0-9]+/[0-9]+", text):
            raise ValueError(
                _("«%(text)s»: write the decimal point as «٫» or «.», not «/».")
                % {"text": original}
            )
        if _MISGROUPED.fullmatch(text) and any(mark in text for mark in _GROUPING):
            raise ValueError(
                _(
                    "«%(text)s» is not a number: a thousands separator must have three digits "
                    "after it, and a decimal point is written «٫» or «.», such as ۱۲٬۳۴۵٫۶ "
                    "or 12,345.6."
                )
                % {"text": original}
            )
        raise ValueError(_("«%(text)s» is not a number.") % {"text": original})
    digits = (match["whole"] or "0").translate({ord(mark): None for mark in _GROUPING})
    fraction = "" if match["fraction"] is None else "." + match["fraction"]
    try:
        return Decimal(f"{match['sign']}{digits}{fraction}{match['exponent'] or ''}")
    except InvalidOperation:  # an exponent too large for the context
        raise ValueError(_("«%(text)s» is not a number.") % {"text": original}) from None


# -- Persian alphabetical order ---------------------------------------------------------------

# The Persian alphabet in dictionary order. Variants (آ أ إ ٱ, ة ۀ, ؤ, ئ ي, ك) are folded onto
# these letters before lookup, so they sort as the same letter.
PERSIAN_ALPHABET = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_LETTER_RANK = {letter: f"p{rank:02d}" for rank, letter in enumerate(PERSIAN_ALPHABET, start=1)}
_LETTER_RANK["ء"] = "p00"
_SORT_FOLD = str.maketrans({"\u0622": "\u0627"})
_SORT_TOKENS = re.compile(r"[0-9]+|\w", re.UNICODE)
SORT_KEY_LENGTH = 255


def sort_key(text: str | None) -> str:
    """Return the key that puts `text` in Persian dictionary order, the same on every database.

    The key holds only ASCII digits and lowercase letters, which SQLite's binary order and
    PostgreSQL's collations (C or a glibc locale) put in the same order, so a list ordered
    by a stored key comes out identically on both:

    - Persian letters in alphabet order (پ after ب, گ after ک, چ after ج), letter variants
      equal (ي = ی, ك = ک, آ = ا, ة = ه, أ = ا, ؤ = و, ئ = ی) and diacritics ignored;
    - a run of digits, in any script, as one number in numeric order (۶-۲ before ۶-۱۰);
    - Latin letters after Persian ones, case and accents folded;
    - a ZWNJ ignored, since the same name is written with and without one («تهران‌پارس»,
      «تهرانپارس»);
    - anything else (spaces, punctuation) one word break, which sorts before every letter
      and digit, so a shorter word comes first: «تهران» and «تهران شمال» before «تهرانپارس».
    """
    text = normalize(clean(text).replace(ZWNJ, "")).translate(_SORT_FOLD)
    parts = []
    separated = False
    position = 0
    for match in _SORT_TOKENS.finditer(text):
        if match.start() > position and parts:
            separated = True
        position = match.end()
        token = match.group()
        if separated:
            parts.append("0")
            separated = False
        if token[0] in LATIN_DIGITS:
            digits = token.lstrip("0") or "0"
            # The length first, so that a longer number (more digits) sorts after.
            parts.append(f"1{len(digits):03d}{digits}")
        elif token in _LETTER_RANK:
            parts.append(_LETTER_RANK[token])
        elif token == "_":
            separated = True
        else:
            latin = unicodedata.normalize("NFKD", token)[0]
            if "a" <= latin <= "z":
                parts.append(f"q{latin}")
            else:
                # Other scripts keep a stable place after Latin.
                parts.append(f"r{ord(token):05x}")
    return "".join(parts)[:SORT_KEY_LENGTH]
