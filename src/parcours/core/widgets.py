"""Radios and checkboxes in the DSFR markup (fr-radio-group / fr-checkbox-group: the input, then its
fr-label), whatever template wins between django.forms' and django-dsfr's (django.forms comes first in
INSTALLED_APPS). The field group around them (fieldset, legend, hint, errors) is django-dsfr's, chosen from
the widget's class name: keep these names (`widgets.RadioSelect`, `widgets.CheckboxSelectMultiple`)."""

from django import forms


class RadioSelect(forms.RadioSelect):
    option_template_name = "parcours/widgets/radio_option.html"


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    option_template_name = "parcours/widgets/checkbox_option.html"


class SelectsMultiple(forms.MultiWidget):
    """A multiple choice as a few plain selects, one value each (« Autre nationalité 1, 2, 3 »): no Ctrl-click
    in a list of 200 countries, no JavaScript. One more empty select than the values already chosen, at least
    `count`. Each select has its own accessible name (`item_label` % n)."""

    def __init__(self, count=3, item_label="%s", empty_label="—", attrs=None):
        self.count, self.item_label, self.empty_label = count, item_label, empty_label
        self._choices = []
        super().__init__([forms.Select() for _ in range(count)], attrs)

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = list(value)

    def decompress(self, value):
        return list(value or [])

    def _values(self, value) -> list[str]:
        if value is None or value == "":
            return []
        if not isinstance(value, (list, tuple)):
            value = self.decompress(value)
        return [str(getattr(v, "code", v)) for v in value if v]

    def get_context(self, name, value, attrs):
        values = self._values(value)
        n = max(self.count, len(values) + 1)
        self.widgets = [forms.Select(choices=[("", self.empty_label), *self._choices]) for _ in range(n)]
        self.widgets_names = [f"_{i}" for i in range(n)]
        context = super().get_context(name, values, attrs)
        for i, sub in enumerate(context["widget"]["subwidgets"]):
            sub["attrs"]["class"] = "fr-select fr-mb-1w"
            sub["attrs"]["aria-label"] = self.item_label % (i + 1)
        return context

    def value_from_datadict(self, data, files, name):
        found, i = [], 0
        while f"{name}_{i}" in data:
            value = data.get(f"{name}_{i}")
            if value and value not in found:
                found.append(value)
            i += 1
        return found

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_0" not in data
