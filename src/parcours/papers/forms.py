from django import forms

from parcours.accounts.models import Letterhead

from .letterheads import FIELDS


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Letterhead
        fields = FIELDS
        widgets = {
            "service_lines": forms.Textarea(attrs={"rows": 3}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }
