"""API of the vouchers domain: every step of a voucher's life, the schemes with their rules and
sources, the coordinator's checks and payment batches, and the public report. Thin: serializers check
the shape of the input, services decide and write, selectors read. A refused step answers in the one
error format with the service's machine code: 400 for bad input, 403 when the user may not take the
step, 404 for an unknown code, 409 when the voucher's state does not allow it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from deltaregio.api.base import StrictQueryParametersMixin, source_field
from deltaregio.api.schema import ApiAutoSchema, ErrorSerializer
from deltaregio.directory.models import Organisation
from deltaregio.vouchers import selectors, services
from deltaregio.vouchers.models import (
    AssignmentDocument,
    PaymentBatch,
    ProviderRule,
    Redemption,
    Status,
    Voucher,
    VoucherEvent,
    VoucherScheme,
)
from deltaregio.vouchers.services import VoucherRefused

ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Bad input; `fields` names what is wrong.")
    ),
    401: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Not authenticated.")),
    403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("You may not take this step.")),
    404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Not found, or not visible to you.")),
    409: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("The state of the voucher or scheme does not allow it.")
    ),
}


class Conflict(exceptions.ValidationError):
    """A refusal answered with the fields of a validation error and its own status (400 or 409)."""

    def __init__(self, detail: Any, status_code: int) -> None:
        super().__init__(detail)
        self.status_code = status_code


class Refused(exceptions.APIException):
    def __init__(self, refusal: VoucherRefused) -> None:
        super().__init__(refusal.message)
        self.status_code = refusal.status
        self.error_code = refusal.code


def api_error(refusal: VoucherRefused) -> exceptions.APIException:
    if refusal.status in (400, 409):
        if isinstance(refusal, services.BulkRefused):
            fields: dict[str, list[str]] = {
                voucher.reference: [problem.message] for voucher, problem in refusal.problems
            }
        else:
            fields = {refusal.field: [refusal.message]}
        error = Conflict(fields, refusal.status)
        error.error_code = refusal.code  # type: ignore[attr-defined]
        error.error_message = refusal.message  # type: ignore[attr-defined]
        return error
    return Refused(refusal)


def amount_error(refusal: VoucherRefused, field: str = "amount") -> exceptions.ValidationError:
    error = exceptions.ValidationError({field: [refusal.message]})
    error.error_code = refusal.code  # type: ignore[attr-defined]
    error.error_message = refusal.message  # type: ignore[attr-defined]
    return error


class AmountField(serializers.CharField):
    """An amount in euro as a decimal string ("9500.00"); numbers are accepted too."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", gettext_lazy('Amount in euro, at most two decimals, e.g. "9500.00".'))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            data = str(data)
        text = super().to_internal_value(data)
        try:
            return services.parse_amount(text)
        except VoucherRefused as refusal:
            raise serializers.ValidationError(refusal.message, code=refusal.code) from None


# --- serializers -----------------------------------------------------------------------------------


class VoucherPartySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class VoucherRoundSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(allow_null=True)
    source = source_field()


class VoucherSchemeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    eligible_services = serializers.CharField(help_text=gettext_lazy("What the voucher may pay for."))
    project = serializers.CharField(source="project.acronym", allow_null=True, default=None)
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    covered_share = serializers.DecimalField(max_digits=5, decimal_places=2)
    signing_period_months = serializers.IntegerField()
    completion_period_months = serializers.IntegerField(allow_null=True)
    warning_days = serializers.IntegerField()
    provider_rule = serializers.ChoiceField(choices=ProviderRule.choices)
    per_company_per_round = serializers.IntegerField()
    per_company_total = serializers.IntegerField(allow_null=True)
    budget_envelope = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text=gettext_lazy("Null while not set: no voucher can be approved or issued until it is."),
    )
    committed_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    desk = serializers.CharField(source="desk.name", allow_null=True, default=None)
    coordinator = serializers.CharField(source="coordinator.name", allow_null=True, default=None)
    committee = serializers.CharField(source="committee_text")
    accepts_requests = serializers.BooleanField()
    rule_sources = serializers.DictField(
        source="provenance",
        child=serializers.CharField(),
        help_text=gettext_lazy("Where the source states each rule; a rule not listed is the platform's."),
    )
    rounds = VoucherRoundSerializer(many=True, source="rounds.all")
    source = source_field()


