"""API of the call process, under /api/v1/: call-setups (public: published calls with their rules,
criteria and statistics), proposals (what the user may see; submit and withdraw), reviews (the
reviewer's own assignments; scores) and decisions (visible with their proposal; the committee records
them). Thin: serializers shape, services decide, selectors read. Refusals use the one error format:
400 for bad input (fields name what is wrong), 403 when the user may not, 404 when not visible."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from deltaregio.api.base import StrictQueryParametersMixin
from deltaregio.api.schema import ApiAutoSchema
from deltaregio.calls import selectors, services
from deltaregio.calls.eligibility import RULE_TYPES
from deltaregio.calls.models import Action, Assignment, CallSetup, Decision, Proposal


class CallsPermission(BasePermission):
    """Reads as the view's `permission_required` allows (per object again); a write needs a login and
    is then decided by the service (which refuses with 403 or 400)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user.has_perm(view.permission_required))
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(request.user.has_perm(view.object_permission, obj))


def _refusal(exc: Exception) -> exceptions.APIException:
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    assert isinstance(exc, DjangoValidationError)
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class CallsViewSet(StrictQueryParametersMixin, viewsets.GenericViewSet):
    permission_classes = [CallsPermission]
    permission_required: ClassVar[str]
    object_permission: ClassVar[str]
    schema = ApiAutoSchema()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # writes are offered here (the mixin refuses them elsewhere); query parameters stay strict
        viewsets.GenericViewSet.initial(self, request, *args, **kwargs)
        self.check_query_parameters(request)

    def allowed_query_parameters(self) -> set[str]:
        allowed = super().allowed_query_parameters()
        return allowed - {"page", "page_size"} if self.request.method not in SAFE_METHODS else allowed


# --- calls -------------------------------------------------------------------------------------------


class RoundSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    number = serializers.IntegerField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class CriterionSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()


class RuleSerializer(serializers.Serializer):
    kind = serializers.CharField()
    params = serializers.JSONField()
    step = serializers.IntegerField(allow_null=True)
    description = serializers.SerializerMethodField()

    def get_description(self, rule: Any) -> str:
        return RULE_TYPES[rule.kind].describe(rule.params) if rule.kind in RULE_TYPES else rule.kind


class StatisticsSerializer(serializers.Serializer):
    submitted = serializers.IntegerField()
    granted = serializers.IntegerField()
    requested = serializers.DecimalField(max_digits=20, decimal_places=2)
    granted_amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    oversubscription = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    success_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    sme_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CallSetupSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="call.code")
    name = serializers.CharField(source="call.name")
    instrument = serializers.CharField(source="call.instrument.code")
    committee = serializers.CharField(source="committee.name", allow_null=True, default=None)
    steps = serializers.IntegerField(
        help_text=gettext_lazy("1: one-step; 2: registration, then full application.")
    )
    rounds = RoundSerializer(many=True)
    criteria = CriterionSerializer(many=True)
    rules = RuleSerializer(many=True)

    class Meta:
        model = CallSetup
        fields = [
            "code",
            "name",
            "instrument",
            "steps",
            "envelope",
            "sections",
            "committee",
            "is_published",
            "rounds",
            "criteria",
            "rules",
        ]


class CallSetupViewSet(CallsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Calls with their configuration. Everyone: the published calls."""

    permission_required = "calls.view_call"
    object_permission = "calls.view_call"
    serializer_class = CallSetupSerializer
    lookup_field = "call__code"
    lookup_url_kwarg = "code"

    def get_queryset(self) -> QuerySet[CallSetup]:
        return selectors.call_list(user=self.request.user).prefetch_related("criteria", "rules")

    @extend_schema(responses=StatisticsSerializer)
    @action(detail=True, methods=["get"])
    def statistics(self, request: Request, code: str) -> Response:
        """The call's figures from the proposals on the platform."""
        setup = self.get_object()
        return Response(StatisticsSerializer(selectors.call_statistics(setup=setup)).data)


# --- proposals ---------------------------------------------------------------------------------------


class ProposalPartnerSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class ProposalSerializer(serializers.ModelSerializer):
    call = serializers.CharField(source="setup.call.code")
    partners = ProposalPartnerSerializer(many=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "call",
            "step",
            "registration",
            "acronym",
            "title",
            "summary",
            "status",
            "trl_start",
            "trl_end",
            "total_cost",
            "requested_grant",
            "granted_amount",
            "consolidated_score",
            "submitted_at",
            "partners",
        ]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=gettext_lazy("Why (optional).")
    )


