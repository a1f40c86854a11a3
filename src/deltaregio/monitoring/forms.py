from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deltaregio.monitoring.models import (
    Framework,
    IndicatorKind,
    IndicatorLevel,
    IndicatorUnit,
    Method,
    Moment,
)


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


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_nl = forms.CharField(label=_("Name (Dutch)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    definition_nl = forms.CharField(label=_("Definition (Dutch)"), widget=forms.Textarea(attrs={"rows": 3}))
    definition_en = forms.CharField(
        label=_("Definition (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    framework = forms.ChoiceField(label=_("Framework"), choices=Framework.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=IndicatorUnit.choices)
    kind = forms.ChoiceField(label=_("Type"), choices=IndicatorKind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=IndicatorLevel.choices)
    method = forms.ChoiceField(label=_("Measured"), choices=Method.choices)
    computation = forms.ChoiceField(label=_("Computation"), required=False)
    moment = forms.ChoiceField(label=_("Measurement moment"), choices=Moment.choices)
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period until"), widget=forms.DateInput(attrs={"type": "date"}))
    baseline_value = forms.DecimalField(label=_("Baseline"), required=False, max_digits=20, decimal_places=2)
    baseline_year = forms.IntegerField(
        label=_("Baseline year"), required=False, min_value=1990, max_value=2100
    )
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from deltaregio.monitoring import computations

        super().__init__(*args, **kwargs)
        self.fields["computation"].choices = [("", "–"), *computations.choices()]  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"))
    value = forms.DecimalField(label=_("Target"), max_digits=20, decimal_places=2)
    source_document = forms.CharField(label=_("Source document"), max_length=100)
    source_location = forms.CharField(label=_("Location in source"), max_length=255)
    quote = forms.CharField(label=_("Quotation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