class VoucherNextStepSerializer(serializers.Serializer):
    who = serializers.CharField()
    action = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)


class VoucherSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    scheme = serializers.CharField(source="scheme.code")
    round = serializers.CharField(source="round.code")
    sme = VoucherPartySerializer()
    provider = VoucherPartySerializer()
    status = serializers.ChoiceField(choices=Status.choices)
    service_description = serializers.CharField()
    scan_reference = serializers.CharField()
    intake_reference = serializers.CharField()
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    covered_share = serializers.DecimalField(max_digits=5, decimal_places=2)
    committed_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    requested_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    signing_deadline = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    sme_signed_at = serializers.DateTimeField(allow_null=True)
    provider_signed_at = serializers.DateTimeField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    completion_deadline = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    invoice_number = serializers.CharField()
    invoice_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    voucher_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    co_payment = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    invoiced_at = serializers.DateTimeField(allow_null=True)
    redeemed_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    next_step = serializers.SerializerMethodField()

    @extend_schema_field(VoucherNextStepSerializer)
    def get_next_step(self, obj: Voucher) -> dict[str, Any]:
        step = selectors.next_step(obj)
        return {"who": step.who, "action": step.action, "deadline": step.deadline}


class VoucherEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=VoucherEvent.Kind.choices)
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    organisation = serializers.CharField(source="actor_organisation.name", allow_null=True, default=None)
    code = serializers.CharField(help_text=gettext_lazy("Machine code of a refusal."))
    message = serializers.CharField()


class VoucherRedemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    voucher = serializers.IntegerField(source="voucher_id")
    reference = serializers.CharField(source="voucher.reference")
    scheme = serializers.CharField(source="scheme.code")
    provider = VoucherPartySerializer()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    state = serializers.ChoiceField(choices=Redemption.State.choices)
    redeemed_at = serializers.DateTimeField()
    checked_at = serializers.DateTimeField(allow_null=True)
    check_reason = serializers.CharField()
    batch = serializers.IntegerField(source="batch.number", allow_null=True, default=None)


class PaymentBatchSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=PaymentBatch.State.choices)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    created_at = serializers.DateTimeField()
    paid_on = serializers.DateField(allow_null=True)
    redemptions = VoucherRedemptionSerializer(many=True, source="redemptions.all")


class VoucherReportRowSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    counts = serializers.DictField(child=serializers.IntegerField())
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)


