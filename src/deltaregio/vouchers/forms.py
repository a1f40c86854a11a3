"""Forms of the voucher pages. They check the shape of the input; the services decide whether the step
may happen and say why not (their refusals are shown on the field they name)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deltaregio.directory.models import Organisation
from deltaregio.vouchers import selectors
from deltaregio.vouchers.models import RelatedPartyLink, SchemeMember, Status, Voucher, VoucherScheme
from deltaregio.vouchers.services import VoucherRefused, parse_amount


def _choices(form: forms.Form, name: str) -> Any:
    """A choice field of the form, to set its queryset or choices (typed Any for the type checker)."""
    return form.fields[name]


def add_refusal(form: forms.Form, refusal: VoucherRefused) -> None:
    """Show a service's refusal on the field it names (or above the form)."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)


class AmountField(forms.CharField):
    """An amount in euro: "9500", "9500.00" or, in Dutch notation, "9.500,00"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text", _("In euro, with at most two decimals (for example 9500.00 or 9.500,00).")
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        raw = super().clean(value)
        if raw in ("", None):
            return None
        text = str(raw).strip().replace("€", "").replace(" ", "")
        if "," in text:  # Dutch notation: dots group thousands, the comma separates the decimals
            text = text.replace(".", "").replace(",", ".")
        try:
            return parse_amount(text)
        except VoucherRefused as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class RequestForm(forms.Form):
    sme = OrganisationChoiceField(queryset=Organisation.objects.none(), label=_("Company"))
    provider = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Provider"),
        help_text=_("The project partner that will carry out the service."),
    )
    service_description = forms.CharField(
        label=_("Intended service"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("What the provider will do for you, and what you expect from it."),
    )
    scan_reference = forms.CharField(
        label=_("Reference of your scan"),
        required=False,
        max_length=100,
        help_text=_("Optional: the reference of your web scan result."),
    )
    intake_reference = forms.CharField(
        label=_("Reference of your intake conversation"), required=False, max_length=100
    )

    def __init__(self, *args: Any, scheme: VoucherScheme, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "sme").queryset = selectors.sme_organisations_for(user)
        _choices(self, "provider").queryset = selectors.eligible_providers(scheme=scheme).order_by("name")
        smes = list(_choices(self, "sme").queryset[:2])
        if len(smes) == 1:
            self.fields["sme"].initial = smes[0].pk


DECISIONS = [("approve", _("Approve")), ("refuse", _("Refuse"))]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Required for a refusal; it is written in the letter to the company."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the refusal."))
        return data


class BulkReviewForm(ReviewForm):
    vouchers = forms.ModelMultipleChoiceField(
        queryset=Voucher.objects.none(), label=_("Requests"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, scheme: VoucherScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "vouchers").queryset = Voucher.objects.filter(scheme=scheme, status=Status.REQUESTED)
        self.fields["vouchers"].error_messages["required"] = _("Select at least one request.")


class BulkIssueForm(forms.Form):
    vouchers = forms.ModelMultipleChoiceField(
        queryset=Voucher.objects.none(), label=_("Approved requests"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, scheme: VoucherScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "vouchers").queryset = Voucher.objects.filter(scheme=scheme, status=Status.APPROVED)
        self.fields["vouchers"].error_messages["required"] = _("Select at least one approved request.")


class SignForm(forms.Form):
    party = forms.ChoiceField(
        label=_("I sign for"),
        choices=[("sme", _("the company")), ("provider", _("the provider"))],
        widget=forms.HiddenInput,
    )
    document = forms.FileField(
        label=_("Signed assignment (PDF, optional)"),
        required=False,
        help_text=_("Upload the assignment signed by both parties, or confirm it without a file."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm that the assignment is signed by the company and the provider."),
        error_messages={"required": _("Confirm that the assignment is signed.")},
    )


class InvoiceForm(forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60)
    amount = AmountField(label=_("Invoice amount (EUR)"))


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=80,
        help_text=_("As on the voucher, for example FOKUS-7K3M-Q9TX-2HBD-R4W5."),
    )
    amount = AmountField(label=_("Amount to redeem (EUR)"))
    provider = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Redeem for"),
        required=False,
        help_text=_("Needed only if you act for several organisations."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "provider").queryset = selectors.provider_organisations_for(user)
        self.own = list(_choices(self, "provider").queryset[:2])
        if len(self.own) == 1:
            self.fields["provider"].initial = self.own[0].pk

    def clean_provider(self) -> Any:
        provider = self.cleaned_data.get("provider")
        if provider is None:
            if len(self.own) != 1:
                raise forms.ValidationError(_("Choose the organisation you redeem for."))
            provider = self.own[0]
        return provider


class CheckForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Check"),
        choices=[("accept", _("Accept for payment")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000)


class EnvelopeForm(forms.Form):
    amount = AmountField(label=_("Budget envelope (EUR)"))
    note = forms.CharField(
        label=_("Basis"),
        max_length=500,
        help_text=_("Where the amount comes from (a decision, a budget line)."),
    )


class RoundForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label=_("Closes on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=SchemeMember.Role.choices)
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.order_by("name"), label=_("Represents"), required=False
    )


class RelatedPartyForm(forms.Form):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.order_by("name"), label=_("Organisation")
    )
    related = OrganisationChoiceField(queryset=Organisation.objects.order_by("name"), label=_("Related to"))
    kind = forms.ChoiceField(label=_("Kind of link"), choices=RelatedPartyLink.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args: Any, own: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if own is not None:
            _choices(self, "organisation").queryset = own


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("all")), *Status.choices])
    provider = forms.ModelChoiceField(
        label=_("Provider"), required=False, queryset=Organisation.objects.none(), empty_label=_("all")
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    requested_from = forms.DateField(
        label=_("Requested from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    requested_to = forms.DateField(
        label=_("Requested until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, scheme: VoucherScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "provider").queryset = selectors.eligible_providers(scheme=scheme).order_by("name")
        _choices(self, "region").choices = [("", _("all"))] + [
            (r, r) for r in selectors.queue_regions(scheme=scheme)
        ]

    def filters(self) -> selectors.QueueFilters:
        if not self.is_valid():
            return selectors.QueueFilters()
        data = self.cleaned_data
        return selectors.QueueFilters(
            status=data.get("status") or "",
            provider=data["provider"].pk if data.get("provider") else None,
            region=data.get("region") or "",
            requested_from=data.get("requested_from"),
            requested_to=data.get("requested_to"),
            q=data.get("q") or "",
        )


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period comes after its start."))
        return data


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
