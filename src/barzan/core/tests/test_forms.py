"""Forms: Jalali dates in, Gregorian dates out; Persian-cleaned text; accessible errors."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils import translation

from barzan.core.forms import (
    DecimalField,
    FloatField,
    Form,
    IntegerField,
    JalaliDateField,
    JalaliDateInput,
)


class ProfileForm(Form):
    name = forms.CharField(help_text="As on the national card.")
    city = forms.CharField(required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    born = JalaliDateField(required=False)
    agreed = forms.BooleanField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], required=False)


class DateForm(Form):
    day = JalaliDateField()


class CodeForm(Form):
    code = forms.CharField(
        min_length=4, validators=[RegexValidator(r"^[0-9]+$", "Use digits only.")]
    )


def input_tag(html, name):
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group()


class TestJalaliDateField:
    def test_persian_digits_clean_to_a_gregorian_date(self):
        form = DateForm(data={"day": "۱۴۰۲/۰۷/۲۹"})
        assert form.is_valid() is True
        assert form.cleaned_data["day"] == date(2023, 10, 21)

    def test_a_stored_date_is_shown_as_jalali_with_persian_digits_on_a_persian_page(self):
        with translation.override("fa"):
            html = str(DateForm(initial={"day": date(2023, 10, 21)})["day"])
        assert 'value="۱۴۰۲/۰۷/۲۹"' in html

    def test_a_stored_date_is_shown_as_jalali_with_latin_digits_on_an_english_page(self):
        with translation.override("en"):
            html = str(DateForm(initial={"day": date(2023, 10, 21)})["day"])
        assert 'value="1402/07/29"' in html

    def test_bad_input_gets_the_parse_error_message(self):
        with translation.override("en"):
            form = DateForm(data={"day": "1404/12/30"})
            assert form.is_valid() is False
            assert form.errors["day"] == ["Esfand 1404 has 29 days."]

    def test_a_gregorian_year_is_refused_with_its_reason(self):
        with translation.override("en"):
            form = DateForm(data={"day": "2023/10/21"})
            assert form.is_valid() is False
            assert "looks like a Gregorian year" in form.errors["day"][0]

    def test_a_required_date_left_empty_is_required(self):
        form = DateForm(data={"day": ""})
        assert form.is_valid() is False
        assert form.has_error("day", "required") is True

    def test_an_optional_date_left_empty_is_none(self):
        form = ProfileForm(data={"name": "x", "born": ""})
        assert form.is_valid() is True
        assert form.cleaned_data["born"] is None

    def test_a_date_object_passes_through(self):
        assert JalaliDateField().clean(date(2024, 3, 20)) == date(2024, 3, 20)

    def test_has_changed_compares_dates_not_spelling(self):
        field = JalaliDateField()
        assert field.has_changed(date(2023, 10, 21), "۱۴۰۲/۰۷/۲۹") is False
        assert field.has_changed(date(2023, 10, 21), "1402/07/30") is True
        assert field.has_changed(date(2023, 10, 21), "not a date") is True

    def test_the_widget_carries_the_date_picker_and_a_localized_placeholder(self):
        with translation.override("fa"):
            html = JalaliDateInput().render("day", None)
        assert "data-jdp" in html
        assert 'dir="ltr"' in html
        assert 'inputmode="numeric"' in html
        assert 'placeholder="۱۴۰۳/۰۷/۲۹"' in html


class TestTextCleaning:
    def test_char_fields_are_cleaned_arabic_letters_become_persian(self):
        form = ProfileForm(data={"name": "  علي  كريمي ", "city": "كرمانشاه"})
        assert form.is_valid() is True
        assert form.cleaned_data["name"] == "علی کریمی"
        assert form.cleaned_data["city"] == "کرمانشاه"

    def test_digits_in_text_become_latin(self):
        form = ProfileForm(data={"name": "پلاک ۱۲"})
        assert form.is_valid() is True
        assert form.cleaned_data["name"] == "پلاک 12"

    def test_a_textarea_keeps_its_paragraphs(self):
        form = ProfileForm(data={"name": "x", "notes": "خط  يك\r\n\r\nخط دو"})
        assert form.is_valid() is True
        assert form.cleaned_data["notes"] == "خط یک\n\nخط دو"

    def test_passwords_are_left_untouched(self):
        password = " كلمه\u200b عبور ۱۲۳ "
        form = ProfileForm(data={"name": "x", "password": password})
        assert form.is_valid() is True
        # CharField strips the ends; nothing else is changed.
        assert form.cleaned_data["password"] == password.strip()


class TestMarkup:
    def test_widgets_get_bootstrap_classes(self):
        form = ProfileForm()
        assert form.fields["name"].widget.attrs["class"] == "form-control"
        assert form.fields["agreed"].widget.attrs["class"] == "form-check-input"
        assert form.fields["kind"].widget.attrs["class"] == "form-select"
        assert "jalali-date" in form.fields["born"].widget.attrs["class"].split()

    def test_an_invalid_field_is_marked_and_described_by_its_error(self):
        form = ProfileForm(data={"name": "", "born": "1402/13/01"})
        assert form.is_valid() is False
        html = form.as_div()

        name = input_tag(html, "name")
        assert "is-invalid" in re.search(r'class="([^"]*)"', name).group(1).split()
        assert 'aria-invalid="true"' in name
        assert 'aria-describedby="id_name_error id_name_helptext"' in name
        assert 'id="id_name_error"' in html
        assert 'id="id_name_helptext"' in html

        born = input_tag(html, "born")
        assert "is-invalid" in born
        assert 'aria-invalid="true"' in born
        assert 'aria-describedby="id_born_error"' in born
        assert 'id="id_born_error"' in html

    def test_every_error_of_a_field_is_inside_the_one_element_it_is_described_by(self):
        with translation.override("en"):
            form = CodeForm(data={"code": "ab"})
            assert form.is_valid() is False
            assert len(form.errors["code"]) == 2
            html = form.as_div()
        assert 'aria-describedby="id_code_error"' in input_tag(html, "code")
        assert html.count('id="id_code_error"') == 1
        described = re.search(r'<div[^>]*id="id_code_error"[^>]*>(.*?)</div>\s*</div>', html, re.S)
        assert "Use digits only." in described.group(1)
        assert "at least 4 characters" in described.group(1)

    def test_a_valid_field_is_not_marked_invalid(self):
        form = ProfileForm(data={"name": "", "city": "تهران"})
        assert form.is_valid() is False
        city = input_tag(form.as_div(), "city")
        assert "is-invalid" not in city
        assert "aria-invalid" not in city

    def test_an_unbound_form_marks_nothing(self):
        html = ProfileForm().as_div()
        assert "is-invalid" not in html
        assert "aria-invalid" not in html

    def test_the_acting_user_is_kept_on_the_form(self):
        actor = object()
        assert ProfileForm(actor=actor).actor is actor


class MeasureForm(Form):
    """Django's own numeric fields, as model forms build them, and the core ones."""

    share = forms.DecimalField(max_digits=8, decimal_places=4, required=False)
    latitude = forms.FloatField(required=False)
    people = forms.IntegerField(min_value=0, required=False)
    count = IntegerField(required=False)
    rate = DecimalField(required=False)
    longitude = FloatField(required=False)