class VoucherReportSerializer(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    totals = VoucherReportRowSerializer()
    by_provider = VoucherReportRowSerializer(many=True)
    by_region = VoucherReportRowSerializer(many=True)
    by_period = VoucherReportRowSerializer(many=True)
    envelope = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    redeemed_unpaid = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


# --- input ------------------------------------------------------------------------------------------


def _organisation(slug: str, field: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise serializers.ValidationError(
            {field: [_("There is no organisation “%(slug)s”.") % {"slug": slug}]}
        )
    return organisation


class VoucherRequestInput(serializers.Serializer):
    scheme = serializers.SlugField(help_text=gettext_lazy("Code of the scheme, e.g. fokus."))
    sme = serializers.SlugField(help_text=gettext_lazy("Slug of the company you act for."))
    provider = serializers.SlugField(help_text=gettext_lazy("Slug of the chosen provider."))
    service_description = serializers.CharField(max_length=4000)
    scan_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    intake_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class VoucherReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VoucherBulkReviewInput(VoucherReviewInput):
    vouchers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=500,
        help_text=gettext_lazy("Ids of the requests to decide on; all are decided, or none."),
    )


class VoucherSignInput(serializers.Serializer):
    party = serializers.ChoiceField(choices=[("sme", "sme"), ("provider", "provider")])
    document = serializers.FileField(
        required=False, help_text=gettext_lazy("The signed assignment as PDF (multipart), optional.")
    )


class VoucherInvoiceInput(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=60)
    amount = AmountField()


class VoucherRedeemInput(serializers.Serializer):
    code = serializers.CharField(max_length=80)
    amount = AmountField()
    provider = serializers.SlugField(
        required=False,
        help_text=gettext_lazy("Slug of the provider you redeem for; needed only if you act for several."),
    )


class VoucherWithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RedemptionCheckInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VoucherEnvelopeInput(serializers.Serializer):
    amount = AmountField(allow_null=True)
    note = serializers.CharField(max_length=500, help_text=gettext_lazy("The basis of the amount."))


class PaymentBatchPaidInput(serializers.Serializer):
    paid_on = serializers.DateField()


class VoucherReportQuery(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


# --- permissions and the base -------------------------------------------------------------------------


class ActionPermission(BasePermission):
    """Each action names its django-rules permission in `action_permissions`. List-level actions ask
    for it without an object; object actions need a logged-in user, then the permission on the object
    (after the object was found among those the user may see, else 404)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        perm = view.permission_required
        if not perm:
            return False
        if view.action in view.object_actions:
            return bool(request.user and request.user.is_authenticated)
        return bool(request.user.has_perm(perm))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        perm = view.permission_required
        return bool(perm) and bool(request.user.has_perm(perm, obj))


class VoucherApiBase(StrictQueryParametersMixin, viewsets.GenericViewSet):
    permission_classes = [ActionPermission]
    schema = ApiAutoSchema()
    action_permissions: ClassVar[dict[str, str]] = {}
    object_actions: ClassVar[frozenset[str]] = frozenset()
    action_query_parameters: ClassVar[dict[str, frozenset[str]]] = {}

    @property
    def permission_required(self) -> str | None:
        return self.action_permissions.get(str(getattr(self, "action", "") or ""))

    def allowed_query_parameters(self) -> set[str]:
        allowed = super().allowed_query_parameters()
        return allowed | set(self.action_query_parameters.get(str(self.action), frozenset()))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        viewsets.GenericViewSet.initial(self, request, *args, **kwargs)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            self.check_query_parameters(request)

    def run(self, func: Any, **kwargs: Any) -> Any:
        """Call a service; a refusal becomes the API's error."""
        try:
            return func(**kwargs)
        except VoucherRefused as refusal:
            raise api_error(refusal) from None

    @staticmethod
    def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


# --- schemes -------------------------------------------------------------------------------------------

SCHEME_PARAM = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Scheme code.")


@extend_schema_view(
    list=extend_schema(summary="Voucher schemes", responses={200: VoucherSchemeSerializer(many=True)}),
    retrieve=extend_schema(
        summary="A voucher scheme with its rules and their sources", responses=VoucherSchemeSerializer
    ),
)
class SchemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VoucherApiBase):
    """Voucher schemes: value, share of the bill, deadlines, providers, limits, envelope, with where the
    source states each rule."""

    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    serializer_class = VoucherSchemeSerializer
    filter_backends = []
    action_permissions: ClassVar[dict[str, str]] = {
        "list": "vouchers.view_scheme",
        "retrieve": "vouchers.view_scheme",
        "report": "vouchers.view_report",
        "envelope": "vouchers.manage_scheme",
        "redeem": "vouchers.redeem_voucher",
        "batches": "vouchers.view_payments",
        "batch_paid": "vouchers.manage_payments",
    }
    object_actions = frozenset({"batches", "batch_paid"})
    action_query_parameters: ClassVar[dict[str, frozenset[str]]] = {
        "report": frozenset({"date_from", "date_to"})
    }

    def get_queryset(self) -> QuerySet[VoucherScheme]:
        return selectors.scheme_list().prefetch_related("rounds")

    @extend_schema(
        summary="Set the budget envelope",
        description="Programme officers. It cannot drop below what vouchers already hold.",
        request=VoucherEnvelopeInput,
        responses={200: VoucherSchemeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def envelope(self, request: Request, code: str) -> Response:
        scheme = self.get_object()
        data = self.valid(VoucherEnvelopeInput, request.data)
        scheme = self.run(
            services.scheme_set_envelope,
            scheme=scheme,
            amount=data["amount"],
            note=data["note"],
            by=request.user,
        )
        return Response(VoucherSchemeSerializer(self.get_queryset().get(pk=scheme.pk)).data)

    @extend_schema(
        summary="Public figures of a scheme",
        description="Vouchers requested, issued, signed, redeemed and expired per provider, region and "
        "month, and the money committed and paid against the envelope. No company names.",
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="Requested on or after."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Requested on or before."),
        ],
        responses={200: VoucherReportSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, code: str) -> Response:
        scheme = self.get_object()
        query = VoucherReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = selectors.report(
            scheme=scheme,
            date_from=query.validated_data.get("date_from"),
            date_to=query.validated_data.get("date_to"),
        )
        return Response(VoucherReportSerializer(data).data)

    @extend_schema(
        summary="Redeem a voucher by its code",
        description="The provider of the voucher's assignment, once the work is delivered and invoiced. "
        "Refused (and audited): an unknown or mistyped code, a code of another scheme, another provider, "
        "after expiry, above what the voucher pays, a second redemption.",
        request=VoucherRedeemInput,
        responses={201: VoucherRedemptionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def redeem(self, request: Request, code: str) -> Response:
        scheme = self.get_object()
        data = self.valid(VoucherRedeemInput, request.data)
        if data.get("provider"):
            provider = _organisation(data["provider"], "provider")
        else:
            providers = list(selectors.provider_organisations_for(request.user)[:2])
            if len(providers) != 1:
                raise serializers.ValidationError(
                    {"provider": [_("Name the provider you redeem for (you act for several or none).")]}
                )
            provider = providers[0]
        redemption = self.run(
            services.voucher_redeem,
            scheme=scheme,
            code=data["code"],
            provider=provider,
            amount=data["amount"],
            by=request.user,
        )
        return Response(VoucherRedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Payment batches of a scheme",
        description="The coordinator and programme officers.",
        responses={
            200: PaymentBatchSerializer(many=True),
            401: ERRORS[401],
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    @extend_schema(
        methods=["POST"],
        summary="Make a payment batch",
        description="The coordinator: every accepted redemption not yet in a batch goes into a new batch.",
        request=None,
        responses={201: PaymentBatchSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="payment-batches", pagination_class=None)
    def batches(self, request: Request, code: str) -> Response:
        scheme = self.get_object()
        if request.method == "POST":
            if not request.user.has_perm("vouchers.manage_payments", scheme):
                raise exceptions.PermissionDenied()
            batch = self.run(services.payment_batch_create, scheme=scheme, by=request.user)
            return Response(PaymentBatchSerializer(batch).data, status=status.HTTP_201_CREATED)
        return Response(PaymentBatchSerializer(selectors.batch_list(scheme=scheme), many=True).data)

    @extend_schema(
        summary="Mark a payment batch as paid",
        description="The coordinator: the batch's vouchers are paid.",
        parameters=[OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=PaymentBatchPaidInput,
        responses={200: PaymentBatchSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"payment-batches/(?P<number>[0-9]+)/paid")
    def batch_paid(self, request: Request, code: str, number: str) -> Response:
        scheme = self.get_object()
        try:
            batch = selectors.batch_detail(scheme=scheme, number=int(number))
        except PaymentBatch.DoesNotExist:
            raise Http404 from None
        data = self.valid(PaymentBatchPaidInput, request.data)
        batch = self.run(
            services.payment_batch_mark_paid, batch=batch, paid_on=data["paid_on"], by=request.user
        )
        return Response(PaymentBatchSerializer(batch).data)


# --- vouchers ------------------------------------------------------------------------------------------


class VoucherFilter(filters.FilterSet):
    scheme = filters.CharFilter(field_name="scheme__code", help_text=gettext_lazy("Scheme code."))
    status = filters.ChoiceFilter(choices=Status.choices, help_text=gettext_lazy("Status of the voucher."))


def _step(summary: str, description: str, request: Any = None, code: int = 200) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={code: VoucherSerializer, **ERRORS},
    )


@extend_schema_view(
    list=extend_schema(summary="Vouchers you may see"),
    retrieve=extend_schema(summary="A voucher"),
)
class VoucherViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VoucherApiBase):
    """Vouchers from request to payment. An SME sees its own, a provider those issued for it, the
    scheme's committee, desk and coordinator all of their scheme, programme officers all."""

    serializer_class = VoucherSerializer
    filterset_class = VoucherFilter
    action_permissions: ClassVar[dict[str, str]] = {
        "list": "vouchers.list_vouchers",
        "retrieve": "vouchers.view_voucher",
        "create": "vouchers.request_voucher",
        "withdraw": "vouchers.withdraw_voucher",
        "review": "vouchers.view_voucher",
        "bulk_review": "vouchers.list_vouchers",
        "issue": "vouchers.issue_voucher",
        "sign": "vouchers.sign_voucher",
        "deliver": "vouchers.deliver_voucher",
        "invoice": "vouchers.invoice_voucher",
        "events": "vouchers.view_voucher",
    }
    object_actions = frozenset(
        {"retrieve", "withdraw", "review", "issue", "sign", "deliver", "invoice", "events"}
    )
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Voucher]:
        return selectors.visible_vouchers(self.request.user).order_by("-requested_at", "-id")

    def _voucher(self) -> Voucher:
        return self.get_object()

    def _answer(self, voucher: Voucher, code: int = 200) -> Response:
        return Response(VoucherSerializer(self.get_queryset().get(pk=voucher.pk)).data, status=code)

    @_step(
        "Request a voucher",
        "Users acting for an SME: a voucher of the scheme for a service of the chosen provider, in the round "
        "open today.",
        VoucherRequestInput,
        201,
    )
    def create(self, request: Request) -> Response:
        data = self.valid(VoucherRequestInput, request.data)
        try:
            scheme = selectors.scheme_detail(code=data["scheme"])
        except VoucherScheme.DoesNotExist:
            raise serializers.ValidationError(
                {"scheme": [_("There is no voucher scheme with this code.")]}
            ) from None
        voucher = self.run(
            services.voucher_request,
            scheme=scheme,
            sme=_organisation(data["sme"], "sme"),
            provider=_organisation(data["provider"], "provider"),
            service_description=data["service_description"],
            scan_reference=data["scan_reference"],
            intake_reference=data["intake_reference"],
            by=request.user,
        )
        return self._answer(voucher, 201)

    @_step("Withdraw", "The company: before the assignment is signed.", VoucherWithdrawInput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        voucher = self._voucher()
        data = self.valid(VoucherWithdrawInput, request.data)
        return self._answer(
            self.run(services.voucher_withdraw, voucher=voucher, reason=data["reason"], by=request.user)
        )

    @_step(
        "Approve or refuse a request",
        "Members of the scheme's review committee not linked to the company or the provider. Approval "
        "commits the voucher's value against the envelope (refused when it would be exceeded or is not "
        "set); a refusal needs a reason.",
        VoucherReviewInput,
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        voucher = self._voucher()
        data = self.valid(VoucherReviewInput, request.data)
        return self._answer(
            self.run(
                services.voucher_review,
                voucher=voucher,
                approve=data["decision"] == "approve",
                reason=data["reason"],
                by=request.user,
            )
        )

    @extend_schema(
        operation_id="vouchers_bulk_review",
        summary="Decide on several requests at once",
        description="Members of the review committee: all requests are decided, or none (409 lists each "
        "problem, e.g. the requests that would exceed the envelope).",
        request=VoucherBulkReviewInput,
        responses={200: VoucherSerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="review")
    def bulk_review(self, request: Request) -> Response:
        data = self.valid(VoucherBulkReviewInput, request.data)
        ids = list(dict.fromkeys(data["vouchers"]))
        vouchers = list(self.get_queryset().filter(pk__in=ids))
        missing = sorted(set(ids) - {v.pk for v in vouchers})
        if missing:
            raise serializers.ValidationError(
                {"vouchers": [_("Unknown or not visible: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]}
            )
        decided = self.run(
            services.voucher_review_bulk_audited,
            vouchers=vouchers,
            approve=data["decision"] == "approve",
            reason=data["reason"],
            by=request.user,
        )
        return Response(
            VoucherSerializer(self.get_queryset().filter(pk__in=[v.pk for v in decided]), many=True).data
        )

    @_step("Issue", "The scheme's desk: an approved voucher gets its code and signing deadline.")
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str) -> Response:
        return self._answer(self.run(services.voucher_issue, voucher=self._voucher(), by=request.user))

    @_step(
        "Confirm the signed assignment",
        "The company and the provider, each for itself, before the signing deadline; optionally with the PDF "
        "(multipart/form-data).",
        VoucherSignInput,
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        voucher = self._voucher()
        data = self.valid(VoucherSignInput, request.data)
        upload = data.get("document")
        document = None
        if upload is not None:
            if upload.size > AssignmentDocument.MAX_BYTES:
                raise serializers.ValidationError({"document": [_("The file is larger than 10 MB.")]})
            document = services.Upload(upload.name, upload.content_type or "", upload.read())
        return self._answer(
            self.run(
                services.voucher_sign,
                voucher=voucher,
                party=data["party"],
                by=request.user,
                document=document,
            )
        )

    @_step("Work delivered", "The provider of the voucher.")
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str) -> Response:
        return self._answer(self.run(services.voucher_deliver, voucher=self._voucher(), by=request.user))

    @_step(
        "Record the invoice",
        "The provider of the voucher, once the work is delivered. The voucher pays at most its value and its "
        "share of the bill; the rest is the company's co-payment.",
        VoucherInvoiceInput,
    )
    @action(detail=True, methods=["post"])
    def invoice(self, request: Request, pk: str) -> Response:
        voucher = self._voucher()
        data = self.valid(VoucherInvoiceInput, request.data)
        return self._answer(
            self.run(
                services.voucher_invoice,
                voucher=voucher,
                amount=data["amount"],
                invoice_number=data["invoice_number"],
                by=request.user,
            )
        )

    @extend_schema(
        summary="Audit trail of a voucher",
        description="Every step and every refused attempt, oldest first.",
        responses={
            200: VoucherEventSerializer(many=True),
            401: ERRORS[401],
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request: Request, pk: str) -> Response:
        return Response(
            VoucherEventSerializer(selectors.voucher_events(voucher=self._voucher()), many=True).data
        )


# --- redemptions --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Redemptions you may see"),
    retrieve=extend_schema(summary="A redemption"),
)
class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VoucherApiBase):
    """Redemptions: the coordinator and officers see all of the scheme, a provider its own."""

    serializer_class = VoucherRedemptionSerializer
    filter_backends = []
    action_permissions: ClassVar[dict[str, str]] = {
        "list": "vouchers.list_vouchers",
        "retrieve": "vouchers.list_vouchers",
        "check": "vouchers.check_redemption",
    }
    object_actions = frozenset({"check"})

    def get_queryset(self) -> QuerySet[Redemption]:
        return selectors.redemption_list(user=self.request.user).order_by("-redeemed_at", "-id")

    @extend_schema(
        summary="Check a redemption",
        description="The scheme's coordinator: accept it for payment, or reject it with a reason (the "
        "voucher goes back to invoiced).",
        request=RedemptionCheckInput,
        responses={200: VoucherRedemptionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str) -> Response:
        redemption = self.get_object()
        data = self.valid(RedemptionCheckInput, request.data)
        redemption = self.run(
            services.redemption_check,
            redemption=redemption,
            accept=data["result"] == "accept",
            reason=data["reason"],
            by=request.user,
        )
        return Response(VoucherRedemptionSerializer(redemption).data)
