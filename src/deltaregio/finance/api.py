"""API for money (under /api/v1/finance/): budget lines and co-financing lines (read and write, as
rules.py allows), programme amounts (officers write), a project's budget summary, a programme's plan,
and the consistency findings. Errors use the API's one format; validation errors name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from deltaregio.api.base import PlainDecimalField, StrictQueryParametersMixin, source_field
from deltaregio.api.schema import ApiAutoSchema
from deltaregio.finance import selectors, services
from deltaregio.finance.findings import Severity
from deltaregio.finance.models import (
    BudgetLine,
    CoFinancingLine,
    ContributorType,
    CostCategory,
    FundingContribution,
    ProgrammeAmount,
)
from deltaregio.funding.models import Instrument
from deltaregio.projects.models import Partner, Project, WorkPackage
from deltaregio.projects.selectors import visible_projects
from deltaregio.sources.models import Unit

API_SOURCE = "API"


class FinancePermission(BasePermission):
    """Reads as `permission_required` allows (per object again); writes need a login, and then the
    view's add/change/delete permission on the partner or the object."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user.has_perm(view.permission_required))
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user.has_perm(view.permission_required, obj))
        perm = view.delete_permission if request.method == "DELETE" else view.change_permission
        return bool(request.user.has_perm(perm, obj))


def _drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "message_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class FinanceViewSet(StrictQueryParametersMixin, viewsets.GenericViewSet):
    """Strict query parameters and the client's language like the read-only endpoints, but writes are
    allowed where the view offers them."""

    permission_classes = [FinancePermission]
    permission_required: ClassVar[str]
    add_permission: ClassVar[str] = ""
    change_permission: ClassVar[str] = ""
    delete_permission: ClassVar[str] = ""
    audience: ClassVar[str | Promise | None] = None
    schema = ApiAutoSchema()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        viewsets.GenericViewSet.initial(self, request, *args, **kwargs)
        self.check_query_parameters(request)

    def allowed_query_parameters(self) -> set[str]:
        allowed = super().allowed_query_parameters()
        if self.request.method not in SAFE_METHODS:
            return (
                allowed
                - {"page", "page_size"}
                - set(getattr(getattr(self, "filterset_class", None), "base_filters", {}) or {})
            )
        return allowed


# --- budget lines -------------------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(
        slug_field="slug", queryset=Project.objects.all(), help_text=gettext_lazy("Slug of the project.")
    )
    partner = serializers.CharField(
        source="partner.organisation.slug",
        help_text=gettext_lazy("Slug of the partner's organisation (a partner of the project)."),
    )
    work_package = serializers.IntegerField(
        source="work_package.number", min_value=0, help_text=gettext_lazy("Number of the work package.")
    )
    year = serializers.IntegerField(help_text=gettext_lazy("A year within the project's period."))
    category = serializers.ChoiceField(choices=CostCategory.choices)
    amount = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        min_value=Decimal(0),
        help_text=gettext_lazy('Euro, at most two decimals, not negative (a string such as "1234.50").'),
    )
    source = source_field()
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "project",
            "partner",
            "work_package",
            "year",
            "category",
            "amount",
            "note",
            "source",
            "updated_at",
        ]
        read_only_fields = ["id"]


def _partner_and_wp(project: Project, data: dict[str, Any]) -> tuple[Partner, WorkPackage]:
    errors: dict[str, list[str]] = {}
    org_slug = data.get("partner", {}).get("organisation", {}).get("slug")
    number = data.get("work_package", {}).get("number")
    partner = project.partners.select_related("organisation").filter(organisation__slug=org_slug).first()
    if partner is None:
        errors["partner"] = [_("“%(value)s” is not a partner of this project.") % {"value": org_slug}]
    wp = project.work_packages.filter(number=number).first()
    if wp is None:
        errors["work_package"] = [_("The project has no work package %(number)s.") % {"number": number}]
    if errors:
        raise exceptions.ValidationError(errors)
    assert partner is not None and wp is not None
    return partner, wp


class BudgetLineFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="project__slug", help_text=gettext_lazy("Slug of a project."))
    year = filters.NumberFilter(field_name="year", help_text=gettext_lazy("A year."))
    category = filters.ChoiceFilter(choices=CostCategory.choices)

    class Meta:
        model = BudgetLine
        fields = ["project", "year", "category"]


@extend_schema_view(
    list=extend_schema(summary="List budget lines"),
    create=extend_schema(summary="Add a budget line"),
    retrieve=extend_schema(summary="One budget line"),
    update=extend_schema(summary="Replace a budget line"),
    partial_update=extend_schema(summary="Change a budget line"),
    destroy=extend_schema(summary="Remove a budget line"),
)
class BudgetLineViewSet(
    FinanceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """A project's budget per partner, work package, year and cost category, in euro."""

    permission_required = "finance.view_budgetline"
    add_permission = "finance.add_budgetline"
    change_permission = "finance.change_budgetline"
    delete_permission = "finance.delete_budgetline"
    audience = gettext_lazy(
        "A partner sees its own lines and changes them while the proposal or project allows edits; the "
        "lead partner sees all lines of its project; programme officers see all and change them until "
        "the project is closed. The public sees no lines (see the project budget for approved totals)."
    )
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter

    def get_queryset(self) -> QuerySet[BudgetLine]:
        return selectors.budget_lines_for(user=self.request.user)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        project: Project = data["project"]
        if not self.request.user.has_perm("projects.view_project", project):
            raise exceptions.ValidationError(
                {"project": [_("There is no project here, or you may not see it.")]}
            )
        partner, wp = _partner_and_wp(project, data)
        if not self.request.user.has_perm(self.add_permission, partner):
            raise exceptions.PermissionDenied(_("You may not change this budget (now)."))
        serializer.instance = self._save(partner=partner, wp=wp, data=data)

    def perform_update(self, serializer: Any) -> None:
        line: BudgetLine = serializer.instance
        data = serializer.validated_data
        project = data.get("project", line.project)
        if project.pk != line.project_id:
            raise exceptions.ValidationError({"project": [_("A line cannot move to another project.")]})
        merged = {
            "partner": data.get("partner", {"organisation": {"slug": line.partner.organisation.slug}}),
            "work_package": data.get("work_package", {"number": line.work_package.number}),
        }
        partner, wp = _partner_and_wp(project, merged)
        if not self.request.user.has_perm(self.change_permission, partner):
            raise exceptions.PermissionDenied(_("You may not change this budget (now)."))
        values = {
            "year": data.get("year", line.year),
            "category": data.get("category", line.category),
            "amount": data.get("amount", line.amount),
            "note": data.get("note", line.note),
        }
        serializer.instance = self._save(partner=partner, wp=wp, data=values, line=line)

    def _save(
        self, *, partner: Partner, wp: WorkPackage, data: dict[str, Any], line: BudgetLine | None = None
    ) -> BudgetLine:
        try:
            return services.budget_line_save(
                by=self.request.user,
                partner=partner,
                work_package=wp,
                year=data["year"],
                category=data["category"],
                amount=data["amount"],
                note=data.get("note", "") or "",
                line=line,
                source_document=API_SOURCE,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc

    def perform_destroy(self, instance: BudgetLine) -> None:
        try:
            services.budget_line_delete(by=self.request.user, line=instance)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc


# --- co-financing lines -------------------------------------------------------------------------------


class CoFinancingLineSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(
        slug_field="slug", queryset=Project.objects.all(), help_text=gettext_lazy("Slug of the project.")
    )
    partner = serializers.CharField(
        source="partner.organisation.slug",
        help_text=gettext_lazy("Slug of the partner's organisation (a partner of the project)."),
    )
    funding_source_kind = serializers.ChoiceField(
        source="source_kind",
        choices=FundingContribution.SourceKind.choices,
        help_text=gettext_lazy("Kind of source: EU fund, government, own contribution, other."),
    )
    instrument = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Instrument.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Code of the funding instrument, if any."),
    )
    rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Share of the partner's budget in percent (0 to 100)."),
    )
    amount = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Euro, at most two decimals, not negative."),
    )
    provenance = source_field()
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = CoFinancingLine
        fields = [
            "id",
            "project",
            "partner",
            "funding_source_kind",
            "source",
            "instrument",
            "rate",
            "amount",
            "note",
            "provenance",
            "updated_at",
        ]
        read_only_fields = ["id"]


class CoFinancingLineFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="project__slug", help_text=gettext_lazy("Slug of a project."))
    funding_source_kind = filters.ChoiceFilter(
        field_name="source_kind", choices=FundingContribution.SourceKind.choices
    )

    class Meta:
        model = CoFinancingLine
        fields = ["project", "funding_source_kind"]


@extend_schema_view(
    list=extend_schema(summary="List co-financing lines"),
    create=extend_schema(summary="Add a co-financing line"),
    retrieve=extend_schema(summary="One co-financing line"),
    update=extend_schema(summary="Replace a co-financing line"),
    partial_update=extend_schema(summary="Change a co-financing line"),
    destroy=extend_schema(summary="Remove a co-financing line"),
)
class CoFinancingLineViewSet(
    FinanceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """A partner's co-financing plan: per source (EU fund, government, own means, other) a rate of the
    partner's budget and/or an amount."""

    permission_required = "finance.view_cofinancingline"
    add_permission = "finance.add_cofinancingline"
    change_permission = "finance.change_cofinancingline"
    delete_permission = "finance.delete_cofinancingline"
    audience = BudgetLineViewSet.audience
    serializer_class = CoFinancingLineSerializer
    filterset_class = CoFinancingLineFilter

    def get_queryset(self) -> QuerySet[CoFinancingLine]:
        return selectors.co_financing_lines_for(user=self.request.user)

    def _save(
        self, *, partner: Partner, data: dict[str, Any], line: CoFinancingLine | None = None
    ) -> CoFinancingLine:
        try:
            return services.co_financing_line_save(
                by=self.request.user,
                partner=partner,
                source_kind=data["source_kind"],
                source=data["source"],
                instrument=data.get("instrument"),
                rate=data.get("rate"),
                amount=data.get("amount"),
                note=data.get("note", "") or "",
                line=line,
                source_document=API_SOURCE,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc

    def _partner(self, project: Project, org_slug: Any) -> Partner:
        partner = project.partners.select_related("organisation").filter(organisation__slug=org_slug).first()
        if partner is None:
            raise exceptions.ValidationError(
                {"partner": [_("“%(value)s” is not a partner of this project.") % {"value": org_slug}]}
            )
        return partner

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        project: Project = data["project"]
        if not self.request.user.has_perm("projects.view_project", project):
            raise exceptions.ValidationError(
                {"project": [_("There is no project here, or you may not see it.")]}
            )
        partner = self._partner(project, data["partner"]["organisation"]["slug"])
        if not self.request.user.has_perm(self.add_permission, partner):
            raise exceptions.PermissionDenied(_("You may not change this budget (now)."))
        serializer.instance = self._save(partner=partner, data=data)

    def perform_update(self, serializer: Any) -> None:
        line: CoFinancingLine = serializer.instance
        data = serializer.validated_data
        if data.get("project", line.project).pk != line.project_id:
            raise exceptions.ValidationError({"project": [_("A line cannot move to another project.")]})
        partner = self._partner(
            line.project,
            data.get("partner", {}).get("organisation", {}).get("slug", line.partner.organisation.slug),
        )
        if not self.request.user.has_perm(self.change_permission, partner):
            raise exceptions.PermissionDenied(_("You may not change this budget (now)."))
        values = {
            "source_kind": data.get("source_kind", line.source_kind),
            "source": data.get("source", line.source),
            "instrument": data.get("instrument", line.instrument),
            "rate": data.get("rate", line.rate),
            "amount": data.get("amount", line.amount),
            "note": data.get("note", line.note),
        }
        serializer.instance = self._save(partner=partner, data=values, line=line)

    def perform_destroy(self, instance: CoFinancingLine) -> None:
        try:
            services.co_financing_line_delete(by=self.request.user, line=instance)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc


# --- programme amounts -------------------------------------------------------------------------------


class ProgrammeAmountSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=Instrument.objects.all(), help_text=gettext_lazy("Code of the programme.")
    )
    kind = serializers.ChoiceField(choices=ProgrammeAmount.Kind.choices)
    contributor = serializers.ChoiceField(choices=ContributorType.choices)
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    amount = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        min_value=Decimal(0),
        help_text=gettext_lazy("In `unit`, at most two decimals, not negative."),
    )
    unit = serializers.ChoiceField(choices=Unit.choices, default=Unit.EUR)
    source = source_field()

    class Meta:
        model = ProgrammeAmount
        fields = [
            "id",
            "programme",
            "kind",
            "scenario",
            "year",
            "contributor",
            "amount",
            "unit",
            "note",
            "source",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_at"]


class ProgrammeAmountFilter(filters.FilterSet):
    programme = filters.CharFilter(
        field_name="programme__code", help_text=gettext_lazy("Code of a programme.")
    )
    kind = filters.ChoiceFilter(choices=ProgrammeAmount.Kind.choices)

    class Meta:
        model = ProgrammeAmount
        fields = ["programme", "kind"]


@extend_schema_view(
    list=extend_schema(summary="List programme amounts"),
    create=extend_schema(summary="Record a programme amount"),
    retrieve=extend_schema(summary="One programme amount"),
    update=extend_schema(summary="Replace a programme amount"),
    partial_update=extend_schema(summary="Change a programme amount"),
    destroy=extend_schema(summary="Remove a programme amount"),
)
class ProgrammeAmountViewSet(
    FinanceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Amounts of a programme's multi-year plan per year and contributor type: realised as they come in,
    or planned where no published table gives the plan."""

    permission_required = "finance.view_programmeamount"
    add_permission = "finance.add_programmeamount"
    change_permission = "finance.change_programmeamount"
    delete_permission = "finance.delete_programmeamount"
    audience = gettext_lazy("Everyone reads; programme officers record, change and remove.")
    serializer_class = ProgrammeAmountSerializer
    filterset_class = ProgrammeAmountFilter

    def get_queryset(self) -> QuerySet[ProgrammeAmount]:
        return selectors.programme_amount_list()

    def _save(self, data: dict[str, Any], record: ProgrammeAmount | None = None) -> ProgrammeAmount:
        try:
            return services.programme_amount_save(
                by=self.request.user,
                programme=data["programme"],
                kind=data["kind"],
                scenario=data.get("scenario", "") or "",
                year=data["year"],
                contributor=data["contributor"],
                amount=data["amount"],
                unit=data.get("unit", Unit.EUR),
                note=data.get("note", "") or "",
                record=record,
                source_document=API_SOURCE,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc

    def perform_create(self, serializer: Any) -> None:
        if not self.request.user.has_perm(self.add_permission):
            raise exceptions.PermissionDenied()
        serializer.instance = self._save(serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        record: ProgrammeAmount = serializer.instance
        data = {
            field: serializer.validated_data.get(field, getattr(record, field))
            for field in ("programme", "kind", "scenario", "year", "contributor", "amount", "unit", "note")
        }
        serializer.instance = self._save(data, record)

    def perform_destroy(self, instance: ProgrammeAmount) -> None:
        try:
            services.programme_amount_delete(by=self.request.user, record=instance)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc


# --- findings -----------------------------------------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField(help_text=gettext_lazy("Exact decimal (or ISO date) as a string."))
    text = serializers.CharField(help_text=gettext_lazy("The figure as published or entered."))
    unit = serializers.CharField()
    uncertainty = serializers.CharField(help_text=gettext_lazy("Half the rounding unit, in `unit`."))
    source = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(), help_text=gettext_lazy("document and location")
    )


class FindingSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=gettext_lazy("Stable identifier of the compared relation."))
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=list(Severity.RANK))
    within_rounding = serializers.BooleanField()
    message = serializers.CharField()
    project = serializers.CharField(allow_null=True)
    programme = serializers.CharField(allow_null=True)
    expected = serializers.CharField()
    actual = serializers.CharField()
    difference = serializers.CharField()
    tolerance = serializers.CharField()
    unit = serializers.CharField()
    explanation = serializers.CharField()
    figures = FigureSerializer(many=True)


FINDING_PARAMETERS = [
    OpenApiParameter("project", OpenApiTypes.STR, description="Slug of a project visible to you."),
    OpenApiParameter("programme", OpenApiTypes.STR, description="Code of a programme (instrument)."),
    OpenApiParameter(
        "severity", OpenApiTypes.STR, enum=list(Severity.RANK), description="Only this severity."
    ),
    OpenApiParameter(
        "within_rounding",
        OpenApiTypes.BOOL,
        description="true: list the comparisons that agree within rounding instead of the findings.",
    ),
]


class FindingViewSet(FinanceViewSet, mixins.ListModelMixin):
    """The consistency findings, most serious first: sums, shares and rates that disagree beyond the
    rounding of their figures, the same quantity stated differently, impossible values."""

    permission_required = "finance.view_findings"
    audience = gettext_lazy(
        "Everyone, for published figures and projects visible to them; findings about budget lines only "
        "for those who may see the lines."
    )
    serializer_class = FindingSerializer
    extra_query_parameters = frozenset({"project", "programme", "severity", "within_rounding"})
    filter_backends = []

    def get_queryset(self) -> Any:
        return []

    @extend_schema(parameters=FINDING_PARAMETERS, responses=FindingSerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        project = programme = None
        if params.get("project"):
            project = visible_projects(request.user).filter(slug=params["project"]).first()
            if project is None:
                errors["project"] = [
                    _("There is no project “%(value)s” visible to you.") % {"value": params["project"]}
                ]
        if params.get("programme"):
            programme = Instrument.objects.filter(code=params["programme"]).first()
            if programme is None:
                errors["programme"] = [
                    _("There is no programme “%(value)s”.") % {"value": params["programme"]}
                ]
        severity = params.get("severity", "")
        if severity and severity not in Severity.RANK:
            errors["severity"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Severity.RANK)}]
        within = params.get("within_rounding", "false").lower()
        if within not in {"true", "false", "1", "0"}:
            errors["within_rounding"] = [_("Write true or false.")]
        if project is not None and programme is not None:
            errors["programme"] = [_("Give a project or a programme, not both.")]
        if errors:
            raise exceptions.ValidationError(errors)
        report = selectors.budget_findings(user=request.user, project=project, programme=programme)
        items = report.within_rounding if within in {"true", "1"} else report.findings
        if severity:
            items = [f for f in items if f.severity == severity]
        page = self.paginate_queryset([f.as_dict() for f in items])
        assert page is not None
        return self.get_paginated_response(page)


# --- a project's budget and a programme's plan ----------------------------------------------------------


class AmountCellSerializer(serializers.Serializer):
    work_package = serializers.IntegerField()
    partner = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("Organisation slug; null in totals.")
    )
    year = serializers.IntegerField()
    amount = PlainDecimalField(max_digits=20, decimal_places=2)


class ProjectBudgetSerializer(serializers.Serializer):
    project = serializers.CharField()
    total_cost = PlainDecimalField(max_digits=20, decimal_places=2, allow_null=True)
    cost_unit = serializers.CharField()
    work_packages = serializers.ListField(child=serializers.DictField())
    contributions = serializers.ListField(child=serializers.DictField())
    lines_shown = serializers.ChoiceField(
        choices=["all", "own", "totals", "none"],
        help_text=gettext_lazy(
            "all: every partner's amounts; own: your organisation's; totals: per work package and year only."
        ),
    )
    amounts = AmountCellSerializer(many=True)
    findings = serializers.IntegerField(help_text=gettext_lazy("Number of findings you may see."))


class ProjectBudgetViewSet(FinanceViewSet):
    """A project's budget: the published work packages and contributions, and the amounts per work
    package, year (and partner, for those who may see lines)."""

    permission_required = "finance.view_project_budget"
    audience = gettext_lazy(
        "Everyone for a published project: its published budget, and its totals once approved; partners "
        "also their own amounts, the lead partner and officers everyone's."
    )
    lookup_field = "slug"
    filter_backends = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[Project]:
        return visible_projects(self.request.user)

    @extend_schema(responses=ProjectBudgetSerializer)
    def retrieve(self, request: Request, slug: str) -> Response:
        project = self.get_queryset().filter(slug=slug).first()
        if project is None:
            raise Http404
        user = request.user
        if user.has_perm("finance.view_all_budgetlines", project):
            shown, lines, by_partner = "all", selectors.budget_lines_for(user=user, project=project), True
        elif user.has_perm("finance.view_budgetline", project):
            shown, lines, by_partner = "own", selectors.budget_lines_for(user=user, project=project), True
        elif user.has_perm("finance.view_budget_totals", project):
            shown, lines, by_partner = "totals", selectors.project_lines(project=project), False
        else:
            shown, lines, by_partner = "none", selectors.project_lines(project=project).none(), False
        amounts = selectors.budget_amounts(lines=lines, by_partner=by_partner)
        body = {
            "project": project.slug,
            "total_cost": project.total_cost,
            "cost_unit": project.cost_unit,
            "work_packages": [
                {
                    "number": wp.number,
                    "title": wp.title,
                    "budget": None if wp.budget is None else f"{wp.budget:.2f}",
                    "share": None if wp.share is None else f"{wp.share.normalize():f}",
                    "start_date": wp.start_date.isoformat() if wp.start_date else None,
                    "end_date": wp.end_date.isoformat() if wp.end_date else None,
                    "source": wp.source_dict(),
                }
                for wp in project.work_packages.order_by("number")
            ],
            "contributions": [
                {
                    "source": c.source,
                    "source_kind": c.source_kind,
                    "amount": None if c.amount is None else f"{c.amount.normalize():f}",
                    "unit": c.unit,
                    "rate": None if c.share is None else f"{c.share.normalize():f}",
                    "basis_amount": None if c.basis_amount is None else f"{c.basis_amount.normalize():f}",
                    "status": c.status,
                    "provenance": c.source_dict(),
                }
                for c in project.funding.order_by("id")
            ],
            "lines_shown": shown,
            "amounts": amounts,
            "findings": len(selectors.budget_findings(user=user, project=project).findings),
        }
        return Response(ProjectBudgetSerializer(body).data, status=status.HTTP_200_OK)


class ProgrammePlanSerializer(serializers.Serializer):
    programme = serializers.CharField()
    unit = serializers.CharField()
    years = serializers.ListField(child=serializers.CharField())
    source_table = serializers.CharField(allow_null=True)
    planned = serializers.ListField(child=serializers.DictField())
    programme_total = serializers.DictField(allow_null=True)
    realised = serializers.ListField(child=serializers.DictField())


class ProgrammePlanViewSet(FinanceViewSet):
    """A programme's multi-year plan per year and contributor type, exactly as published (value and the
    printed text), and the amounts realised so far."""

    permission_required = "finance.view_programme_budget"
    lookup_field = "code"
    filter_backends = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[Instrument]:
        return Instrument.objects.all()

    @extend_schema(responses=ProgrammePlanSerializer)
    def retrieve(self, request: Request, code: str) -> Response:
        programme = self.get_queryset().filter(code=code).first()
        if programme is None:
            raise Http404
        plan = selectors.programme_plan(programme=programme)

        def line(plan_line: Any) -> dict[str, Any]:
            def cell(c: Any) -> dict[str, Any] | None:
                if c is None:
                    return None
                return {
                    "value": None if c.value is None else f"{c.value.normalize():f}",
                    "text": c.text,
                    "source": c.source.as_dict(),
                }

            return {
                "scenario": plan_line.scenario,
                "contributor": plan_line.contributor or None,
                "label": plan_line.label,
                "values": {
                    year: cell(plan_line.cells.get(year)) for year in plan.years if year in plan_line.cells
                },
                "total": cell(plan_line.total),
            }

        body = {
            "programme": programme.code,
            "unit": plan.unit,
            "years": plan.years,
            "source_table": plan.table.code if plan.table else None,
            "planned": [line(p) for p in plan.lines],
            "programme_total": line(plan.programme_total) if plan.programme_total else None,
            "realised": [
                {
                    "year": a.year,
                    "contributor": a.contributor,
                    "amount": f"{a.amount:.2f}",
                    "unit": a.unit,
                    "source": a.source_dict(),
                }
                for a in plan.realised
            ],
        }
        return Response(ProgrammePlanSerializer(body).data)