class TestNumbersTypedThePersianWay:
    def test_persian_digits_and_the_persian_decimal_separator_are_read(self):
        form = MeasureForm(data={"share": "۱۲٫۵", "latitude": "۳۵٫۷", "longitude": "۵۱٫۴"})
        assert form.is_valid() is True
        assert form.cleaned_data["share"] == Decimal("12.5")
        assert form.cleaned_data["latitude"] == 35.7
        assert form.cleaned_data["longitude"] == 51.4

    def test_persian_and_latin_thousands_separators_are_read(self):
        form = MeasureForm(data={"people": "۱۲٬۳۴۵", "count": "1,234,567", "rate": "١٬٢٣٤٫٥"})
        assert form.is_valid() is True
        assert form.cleaned_data["people"] == 12345
        assert form.cleaned_data["count"] == 1234567
        assert form.cleaned_data["rate"] == Decimal("1234.5")

    def test_a_comma_that_is_not_a_thousands_separator_is_refused_with_its_reason(self):
        with translation.override("en"):
            form = MeasureForm(data={"share": "1,5"})
            assert form.is_valid() is False
            assert (
                "a thousands separator must have three digits after it" in (form.errors["share"][0])
            )

    def test_a_slash_for_a_decimal_point_is_refused_with_a_hint(self):
        with translation.override("en"):
            form = MeasureForm(data={"latitude": "۳۵/۷"})
            assert form.is_valid() is False
            assert form.errors["latitude"] == [
                "«۳۵/۷»: write the decimal point as «٫» or «.», not «/»."
            ]

    def test_a_fraction_in_a_whole_number_field_is_refused(self):
        form = MeasureForm(data={"people": "۱۲٫۵"})
        assert form.is_valid() is False

    def test_a_huge_exponent_is_refused_before_it_is_written_out(self):
        form = MeasureForm(data={"count": "1e999999999"})
        assert form.is_valid() is False

    def test_empty_numbers_are_none(self):
        form = MeasureForm(data={"share": " ", "people": ""})
        assert form.is_valid() is True
        assert form.cleaned_data["share"] is None
        assert form.cleaned_data["people"] is None

    def test_number_boxes_are_text_boxes_a_persian_keyboard_can_type_in(self):
        html = str(MeasureForm())
        for name in ("share", "latitude", "people", "count", "rate", "longitude"):
            tag = input_tag(html, name)
            assert 'type="text"' in tag
            assert 'dir="ltr"' in tag
        assert 'inputmode="numeric"' in input_tag(html, "people")
        assert 'inputmode="decimal"' in input_tag(html, "share")


def test_help_text_is_text_never_markup():
    class SmallCountForm(Form):
        value = forms.CharField(help_text="Written «<5» or <b>bold</b> when hidden.")

    html = SmallCountForm().as_div()
    assert "Written «&lt;5» or &lt;b&gt;bold&lt;/b&gt; when hidden." in html
    assert "<b>" not in html
