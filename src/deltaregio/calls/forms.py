"""Forms of the call configuration pages. They check the shape of the input (a number, a moment, JSON);
the services in services.py decide whether the configuration holds, and their refusals are shown on
the field they name (`add_refusal`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deltaregio.calls.eligibility import RULE_TYPES
from deltaregio.calls.models import SECTIONS, CallSetup, Committee
from deltaregio.funding import selectors as funding_selectors

#: Open and close moments are entered as local time in Brussels, whatever the server's time zone.
BRUSSELS = ZoneInfo("Europe/Brussels")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
STEP_CHOICES = [(1, _("step 1")), (2, _("step 2"))]


def add_refusal(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the fields it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, problems in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, exc.messages)


class PageForm(forms.Form):
    """A form of a page that holds several: its ids start with `id_prefix`, so they stay unique
    while the field names (what is posted) stay plain."""

    id_prefix = "f"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class BrusselsMomentField(forms.Field):
    """A moment to the second, entered as local time in Europe/Brussels (YYYY-MM-DD HH:MM:SS)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S")

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        for fmt in MOMENT_FORMATS:
            try:
                naive = dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            moment = naive.replace(tzinfo=BRUSSELS)
            # A local time that the clock skips or passes twice (summer time) is refused, not guessed.
            if timezone._datetime_ambiguous_or_imaginary(naive, BRUSSELS):  # type: ignore[attr-defined]
                raise ValidationError(
                    _("%(value)s does not exist or occurs twice in Brussels (change of clock).")
                    % {"value": text},
                    code="ambiguous",
                )
            return moment
        raise ValidationError(
            _("%(value)s is not a moment (YYYY-MM-DD HH:MM:SS).") % {"value": text}, code="invalid"
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value.astimezone(BRUSSELS).replace(tzinfo=None)
        return value


class ChooseCallForm(forms.Form):
    call = forms.ModelChoiceField(
        label=_("Call"), queryset=funding_selectors.call_list(), to_field_name="code", empty_label=None
    )


class SetupForm(PageForm):
    id_prefix = "setup"
    steps = forms.TypedChoiceField(
        label=_("Steps"), choices=CallSetup.Steps.choices, coerce=int, widget=forms.RadioSelect
    )
    programme_line = forms.ModelChoiceField(
        label=_("Programme line"),
        queryset=funding_selectors.instrument_list(),
        required=False,
        help_text=_("The line of the programme the call belongs to, if any."),
    )
    envelope = forms.CharField(
        label=_("Budget envelope (EUR)"),
        required=False,
        max_length=30,
        help_text=_("In euro, with at most two decimals (for example 1200000.00); empty when not published."),
    )
    committee = forms.ModelChoiceField(
        label=_("Deciding committee"), queryset=Committee.objects.order_by("name"), required=False
    )
    sections_1 = forms.MultipleChoiceField(
        label=_("Sections asked in step 1"),
        choices=list(SECTIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every section is asked."),
    )
    sections_2 = forms.MultipleChoiceField(
        label=_("Sections asked in step 2 (two-step calls)"),
        choices=list(SECTIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every section is asked."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source_document = forms.CharField(label=_("Source document"), required=False, max_length=200)
    source_location = forms.CharField(label=_("Where in the source"), required=False, max_length=300)

    def sections(self) -> dict[str, list[str]]:
        """The sections per step, only for the steps the call has and only where some are chosen."""
        data = self.cleaned_data
        chosen = {"1": data.get("sections_1") or [], "2": data.get("sections_2") or []}
        return {step: names for step, names in chosen.items() if names and int(step) <= data["steps"]}

    @classmethod
    def initial_for(cls, setup: CallSetup | None) -> dict[str, Any]:
        if setup is None:
            return {"steps": CallSetup.Steps.ONE}
        sections = setup.sections if isinstance(setup.sections, dict) else {}
        return {
            "steps": setup.steps,
            "programme_line": setup.programme_line_id,
            "envelope": "" if setup.envelope is None else f"{setup.envelope:.2f}",
            "committee": setup.committee_id,
            "sections_1": sections.get("1", []),
            "sections_2": sections.get("2", []),
            "note": setup.note,
            "source_document": setup.source_document,
            "source_location": setup.source_location,
        }


class RoundForm(PageForm):
    id_prefix = "round"
    step = forms.TypedChoiceField(label=_("Step"), choices=STEP_CHOICES, coerce=int)
    number = forms.IntegerField(label=_("Round"), min_value=1, max_value=99, initial=1)
    opens_at = BrusselsMomentField(
        label=_("Opens at (Brussels time)"),
        help_text=_("Date and time to the second, e.g. 2027-01-15 09:00:00."),
    )
    closes_at = BrusselsMomentField(
        label=_("Closes at (Brussels time)"),
        help_text=_("Date and time to the second, e.g. 2027-03-31 17:00:00."),
    )


class CriterionForm(PageForm):
    id_prefix = "criterion"
    step = forms.TypedChoiceField(label=_("Step"), choices=STEP_CHOICES, coerce=int)
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits and hyphens, e.g. quality.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=2, initial=1)
    scale_min = forms.IntegerField(label=_("Lowest score"), min_value=0, max_value=100, initial=0)
    scale_max = forms.IntegerField(label=_("Highest score"), min_value=0, max_value=100, initial=5)


class RuleForm(PageForm):
    id_prefix = "rule"
    kind = forms.ChoiceField(label=_("Rule type"), choices=[])
    params = forms.CharField(
        label=_("Parameters (JSON)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The parameters of the rule type as a JSON object; each type's parameters are listed above."
        ),
    )
    step = forms.TypedChoiceField(
        label=_("Applies to"),
        choices=[("", _("every step")), *STEP_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    source_document = forms.CharField(label=_("Source document"), required=False, max_length=200)
    source_location = forms.CharField(label=_("Where in the source"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = [(code, f"{rule.label} ({code})") for code, rule in sorted(RULE_TYPES.items())]

    def clean_params(self) -> Any:
        text = self.cleaned_data["params"]
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValidationError(
                _("This is not valid JSON: %(problem)s.") % {"problem": exc}, code="invalid"
            ) from exc


class PublishForm(PageForm):
    """No fields: publishing is one button; the service's refusals are shown above it."""

    id_prefix = "publish"
