from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deltaregio.monitoring.models import IndicatorUnit


class MeasurementForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("Value"), max_digits=20, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"), choices=IndicatorUnit.choices)
    project = forms.ChoiceField(label=_("Project"), required=False)
    source = forms.CharField(
        label=_("Source"), max_length=100, required=False, help_text=_("Where the value comes from.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, projects: list[Any], unit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [  # type: ignore[attr-defined]
            ("", _("the whole programme")),
            *[(p.slug, p.acronym) for p in projects],
        ]
        self.fields["unit"].initial = unit


class ReportForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period until"), widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Language"), choices=[("nl", "Nederlands"), ("en", "English")])
    meeting = forms.CharField(label=_("Meeting"), max_length=200, required=False)
