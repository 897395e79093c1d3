"""An empty choice says what to choose («— نوع را انتخاب کنید —»), never Django's "---------"."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from barzan.core.filters import FilterSet
from barzan.core.forms import Form

KINDS = [("", "---------"), ("agency", "Agency"), ("ngo", "NGO")]


class KindForm(Form):
    kind = forms.ChoiceField(label="نوع", choices=KINDS)
    record = forms.ModelChoiceField(label="Kind of record", queryset=ContentType.objects.none())
    chosen = forms.ModelChoiceField(
        label="بی‌برچسب", queryset=ContentType.objects.none(), empty_label="همه"
    )


class LateForm(Form):
    """A form that adds its field after Form.__init__, as many do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = forms.ModelChoiceField(
            label="استان", queryset=ContentType.objects.none()
        )


class KindFilter(FilterSet):
    model = django_filters.ModelChoiceFilter(
        label="نوع", queryset=ContentType.objects.none(), field_name="id"
    )

    class Meta:
        model = ContentType
        fields = []


def test_a_choice_field_says_what_to_choose():
    with translation.override("fa"):
        html = str(KindForm()["kind"])
    assert "— نوع را انتخاب کنید —" in html
    assert "---------" not in html


def test_a_model_choice_says_what_to_choose_in_english_too():
    with translation.override("en"):
        html = str(KindForm()["record"])
    assert "— Choose kind of record —" in html


def test_an_empty_label_a_form_chose_itself_is_kept():
    with translation.override("fa"):
        html = str(KindForm()["chosen"])
    assert ">همه<" in html


def test_a_field_added_after_the_form_is_made_says_what_to_choose_too():
    with translation.override("fa"):
        html = LateForm().render()
    assert "— استان را انتخاب کنید —" in html
    assert "---------" not in html


def test_a_filter_left_empty_reads_any():
    with translation.override("fa"):
        html = str(KindFilter({}, queryset=ContentType.objects.none()).form["model"])
    assert ">همه<" in html
    assert "---------" not in html
