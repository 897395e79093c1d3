"""Numbers on Persian pages: Persian digits, one separator style, and a sign that reads right
in right-to-left text; English pages keep Latin digits."""

from decimal import Decimal

import pytest

from barzan.core.text import NEGATIVE_PREFIX, format_number, parse_decimal, persian_digits_in_html


class TestSigns:
    def test_a_negative_number_keeps_its_sign_left_of_the_digits_in_persian(self):
        # A left-to-right mark makes the minus sign part of the number's own direction.
        assert format_number(-3, language="fa") == "\u200e\u2212۳"
        assert format_number(Decimal("-12345.5"), language="fa") == NEGATIVE_PREFIX + "۱۲٬۳۴۵٫۵۰"

    def test_english_writes_a_plain_minus(self):
        assert format_number(-3, language="en") == "-3"

    def test_a_number_rounding_to_zero_has_no_sign(self):
        assert format_number(Decimal("-0.001"), decimals=2, language="fa") == "۰٫۰۰"
        assert format_number(Decimal("-0.001"), decimals=0, language="en") == "0"

    @pytest.mark.parametrize("value", [Decimal("-3"), Decimal("-1234.5"), Decimal("7")])
    def test_a_signed_number_as_shown_reads_back_as_itself(self, value):
        assert parse_decimal(format_number(value, language="fa")) == value


class TestSeparators:
    def test_persian_numbers_use_the_persian_separators_everywhere(self):
        assert format_number(Decimal("12345.6"), decimals=1, language="fa") == "۱۲٬۳۴۵٫۶"


class TestPersianDigitsInHtml:
    def test_numbers_in_text_become_persian(self):
        html = "<td>منطقه 6</td><p>ساکنان 6 ساله، 12,345 نفر و 3.5 درصد.</p>"
        assert persian_digits_in_html(html) == (
            "<td>منطقه ۶</td><p>ساکنان ۶ ساله، ۱۲٬۳۴۵ نفر و ۳٫۵ درصد.</p>"
        )

    def test_markup_and_attributes_keep_their_digits(self):
        html = '<a href="/areas/12/" data-id="12"><input value="منطقه 6" name="f1">'
        assert persian_digits_in_html(html) == html

    def test_code_scripts_and_what_is_being_edited_keep_their_digits(self):
        html = (
            '<script type="application/json">{"a": 1}</script><style>.a{margin:1px}</style>'
            "<textarea>محله 6</textarea><code>2301</code><!-- 12 -->&#39;"
        )
        assert persian_digits_in_html(html) == html

    def test_latin_words_with_digits_are_names_kept_as_typed(self):
        html = "<p>UTF-8، WGS84، DHIS2 و moe-tehran2؛ دوره 1402</p>"
        assert persian_digits_in_html(html) == "<p>UTF-8، WGS84، DHIS2 و moe-tehran2؛ دوره ۱۴۰۲</p>"

    def test_a_sentence_ending_after_a_number_keeps_its_full_stop(self):
        assert persian_digits_in_html("<p>سال 1402.</p>") == "<p>سال ۱۴۰۲.</p>"


class TestPersianPages:
    pytestmark = pytest.mark.django_db

    def test_a_persian_page_shows_stored_latin_digits_in_persian(self, client, make_user, login):
        user = make_user("clerk", first_name="کارشناس", last_name="2")
        login(user)
        response = client.get("/accounts/account/")
        html = response.content.decode()
        assert "کارشناس ۲" in html
        assert "کارشناس 2" not in html

    def test_an_english_page_keeps_latin_digits(self, client, make_user, login):
        user = make_user("clerk", first_name="Clerk", last_name="2", language="en")
        login(user)
        html = client.get("/accounts/account/").content.decode()
        assert "Clerk 2" in html

    def test_secrets_to_copy_keep_their_latin_digits(self, client, make_user):
        import re

        client.force_login(make_user("new-officer"))
        html = client.get("/accounts/two-factor/setup/").content.decode()
        secret = re.search(r"<samp>([^<]+)</samp>", html).group(1)
        assert re.fullmatch(r"[A-Z2-7 ]+", secret)
