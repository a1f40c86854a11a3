"""Forms of the funnel pages. They check the input and name the field; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deltaregio.directory.models import Lab, Organisation
from deltaregio.funnel.models import Journey, SmeQuestion, Technology, Topic, Trajectory

REGIONS = [
    (
        "BE",
        [
            ("Antwerpen", "Antwerpen"),
            ("Limburg", "Limburg (BE)"),
            ("Oost-Vlaanderen", "Oost-Vlaanderen"),
            ("Vlaams-Brabant", "Vlaams-Brabant"),
            ("West-Vlaanderen", "West-Vlaanderen"),
            ("Brussel", "Brussel"),
            ("Wallonië", "Wallonië"),
        ],
    ),
    (
        "NL",
        [
            ("Zeeland", "Zeeland"),
            ("Noord-Brabant", "Noord-Brabant"),
            ("Limburg", "Limburg (NL)"),
            ("Zuid-Holland", "Zuid-Holland"),
            ("Gelderland", "Gelderland"),
            ("Utrecht", "Utrecht"),
            ("Noord-Holland", "Noord-Holland"),
            ("Overijssel", "Overijssel"),
            ("Flevoland", "Flevoland"),
            ("Drenthe", "Drenthe"),
            ("Friesland", "Friesland"),
            ("Groningen", "Groningen"),
        ],
    ),
]
COUNTRIES = [("BE", _("Belgium")), ("NL", _("the Netherlands"))]


def region_choices() -> list[Any]:
    names = dict(COUNTRIES)
    return [("", _("choose a province"))] + [
        (names[code], [(f"{code}:{value}", label) for value, label in regions]) for code, regions in REGIONS
    ]


class SubmitForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    region = forms.ChoiceField(label=_("Province"), choices=region_choices)
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a link to this address; your result is stored once you open it."),
    )
    contact_consent = forms.BooleanField(label=_("A Fokus partner may contact us"), required=False)

    def country_region(self) -> tuple[str, str]:
        country, _sep, region = self.cleaned_data["region"].partition(":")
        return country, region


def _tag_field(choices: Any, label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class IntakeForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    held_on = forms.DateField(
        label=_("Date of the conversation"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    topics = _tag_field(Topic.choices, _("Topics"))
    technologies = _tag_field(Technology.choices, _("Technologies"))
    questions = forms.CharField(
        label=_("Questions the company raised"),
        help_text=_("One question per line; workshops cluster similar questions of several companies."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        if held_on > dt.date.today():
            raise forms.ValidationError(
                _("An intake is recorded after it was held; the date is in the future.")
            )
        return held_on

    def question_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("questions", "").splitlines() if line.strip()]


class TrajectoryForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Practice lab"), queryset=Lab.objects.none())
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, labs: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("A trajectory ends on or after its start."))
        return data


ACTION_ROWS = 5


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    trajectory = forms.ModelChoiceField(
        label=_("Lab trajectory"), queryset=Trajectory.objects.none(), required=False
    )
    situation = forms.CharField(label=_("Current situation"), widget=forms.Textarea(attrs={"rows": 4}))
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 3}))
    indicators = forms.CharField(
        label=_("Indicators"),
        help_text=_("How progress is measured."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    investment = forms.DecimalField(
        label=_("Investment (EUR)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, partners: Any, trajectories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        self.fields["trajectory"].queryset = trajectories  # type: ignore[attr-defined]
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Action %(n)d") % {"n": i}, required=False, max_length=300
            )
            self.fields[f"owner_{i}"] = forms.CharField(
                label=_("Who, action %(n)d") % {"n": i}, required=False, max_length=120
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("By when, action %(n)d") % {"n": i},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"cost_{i}"] = forms.DecimalField(
                label=_("Cost in EUR, action %(n)d") % {"n": i},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
            )

    def action_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{i}"] for name in ("action", "owner", "due", "cost")]
            for i in range(1, ACTION_ROWS + 1)
        ]

    def actions(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        rows = []
        for i in range(1, ACTION_ROWS + 1):
            if data.get(f"action_{i}"):
                due, cost = data.get(f"due_{i}"), data.get(f"cost_{i}")
                rows.append(
                    {
                        "action": data[f"action_{i}"],
                        "owner": data.get(f"owner_{i}", ""),
                        "due": due.isoformat() if due else "",
                        "cost": str(cost) if cost is not None else "",
                    }
                )
        return rows


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    lab = forms.ModelChoiceField(label=_("Practice lab"), queryset=Lab.objects.none())
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    questions = forms.ModelMultipleChoiceField(
        label=_("Clustered questions it answers"),
        queryset=SmeQuestion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, labs: Any, questions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs  # type: ignore[attr-defined]
        self.fields["questions"].queryset = questions  # type: ignore[attr-defined]


class RegistrationForm(forms.Form):
    journey = forms.ModelChoiceField(label=_("Company"), queryset=Journey.objects.none())

    def __init__(self, *args: Any, journeys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journey"].queryset = journeys  # type: ignore[attr-defined]


class AssignPartnerForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Assigned partner"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]


class FunnelFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ChoiceField(label=_("Region"), required=False)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Organisation.objects.none(), required=False, to_field_name="slug"
    )
    band = forms.ChoiceField(label=_("Questionnaire band"), required=False)

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        partners: Any,
        bands: list[tuple[str, str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("all regions"))] + [  # type: ignore[attr-defined]
            (f"{country}:{region}", f"{region} ({country})") for country, region in regions
        ]
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        self.fields["partner"].empty_label = _("all partners")  # type: ignore[attr-defined]
        self.fields["band"].choices = [("", _("all bands"))] + [  # type: ignore[attr-defined]
            (f"{slug}:{code}", label) for slug, code, label in bands
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data
