"""API of monitoring, under /api/v1/: indicators (with targets and the current value), measurements
(read; officers and project partners enter them with POST) and the dashboard figures. Refusals use the
one error format: 400 with `fields` for bad input, 403 when the user may not enter the value."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from deltaregio.api.base import (
    PlainDecimalField,
    ReadOnlyApiViewSet,
    ReadOnlyListViewSet,
    StrictQueryParametersMixin,
    source_field,
)
from deltaregio.monitoring import selectors, services
from deltaregio.monitoring.models import Indicator, Measurement, Target

CODE_HELP = {
    "unit": "count | percent | EUR | MEUR | BEUR | persons | fte",
    "kind": "output | result | impact",
    "level": "project | call | programme | theme | region",
    "method": "entered | computed",
    "moment": "continuous | yearly | project_end | one_year_after | programme_end",
}


class IndicatorTargetSerializer(serializers.ModelSerializer[Target]):
    value = PlainDecimalField(max_digits=20, decimal_places=2)
    source = source_field()

    class Meta:
        model = Target
        fields = ["year", "value", "value_text", "recurring", "quote", "note", "source"]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    name = serializers.CharField(source="name_nl")
    definition = serializers.CharField(source="definition_nl")
    project: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    programme: Any = serializers.SlugRelatedField(source="instrument", slug_field="code", read_only=True)
    theme: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    baseline_value = PlainDecimalField(max_digits=20, decimal_places=2, allow_null=True)
    # codes as plain strings (their lists are in the model documentation), so that their names do not
    # collide with other domains' enumerations in the OpenAPI description
    framework = serializers.CharField(read_only=True)
    unit: Any = serializers.CharField(read_only=True, help_text=CODE_HELP["unit"])
    kind = serializers.CharField(read_only=True, help_text=CODE_HELP["kind"])
    level = serializers.CharField(read_only=True, help_text=CODE_HELP["level"])
    method = serializers.CharField(read_only=True, help_text=CODE_HELP["method"])
    moment = serializers.CharField(read_only=True, help_text=CODE_HELP["moment"])
    targets = IndicatorTargetSerializer(many=True, read_only=True)
    current_value = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "definition",
            "definition_en",
            "framework",
            "unit",
            "kind",
            "level",
            "method",
            "computation",
            "moment",
            "period_start",
            "period_end",
            "baseline_value",
            "baseline_year",
            "project",
            "programme",
            "theme",
            "last_computed_at",
            "current_value",
            "targets",
            "source",
        ]

    def get_current_value(self, obj: Indicator) -> str | None:
        measurements = [m for m in obj.measurements.all() if m.project_id == obj.project_id]
        current = selectors._current(measurements)
        return None if current is None else format(current.value.normalize(), "f")


class MeasurementSerializer(serializers.ModelSerializer[Measurement]):
    indicator: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    project: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    value = PlainDecimalField(max_digits=20, decimal_places=2)
    source: Any = serializers.CharField(source="source_document")
    unit: Any = serializers.CharField(read_only=True)
    origin = serializers.CharField(read_only=True, help_text="entered | computed")

    class Meta:
        model = Measurement
        fields = [
            "id",
            "indicator",
            "project",
            "date",
            "value",
            "unit",
            "origin",
            "source",
            "note",
            "conflict",
        ]


class MeasurementInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=gettext_lazy("The indicator's code, e.g. RCR03."))
    project = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("A project's slug.")
    )
    date = serializers.DateField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2)
    unit: Any = serializers.CharField(help_text=CODE_HELP["unit"])
    source: Any = serializers.CharField(required=False, allow_blank=True, max_length=100)
    note = serializers.CharField(required=False, allow_blank=True)


class IndicatorViewSet(ReadOnlyApiViewSet):
    """Published indicators for everyone; all for programme officers."""

    permission_required = "monitoring.view_indicator"
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        return selectors.indicator_list(user=self.request.user)


class MeasurementPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user.has_perm("monitoring.view_dashboard"))
        return bool(request.user and request.user.is_authenticated)


class MeasurementViewSet(ReadOnlyApiViewSet):
    """Measurements of published indicators for everyone (of projects the user may see); POST enters
    one: programme officers for anything, a project's partners for their own project."""

    permission_required = "monitoring.view_dashboard"
    permission_classes = [MeasurementPermission]
    serializer_class = MeasurementSerializer

    def get_queryset(self) -> Any:
        return selectors.measurement_list(user=self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method == "POST" and getattr(self, "action", None) == "create":
            # past StrictQueryParametersMixin, which refuses every write: this one is entered here
            super(StrictQueryParametersMixin, self).initial(request, *args, **kwargs)
            self.check_query_parameters(request)
            return
        super().initial(request, *args, **kwargs)

    @extend_schema(request=MeasurementInputSerializer, responses={201: MeasurementSerializer})
    def create(self, request: Request) -> Response:
        from deltaregio.projects.selectors import visible_projects

        data = MeasurementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        indicator = Indicator.objects.filter(code=values["indicator"]).first()
        if indicator is None or not request.user.has_perm("monitoring.view_indicator", indicator):
            raise exceptions.ValidationError({"indicator": [gettext_lazy("No indicator with this code.")]})
        project = None
        if values.get("project"):
            project = visible_projects(request.user).filter(slug=values["project"]).first()
            if project is None:
                raise exceptions.ValidationError({"project": [gettext_lazy("No project with this slug.")]})
        try:
            measurement = services.measurement_enter(
                user=request.user,
                indicator=indicator,
                date=values["date"],
                value=values["value"],
                unit=values["unit"],
                project=project,
                source=values.get("source", ""),
                note=values.get("note", ""),
            )
        except services.MonitoringRefused as exc:
            if exc.status == 403:
                raise exceptions.PermissionDenied(exc.message) from exc
            raise exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
        return Response(MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)


class DashboardFigureSerializer(serializers.Serializer):
    label: Any = serializers.CharField()
    value = PlainDecimalField(max_digits=24, decimal_places=4)


class DashboardSerializer(serializers.Serializer):
    filter = serializers.DictField()
    project_count = serializers.IntegerField()
    projects_by_status = DashboardFigureSerializer(many=True)
    money_eur = DashboardFigureSerializer(many=True)
    partners_by_country = DashboardFigureSerializer(many=True)
    partners_by_kind = DashboardFigureSerializer(many=True)
    cross_border_share = serializers.CharField(allow_null=True)
    sme_partners = serializers.IntegerField()
    funnel = serializers.ListField(child=serializers.DictField())
    regions = serializers.ListField(child=serializers.DictField())
    indicators = serializers.ListField(child=serializers.DictField())


class DashboardViewSet(ReadOnlyListViewSet):
    """The dashboard figures for everyone (aggregates of published projects; officers and committee
    members: of all projects)."""

    permission_required = "monitoring.view_dashboard"
    extra_query_parameters: ClassVar[frozenset[str]] = frozenset(selectors.FILTER_KEYS)
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(key, OpenApiTypes.STR if not key.startswith("year") else OpenApiTypes.INT)
            for key in selectors.FILTER_KEYS
        ],
        responses={200: DashboardSerializer},
    )
    def list(self, request: Request) -> Response:
        try:
            flt = selectors.dashboard_filter(request.query_params)
        except selectors.FilterError as exc:
            raise exceptions.ValidationError({k: [v] for k, v in exc.errors.items()}) from exc
        data = selectors.dashboard(flt=flt, user=request.user)

        def figures(items: list[selectors.Figure]) -> list[dict[str, Any]]:
            return [{"label": f.label, "value": format(f.value.normalize(), "f")} for f in items]

        body = {
            "filter": flt.as_dict(),
            "project_count": data.project_count,
            "projects_by_status": figures(data.by_status),
            "money_eur": figures(data.money),
            "partners_by_country": figures(data.partners_by_country),
            "partners_by_kind": figures(data.partners_by_kind),
            "cross_border_share": None if data.cross_border_share is None else str(data.cross_border_share),
            "sme_partners": data.sme_partners,
            "funnel": [{"stage": s.key, "count": s.count} for s in data.funnel],
            "regions": [
                {
                    "nuts": m.code,
                    "label": m.label,
                    "participations": m.partners,
                    "organisations": m.organisations,
                    "labs": m.labs,
                }
                for m in data.regions
            ],
            "indicators": [
                {
                    "code": r.indicator.code,
                    "value": None if r.current is None else format(r.current.value.normalize(), "f"),
                    "date": None if r.current is None else r.current.date.isoformat(),
                    "targets": [
                        {
                            "year": t.target.year,
                            "value": format(t.target.value.normalize(), "f"),
                            "source": {
                                "document": t.target.source_document,
                                "location": t.target.source_location,
                            },
                        }
                        for t in r.targets
                    ],
                }
                for r in data.indicators
            ],
        }
        return Response(body)
