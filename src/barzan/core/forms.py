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
from .text import clean, clean_multiline, localize_digits


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


class BarzanFormMixin:
    """Style widgets for Bootstrap, mark invalid fields, and clean every text value."""

    def __init__(self, *args, actor=None, **kwargs):
        # The acting user narrows choices (areas, organizations) to what they may use.
        self.actor = actor
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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


class VersionField(forms.IntegerField):
    """The hidden version a form was loaded with, for optimistic locking."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
