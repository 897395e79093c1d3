"""
Form building blocks: Jalali dates, Persian-normalised text, accessible Bootstrap markup.

Every form in Barzan derives from `Form` or `ModelForm` here so that text is cleaned the
same way (`core.text.clean`) before any action stores it, and fields render with labels,
help text and errors tied together for screen readers.
"""

from datetime import date

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from . import jalali
from .text import clean, clean_multiline, localize_digits, parse_decimal


class FormRenderer(TemplatesSetting):
    """Render forms and fields with Barzan's accessible Bootstrap templates."""

    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class JalaliDateInput(forms.TextInput):
    """A text box for a Jalali date with the date picker attached; shows stored dates as Jalali."""

    def __init__(self, attrs=None):
        defaults = {
            "data-jdp": "",
            "autocomplete": "off",
            "inputmode": "numeric",
            "dir": "ltr",
            "placeholder": "1403/07/29",
            "class": "form-control jalali-date",
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return jalali.format_date(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["placeholder"] = localize_digits(self.attrs["placeholder"])
        return context


class JalaliDateField(forms.Field):
    """A date typed in the Jalali calendar (any digits), cleaned to a Gregorian `date`."""

    widget = JalaliDateInput
    default_error_messages = {"invalid": _("Enter a valid Jalali date, such as 1403/07/29.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            return jalali.parse_date(str(value))
        except jalali.JalaliDateError as error:
            raise forms.ValidationError(str(error), code="invalid") from error

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != self.to_python(initial)
        except forms.ValidationError:
            return True


class NumberInput(forms.TextInput):
    """A text box for a number: `<input type="number">` refuses Persian digits and «٫» in
    most browsers, and would send nothing at all for «۳۵٫۷»."""

    def __init__(self, attrs=None, *, inputmode: str = "decimal"):
        super().__init__({"inputmode": inputmode, "dir": "ltr", **(attrs or {})})


class PersianNumberMixin:
    """Read the number typed with `core.text.parse_decimal`: Persian or Arabic-Indic
    digits, «٫» or «.» as the decimal point, «٬» or «,» between thousands."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            try:
                number = parse_decimal(value)
            except ValueError as error:
                raise forms.ValidationError(str(error), code="invalid") from error
            # Written out in full below: «1e999999999» would be a billion digits.
            if number and not -100 < number.adjusted() < 100:
                raise forms.ValidationError(
                    _("%(value)s is too large.") % {"value": value}, code="invalid"
                )
            value = format(number, "f")
        return super().to_python(value)


class DecimalField(PersianNumberMixin, forms.DecimalField):
    widget = NumberInput


class FloatField(PersianNumberMixin, forms.FloatField):
    widget = NumberInput


class IntegerField(PersianNumberMixin, forms.IntegerField):
    widget = NumberInput

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # The digits-only keyboard of a phone has no minus sign.
        if isinstance(widget, NumberInput) and self.min_value is not None and self.min_value >= 0:
            attrs["inputmode"] = "numeric"
        return attrs


# Django's own fields (in model forms and in forms written before these) become the ones
# above, so that every number typed anywhere is read the same way.
_PERSIAN_NUMBER_FIELDS = {
    forms.DecimalField: DecimalField,
    forms.FloatField: FloatField,
    forms.IntegerField: IntegerField,
}


def _read_persian_numbers(field) -> None:
    upgraded = _PERSIAN_NUMBER_FIELDS.get(type(field))
    if upgraded is None:
        return
    field.__class__ = upgraded
    if type(field.widget) is forms.NumberInput:
        attrs = {
            key: value
            for key, value in field.widget.attrs.items()
            if key not in ("min", "max", "step")
        }
        field.widget = NumberInput(attrs)
        field.widget.attrs.update(field.widget_attrs(field.widget))


# Django's empty choice, "---------", says nothing about what to choose.
DJANGO_EMPTY_LABEL = "---------"


def choose_label(field) -> str:
    """Return the empty choice of a form field: «— استان را انتخاب کنید —»."""
    label = str(field.label or "")
    if not label:
        return str(_("— Choose —"))
    if label[1:2].islower():
        # English labels are capitalised; inside a sentence they are not.
        label = label[:1].lower() + label[1:]
    return str(_("— Choose %(field)s —") % {"field": label})


def _say_what_to_choose(field, empty_label) -> None:
    """Replace Django's dashed empty choice on `field` with `empty_label(field)`."""
    if isinstance(field, forms.ModelChoiceField):
        # Its choices are a query: only the label is looked at.
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = empty_label(field)
        return
    if not isinstance(field, forms.ChoiceField) or getattr(field, "_says_what_to_choose", False):
        return
    field._says_what_to_choose = True
    choices = list(field.choices)
    if choices and choices[0][0] in ("", None) and choices[0][1] == DJANGO_EMPTY_LABEL:
        field.choices = [(choices[0][0], empty_label(field)), *choices[1:]]


class BarzanFormMixin:
    """Style widgets for Bootstrap, mark invalid fields, clean every text value, and make
    every empty choice say what to choose."""

    @staticmethod
    def empty_choice_label(field) -> str:
        """The label of a choice field's empty option (a filter says "any" instead)."""
        return choose_label(field)

    def __init__(self, *args, actor=None, **kwargs):
        # The acting user narrows choices (areas, organizations) to what they may use.
        self.actor = actor
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _read_persian_numbers(field)
            widget = field.widget
            css = widget.attrs.get("class", "")
            if isinstance(widget, forms.CheckboxInput):
                base = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                base = "form-select"
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                base = ""
            else:
                base = "form-control"
            if base and base not in css.split():
                widget.attrs["class"] = f"{css} {base}".strip()

    def __getitem__(self, name):
        # Here rather than in __init__: many forms add their fields after it.
        field = self.fields.get(name)
        if field is not None:
            _say_what_to_choose(field, self.empty_choice_label)
        return super().__getitem__(name)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if name in self.errors:
                widget = field.widget
                auto_id = self[name].auto_id
                described_by = [f"{auto_id}_error"] + (
                    [f"{auto_id}_helptext"] if field.help_text else []
                )
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = " ".join(described_by)

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            field = self.fields.get(name)
            if not isinstance(value, str) or field is None:
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            if isinstance(field.widget, forms.Textarea):
                self.cleaned_data[name] = clean_multiline(value)
            else:
                self.cleaned_data[name] = clean(value)


class Form(BarzanFormMixin, forms.Form):
    """A plain form with Barzan's cleaning and markup."""


class ModelForm(BarzanFormMixin, forms.ModelForm):
    """A model form with Barzan's cleaning and markup; saving goes through an action."""


class VersionField(IntegerField):
    """The hidden version a form was loaded with, for optimistic locking."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
