"""Pages where a programme officer configures a call as data: choose the call, then on one page the
set-up (steps, envelope, programme line, committee, sections per step), its rounds, criteria and
eligibility rules, and publish. Thin: the forms check the shape of the input, the services decide and
write (setup_save, round_add, criterion_add, rule_add, call_publish); a refusal is shown on the field
it names and nothing is saved. Only programme officers (`calls.manage_call`) may use these pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from deltaregio.calls import services
from deltaregio.calls.eligibility import RULE_TYPES
from deltaregio.calls.forms import (
    ChooseCallForm,
    CriterionForm,
    PublishForm,
    RoundForm,
    RuleForm,
    SetupForm,
    add_refusal,
)
from deltaregio.calls.models import SECTIONS, CallSetup
from deltaregio.funding import selectors as funding_selectors
from deltaregio.funding.models import Call
from deltaregio.web.access import allowed_for

MANAGE = "calls.manage_call"


def _call(code: str) -> Call:
    call = funding_selectors.call_list().filter(code=code).first()
    if call is None:
        raise Http404(_("There is no call with this code."))
    return call


def _existing_setup(call: Call) -> CallSetup | None:
    return (
        CallSetup.objects.filter(call=call)
        .select_related("committee", "programme_line")
        .prefetch_related("rounds", "criteria", "rules")
        .first()
    )


def _page(request: HttpRequest, call: Call, status: int = 200, **bound: forms.Form) -> HttpResponse:
    """The set-up page with the bound form that was refused (if any) and fresh forms for the rest."""
    setup = _existing_setup(call)
    setup_form = bound.get("setup_form") or SetupForm(initial=SetupForm.initial_for(setup))
    context: dict[str, Any] = {
        "call": call,
        "setup": setup,
        "setup_form": setup_form,
        "round_form": bound.get("round_form") or RoundForm(),
        "criterion_form": bound.get("criterion_form") or CriterionForm(),
        "rule_form": bound.get("rule_form") or RuleForm(),
        "publish_form": bound.get("publish_form") or PublishForm(),
        "rule_types": [(code, rule.label, rule.params_help) for code, rule in sorted(RULE_TYPES.items())],
        "rules": [
            (rule, RULE_TYPES[rule.kind].describe(rule.params) if rule.kind in RULE_TYPES else rule.kind)
            for rule in (setup.rules.all() if setup else [])
        ],
        "sections": [
            (step, [SECTIONS[s] for s in setup.sections_for(step)]) for step in range(1, setup.steps + 1)
        ]
        if setup
        else [],
    }
    return render(request, "calls/call_setup.html", context, status=status)


def _done(code: str, anchor: str) -> HttpResponse:
    return redirect(reverse("calls:call_setup", args=[code]) + f"#{anchor}")


@require_http_methods(["GET", "POST"])
@allowed_for(MANAGE)
def call_configure(request: HttpRequest) -> HttpResponse:
    """Programme officers: choose the call to configure."""
    source = request.POST if request.method == "POST" else (request.GET if "call" in request.GET else None)
    form = ChooseCallForm(source)
    if source is not None and form.is_valid():
        return redirect("calls:call_setup", code=form.cleaned_data["call"].code)
    return render(request, "calls/call_configure.html", {"form": form})


@require_http_methods(["GET", "POST"])
@allowed_for(MANAGE)
def call_setup(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers: the set-up of a call (created on the first save), with its rounds,
    criteria and rules."""
    call = _call(code)
    if request.method == "GET":
        return _page(request, call)
    form = SetupForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.setup_save(
                by=request.user,
                call=call,
                steps=data["steps"],
                envelope=data["envelope"].strip() or None,
                sections=form.sections(),
                committee=data["committee"],
                programme_line=data["programme_line"],
                note=data["note"],
                source_document=data["source_document"],
                source_location=data["source_location"],
            )
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, _("The set-up of the call is saved."))
            return _done(code, "setup")
    return _page(request, call, setup_form=form)


def _setup_of(call: Call) -> CallSetup:
    setup = _existing_setup(call)
    if setup is None:
        raise Http404(_("Save the set-up of the call first."))
    return setup


def _add(
    request: HttpRequest,
    code: str,
    form_class: type[forms.Form],
    add: Callable[..., Any],
    *,
    form_name: str,
    done: str,
    anchor: str,
) -> HttpResponse:
    """One small form of the set-up page: the form checks the input's shape, the service `add` decides
    (its keyword arguments are the form's fields); a refusal is shown on the field it names."""
    call = _call(code)
    setup = _setup_of(call)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            add(by=request.user, setup=setup, **form.cleaned_data)
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, done)
            return _done(code, anchor)
    return _page(request, call, 200, **{form_name: form})


@require_POST
@allowed_for(MANAGE)
def round_add(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers: add a round with its open and close moments (Brussels time)."""
    return _add(
        request,
        code,
        RoundForm,
        services.round_add,
        form_name="round_form",
        done=_("The round is added."),
        anchor="rounds",
    )


@require_POST
@allowed_for(MANAGE)
def criterion_add(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers: add an assessment criterion with its weight and scale."""
    return _add(
        request,
        code,
        CriterionForm,
        services.criterion_add,
        form_name="criterion_form",
        done=_("The criterion is added."),
        anchor="criteria",
    )


@require_POST
@allowed_for(MANAGE)
def rule_add(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers: add an eligibility rule of the library with its parameters."""
    return _add(
        request,
        code,
        RuleForm,
        services.rule_add,
        form_name="rule_form",
        done=_("The eligibility rule is added."),
        anchor="rules",
    )


@require_POST
@allowed_for(MANAGE)
def publish(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers: open the call to applicants; what is missing is listed above the button."""
    call = _call(code)
    setup = _setup_of(call)
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        services.call_publish(by=request.user, setup=setup)
    except ValidationError as exc:
        add_refusal(form, exc)
        return _page(request, call, publish_form=form)
    messages.success(request, _("The call is open."))
    return redirect("calls:call_detail", code=code)
