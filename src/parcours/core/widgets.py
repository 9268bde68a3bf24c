"""Radios and checkboxes in the DSFR markup (fr-radio-group / fr-checkbox-group: the input, then its
fr-label), whatever template wins between django.forms' and django-dsfr's (django.forms comes first in
INSTALLED_APPS). The field group around them (fieldset, legend, hint, errors) is django-dsfr's, chosen from
the widget's class name: keep these names (`widgets.RadioSelect`, `widgets.CheckboxSelectMultiple`)."""

from django import forms


class RadioSelect(forms.RadioSelect):
    option_template_name = "parcours/widgets/radio_option.html"


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    option_template_name = "parcours/widgets/checkbox_option.html"
