"""Widgets for choices too many to list: a select whose options come from a search."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode


class SearchSelect(forms.Select):
    """A select that lists the first `limit` choices and fetches others as the user types.

    The field's queryset stays the full set the user may choose from, so validation is
    unchanged; only rendering is limited. `options_url` names a view that returns
    `<option>` elements for `?q=` (see `core/options.html`).
    """

    template_name = "core/widgets/search_select.html"

    def __init__(
        self, options_url: str, *, params: dict | None = None, limit: int = 50, attrs=None
    ):
        super().__init__(attrs)
        self.options_url = options_url
        self.params = params or {}
        self.limit = limit

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        return copy

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse(self.options_url)
        context["widget"]["options_url"] = f"{url}?{urlencode(self.params)}" if self.params else url
        return context

    def optgroups(self, name, value, attrs=None):
        choices = self.choices
        queryset = getattr(choices, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        field = choices.field
        selected = {str(item) for item in value if item not in (None, "")}
        shown = list(queryset[: self.limit])
        shown_ids = {str(obj.pk) for obj in shown}
        missing = []
        for value_text in selected - shown_ids:
            # A tampered form may send anything; what is not a key is simply not shown.
            try:
                key = queryset.model._meta.pk.to_python(value_text)
            except ValidationError:
                continue
            # SQLite cannot even compare with an integer beyond 64 bits.
            if isinstance(key, int) and not -(2**63) <= key < 2**63:
                continue
            missing.append(key)
        if missing:
            shown = list(queryset.filter(pk__in=missing)) + shown
        groups = []
        if field.empty_label is not None:
            groups.append(
                (None, [self.create_option(name, "", field.empty_label, not selected, 0)], 0)
            )
        for index, obj in enumerate(shown, start=1):
            option_value = str(obj.pk)
            label = field.label_from_instance(obj)
            option = self.create_option(name, option_value, label, option_value in selected, index)
            groups.append((None, [option], index))
        return groups