class ProposalViewSet(CallsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Proposals the user may see: their own, those assigned to them, their committee's submitted ones;
    officers all. The public: none."""

    permission_required = "calls.list_proposals"
    object_permission = "calls.view_proposal"
    serializer_class = ProposalSerializer

    def get_queryset(self) -> QuerySet[Proposal]:
        return selectors.proposal_list(user=self.request.user)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Submit before the close moment; refused with every unmet rule named."""
        proposal = self.get_object()
        try:
            proposal = services.proposal_submit(by=request.user, proposal=proposal)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _refusal(exc) from exc
        return Response(
            ProposalSerializer(selectors.proposal_list(user=request.user).get(pk=proposal.pk)).data
        )

    @extend_schema(request=NoteSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.proposal_withdraw(by=request.user, proposal=proposal, note=body.validated_data["note"])
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _refusal(exc) from exc
        return Response(
            ProposalSerializer(selectors.proposal_list(user=request.user).get(pk=proposal.pk)).data
        )


# --- reviews -----------------------------------------------------------------------------------------


class ScoreInSerializer(serializers.Serializer):
    criterion = serializers.CharField(help_text=gettext_lazy("Code of the criterion."))
    value = serializers.DecimalField(max_digits=5, decimal_places=2)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoresInSerializer(serializers.Serializer):
    scores = ScoreInSerializer(many=True)
    final = serializers.BooleanField(default=False, help_text=gettext_lazy("Submit for good."))


class ScoreOutSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    value = serializers.DecimalField(max_digits=5, decimal_places=2)
    comment = serializers.CharField()


class AssignmentSerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="proposal_id")
    scores = ScoreOutSerializer(many=True)

    class Meta:
        model = Assignment
        fields = ["id", "proposal", "assigned_at", "submitted_at", "scores"]


class ReviewViewSet(CallsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The user's own review assignments with their own scores (blind: never the others')."""

    permission_required = "calls.list_proposals"
    object_permission = "calls.view_proposal"
    serializer_class = AssignmentSerializer

    def get_queryset(self) -> QuerySet[Assignment]:
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return Assignment.objects.none()
        return (
            Assignment.objects.filter(reviewer=self.request.user)
            .select_related("proposal__setup")
            .prefetch_related("scores__criterion", "proposal__assignments", "proposal__collaborators")
            .order_by("id")
        )

    @extend_schema(request=ScoresInSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: str) -> Response:
        """Score each criterion; a score outside the criterion's scale is refused, nothing is kept."""
        assignment = self.get_object()
        body = ScoresInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scores = {s["criterion"]: (s["value"], s["comment"]) for s in body.validated_data["scores"]}
        try:
            services.scores_save(
                by=request.user, assignment=assignment, scores=scores, final=body.validated_data["final"]
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _refusal(exc) from exc
        return Response(AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data)


# --- decisions ---------------------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="proposal_id")
    conditions: Any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="text")

    class Meta:
        model = Decision
        fields = [
            "id",
            "proposal",
            "outcome",
            "date",
            "date_text",
            "body",
            "note",
            "granted_amount",
            "conditions",
            "recorded_at",
            "source_document",
            "source_location",
        ]


class DecisionInSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Action.choices)
    date = serializers.DateField()
    body = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    conditions = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class DecisionViewSet(CallsViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Decisions on the proposals the user may see; the committee (or an officer) records a new one.
    A decision is never changed: a later one follows it."""

    permission_required = "calls.list_proposals"
    object_permission = "calls.view_proposal"
    serializer_class = DecisionSerializer

    def get_queryset(self) -> QuerySet[Decision]:
        return (
            Decision.objects.filter(proposal__in=selectors.visible_proposals(self.request.user))
            .select_related("proposal")
            .prefetch_related("conditions")
            .order_by("id")
        )

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj.proposal)

    @extend_schema(request=DecisionInSerializer, responses={201: DecisionSerializer})
    def create(self, request: Request) -> Response:
        body = DecisionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        proposal = selectors.visible_proposals(request.user).filter(pk=data["proposal"]).first()
        if proposal is None:
            raise exceptions.NotFound()
        try:
            decision = services.decide(
                by=request.user,
                proposal=proposal,
                outcome=data["outcome"],
                date=data["date"],
                body=data["body"],
                note=data["note"],
                conditions=data["conditions"],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _refusal(exc) from exc
        return Response(
            DecisionSerializer(self.get_queryset().get(pk=decision.pk)).data, status=status.HTTP_201_CREATED
        )


__all__ = ["dt"]
