"""API of the SME funnel: questionnaires, scoring, scans through their private token, results,
journeys and their steps, and the aggregated funnel. Thin: serializers check the input, services
write, selectors read. Errors use the API's one format; a scan's problems are keyed by question."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, mixins, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from deltaregio.api.base import StrictQueryParametersMixin
from deltaregio.api.schema import ApiAutoSchema, ErrorSerializer
from deltaregio.directory.models import Lab, Organisation
from deltaregio.funnel import engine, services
from deltaregio.funnel import selectors as funnel
from deltaregio.funnel.models import (
    ImplementationPlan,
    Intake,
    Journey,
    Questionnaire,
    Scan,
    ScanResult,
    Technology,
    Topic,
    Trajectory,
    Workshop,
)

# --- shared --------------------------------------------------------------------------------------


class FunnelPermission(BasePermission):
    """Reads need the view's `permission_required`, writes its `write_permission` (django-rules),
    checked again on each object."""

    def _perm(self, request: Request, view: Any) -> str:
        name = "permission_required" if request.method in SAFE_METHODS else "write_permission"
        return str(getattr(view, name, None) or "")

    def has_permission(self, request: Request, view: Any) -> bool:
        perm = self._perm(request, view)
        return bool(perm) and bool(request.user.has_perm(perm))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        perm = self._perm(request, view)
        return bool(perm) and bool(request.user.has_perm(perm, obj))


class FunnelView(StrictQueryParametersMixin, generics.GenericAPIView):
    """Base of the funnel endpoints: strict query parameters on reads, writes where a view allows them."""

    permission_classes = [FunnelPermission]
    permission_required: ClassVar[str]
    write_permission: ClassVar[str | None] = None
    audience: ClassVar[Any] = None
    schema = ApiAutoSchema()
    filter_backends: list[Any] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        generics.GenericAPIView.initial(self, request, *args, **kwargs)
        if request.method in SAFE_METHODS:
            self.check_query_parameters(request)


class FunnelListView(mixins.ListModelMixin, FunnelView):
    """A paginated list of what `get_queryset` gives the user."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


def answers_invalid(exc: engine.AnswersInvalid) -> exceptions.ValidationError:
    error = exceptions.ValidationError(exc.by_question())
    error.error_code = "answers_invalid"  # type: ignore[attr-defined]
    questions = ", ".join(dict.fromkeys(p.question for p in exc.problems))
    error.error_message = _("The answers cannot be scored; see %(questions)s.") % {"questions": questions}  # type: ignore[attr-defined]
    return error


def funnel_error(exc: services.FunnelError) -> exceptions.ValidationError:
    error = exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})
    error.error_code = exc.code  # type: ignore[attr-defined]
    error.error_message = exc.message  # type: ignore[attr-defined]
    return error


def link_invalid() -> exceptions.NotFound:
    return exceptions.NotFound(_("This link is not valid or has expired."))


class TextSerializer(serializers.Serializer):
    nl = serializers.CharField()
    en = serializers.CharField()


def texts(obj: Any, name: str) -> dict[str, str]:
    return {"nl": getattr(obj, f"{name}_nl") or "", "en": getattr(obj, f"{name}_en") or ""}


ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Invalid input; `fields` names what is wrong.")
    ),
    404: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Not found, or the link is not valid or has expired.")
    ),
}

# --- questionnaires ------------------------------------------------------------------------------


class OptionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.SerializerMethodField()
    points = serializers.DecimalField(max_digits=8, decimal_places=4)
    excludes_others = serializers.BooleanField()

    def get_text(self, obj: Any) -> dict[str, str]:
        return texts(obj, "text")


class QuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    dimension = serializers.SerializerMethodField()
    kind = serializers.CharField(
        help_text=gettext_lazy(
            "multi (answer: [option numbers]), multi_per_row ({column: [row numbers]}), rating_per_row "
            "([a value per row]), choice_per_row ([a code per row]), single (an option number), "
            "text (a string)."
        )
    )
    required = serializers.BooleanField()  # type: ignore[assignment]
    text = serializers.SerializerMethodField()
    help = serializers.SerializerMethodField()
    columns = serializers.JSONField()
    scale = serializers.JSONField()
    options = OptionSerializer(
        many=True, source="options.all", help_text=gettext_lazy("Options, or rows of a per-row question.")
    )

    def get_dimension(self, obj: Any) -> str | None:
        return obj.dimension.code if obj.dimension else None

    def get_text(self, obj: Any) -> dict[str, str]:
        return texts(obj, "text")

    def get_help(self, obj: Any) -> dict[str, str]:
        return texts(obj, "help")


class DimensionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()
    formula = serializers.CharField()

    def get_name(self, obj: Any) -> dict[str, str]:
        return texts(obj, "name")


class BandSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    low = serializers.IntegerField()
    high = serializers.IntegerField()

    def get_label(self, obj: Any) -> dict[str, str]:
        return texts(obj, "label")


class AdviceSerializer(serializers.Serializer):
    dimension = serializers.SerializerMethodField()
    bands = serializers.ListField(child=serializers.CharField())
    text = serializers.SerializerMethodField()
    labs = serializers.ListField(child=serializers.CharField(), source="lab_names")
    organisations = serializers.ListField(child=serializers.CharField(), source="organisation_names")

    def get_dimension(self, obj: Any) -> str | None:
        return obj.dimension.code if obj.dimension else None

    def get_text(self, obj: Any) -> dict[str, str]:
        return texts(obj, "text")


class QuestionnaireSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.CharField()
    title = serializers.SerializerMethodField()
    checksum = serializers.CharField()

    def get_title(self, obj: Any) -> dict[str, str]:
        return texts(obj, "title")


class QuestionnaireSerializer(QuestionnaireSummarySerializer):
    description = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()  # type: ignore[assignment]
    dimensions = DimensionSerializer(many=True, source="dimensions.all")
    questions = QuestionSerializer(many=True, source="questions.all")
    bands = BandSerializer(many=True, source="bands.all")
    advice = AdviceSerializer(many=True, source="advice.all")

    def get_description(self, obj: Any) -> dict[str, str]:
        return texts(obj, "description")

    def get_source(self, obj: Any) -> dict[str, str]:
        return texts(obj, "source_text")


class QuestionnaireListView(FunnelListView):
    """The scan questionnaires, in their current version."""

    permission_required = "funnel.view_questionnaire"
    serializer_class = QuestionnaireSummarySerializer

    def get_queryset(self) -> QuerySet[Questionnaire]:
        return funnel.questionnaire_list()


VERSION = OpenApiParameter("version", str, description=gettext_lazy("A version (default: the current one)."))


class QuestionnaireDetailView(FunnelView):
    """A questionnaire with its dimensions and scoring formulas, questions and options (numbered from
    1), bands and advice, in Dutch and English."""

    permission_required = "funnel.view_questionnaire"
    serializer_class = QuestionnaireSerializer
    extra_query_parameters = frozenset({"version"})
    pagination_class = None

    @extend_schema(parameters=[VERSION], responses={200: QuestionnaireSerializer, 404: ERRORS[404]})
    def get(self, request: Request, slug: str) -> Response:
        try:
            questionnaire = funnel.questionnaire_detail(
                slug=slug, version=request.query_params.get("version")
            )
        except Questionnaire.DoesNotExist as exc:
            raise exceptions.NotFound(_("There is no such questionnaire or version.")) from exc
        return Response(self.get_serializer(questionnaire).data)


class ScoreSerializer(serializers.Serializer):
    """The result shape of `deltaregio scan score` (scan-dma.md)."""

    questionnaire = serializers.CharField()
    version = serializers.CharField()
    dimensions = serializers.DictField(
        child=serializers.FloatField(), help_text=gettext_lazy("Score per dimension, 0-100, two decimals.")
    )
    overall = serializers.FloatField(
        help_text=gettext_lazy("Mean of the unrounded dimension scores, rounded half-up.")
    )
    band = serializers.CharField()


class ScoreView(FunnelView):
    """Score answers without storing anything: the request body is the answer file of `deltaregio scan
    score` (an object keyed by question code), the response exactly its output. Incomplete or invalid
    answers: 400 with the problems per question (code `answers_invalid`)."""

    permission_required = "funnel.view_questionnaire"
    write_permission = "funnel.view_questionnaire"
    extra_query_parameters = frozenset({"version"})
    pagination_class = None
    serializer_class = ScoreSerializer

    @extend_schema(
        parameters=[VERSION],
        request={
            "application/json": {
                "type": "object",
                "additionalProperties": True,
                "example": {"Q1": {"invested": [1, 4], "planned": [2]}, "Q2": [1, 2, 3]},
            }
        },
        responses={200: ScoreSerializer, **ERRORS},
    )
    def post(self, request: Request, slug: str) -> Response:
        self.check_query_parameters(request)
        try:
            questionnaire = funnel.questionnaire_version(
                slug=slug, version=request.query_params.get("version")
            )
        except Questionnaire.DoesNotExist as exc:
            raise exceptions.NotFound(_("There is no such questionnaire or version.")) from exc
        try:
            score = engine.score(funnel.questionnaire_spec(questionnaire), request.data)
        except engine.AnswersInvalid as exc:
            raise answers_invalid(exc) from exc
        return Response(score.as_json())


# --- scans ---------------------------------------------------------------------------------------


class ScanSerializer(serializers.Serializer):
    questionnaire = serializers.CharField(source="questionnaire.slug")
    version = serializers.CharField(source="questionnaire.version")
    status = serializers.CharField(help_text=gettext_lazy("in_progress, awaiting_verification or completed."))
    answers = serializers.DictField()
    missing = serializers.SerializerMethodField(
        help_text=gettext_lazy("Required questions without an answer.")
    )
    expires_at = serializers.DateTimeField()

    def get_missing(self, obj: Scan) -> list[str]:
        return engine.missing_questions(funnel.questionnaire_spec(obj.questionnaire), obj.answers)


class ScanStartSerializer(serializers.Serializer):
    questionnaire = serializers.SlugField(help_text=gettext_lazy("Questionnaire name, e.g. edih-dma-sme."))
    language = serializers.ChoiceField(choices=[("nl", "nl"), ("en", "en")], required=False)


class ScanStartedSerializer(ScanSerializer):
    token = serializers.CharField(
        help_text=gettext_lazy("The private token; shown once. Keep it to resume the scan.")
    )
    resume_url = serializers.CharField()


class ScanListView(FunnelView):
    """Start a scan, without an account. The answer gives the private token once: keep it to resume."""

    permission_required = "funnel.take_scan"
    write_permission = "funnel.take_scan"
    pagination_class = None
    serializer_class = ScanStartSerializer

    @extend_schema(request=ScanStartSerializer, responses={201: ScanStartedSerializer, 400: ERRORS[400]})
    def post(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            questionnaire = funnel.questionnaire_current(slug=data.validated_data["questionnaire"])
        except Questionnaire.DoesNotExist as exc:
            raise exceptions.ValidationError(
                {"questionnaire": [_("There is no such questionnaire.")]}
            ) from exc
        scan, token = services.scan_start(
            questionnaire=questionnaire,
            language=data.validated_data.get("language") or (get_language() or "nl"),
        )
        body = dict(ScanSerializer(scan).data)
        body["token"] = token
        body["resume_url"] = request.build_absolute_uri(f"/funnel/scan/{token}/")
        return Response(body, status=status.HTTP_201_CREATED)


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text=gettext_lazy("Answers keyed by question code, as in the answer file.")
    )
    clear = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy("Question codes whose answer is removed."),
    )


def _scan(token: str) -> Scan:
    try:
        return funnel.scan_by_token(token)
    except funnel.ScanLinkInvalid as exc:
        raise link_invalid() from exc


class ScanDetailView(FunnelView):
    """A scan through its private token: its answers so far and what is missing; PATCH saves answers
    (each is checked; nothing is saved when one is wrong). A wrong or expired token: 404, nothing more."""

    permission_required = "funnel.take_scan"
    write_permission = "funnel.take_scan"
    pagination_class = None
    serializer_class = ScanSerializer

    @extend_schema(responses={200: ScanSerializer, 404: ERRORS[404]})
    def get(self, request: Request, token: str) -> Response:
        return Response(ScanSerializer(_scan(token)).data)

    @extend_schema(request=AnswersSerializer, responses={200: ScanSerializer, **ERRORS})
    def patch(self, request: Request, token: str) -> Response:
        data = AnswersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            scan = services.scan_save_answers(
                token=token,
                answers=data.validated_data["answers"],
                clear=data.validated_data.get("clear", []),
            )
        except funnel.ScanLinkInvalid as exc:
            raise link_invalid() from exc
        except engine.AnswersInvalid as exc:
            raise answers_invalid(exc) from exc
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(ScanSerializer(scan).data)


class SubmitSerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    country = serializers.ChoiceField(choices=[("BE", "BE"), ("NL", "NL")])
    region = serializers.CharField(
        max_length=60, help_text=gettext_lazy("Province, e.g. Antwerpen or Noord-Brabant.")
    )
    email = serializers.EmailField()
    contact_consent = serializers.BooleanField(default=False)
    language = serializers.ChoiceField(choices=[("nl", "nl"), ("en", "en")], required=False)


class ScanSubmitView(FunnelView):
    """Submit a complete scan with the company and an e-mail address: a confirmation link is e-mailed;
    the result is stored once the address is confirmed (verify). Incomplete answers: 400 naming the
    missing questions."""

    permission_required = "funnel.take_scan"
    write_permission = "funnel.take_scan"
    pagination_class = None
    serializer_class = SubmitSerializer

    @extend_schema(request=SubmitSerializer, responses={202: ScanSerializer, **ERRORS})
    def post(self, request: Request, token: str) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            scan = services.scan_submit(
                token=token,
                company_name=values["company_name"],
                country=values["country"],
                region=values["region"],
                email=values["email"],
                contact_consent=values["contact_consent"],
                language=values.get("language") or (get_language() or "nl"),
                verify_url=lambda code: request.build_absolute_uri(f"/funnel/scan/{token}/verify/{code}/"),
            )
        except funnel.ScanLinkInvalid as exc:
            raise link_invalid() from exc
        except engine.AnswersInvalid as exc:
            raise answers_invalid(exc) from exc
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(ScanSerializer(scan).data, status=status.HTTP_202_ACCEPTED)


class VerifySerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=100, help_text=gettext_lazy("The code from the confirmation link.")
    )


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.CharField(source="journey.organisation.name")
    company_slug = serializers.CharField(source="journey.organisation.slug")
    wave = serializers.CharField(source="wave_label")
    verified_at = serializers.DateTimeField()
    result = serializers.SerializerMethodField()
    bands = serializers.SerializerMethodField(help_text=gettext_lazy("Band per dimension."))

    @extend_schema_field(ScoreSerializer)
    def get_result(self, obj: ScanResult) -> dict[str, Any]:
        return funnel.result_json(obj)

    def get_bands(self, obj: ScanResult) -> dict[str, str]:
        return {s.code: s.band for s in obj.scores.all()}


class ScanVerifyView(FunnelView):
    """Confirm the e-mail address of a submitted scan with the code from the link: the result is stored
    against the company (201); a repeated call returns the same result (200), never a second one."""

    permission_required = "funnel.take_scan"
    write_permission = "funnel.take_scan"
    pagination_class = None
    serializer_class = VerifySerializer

    @extend_schema(
        request=VerifySerializer, responses={200: ResultSerializer, 201: ResultSerializer, **ERRORS}
    )
    def post(self, request: Request, token: str) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        scan = _scan(token)
        existed = scan.status == Scan.Status.COMPLETED
        try:
            result = services.scan_verify(token=token, code=data.validated_data["code"])
        except funnel.ScanLinkInvalid as exc:
            raise link_invalid() from exc
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        stored = funnel.result_of_scan(scan) or result
        return Response(
            ResultSerializer(stored).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class ScanResultView(FunnelView):
    """The stored result of a scan, through its private token."""

    permission_required = "funnel.take_scan"
    pagination_class = None
    serializer_class = ResultSerializer

    @extend_schema(responses={200: ResultSerializer, 404: ERRORS[404]})
    def get(self, request: Request, token: str) -> Response:
        result = funnel.result_of_scan(_scan(token))
        if result is None:
            raise exceptions.NotFound(_("This scan has no result yet."))
        return Response(ResultSerializer(result).data)


class ResultListView(FunnelListView):
    """Stored results: SME users see their company's, lab partners those of their assigned SMEs that
    consented to contact, officers all."""

    permission_required = "funnel.view_result"
    audience = gettext_lazy(
        "SME users, lab partners of a Fokus partner, programme officers; each sees only what is theirs."
    )
    serializer_class = ResultSerializer

    def get_queryset(self) -> QuerySet[ScanResult]:
        return funnel.visible_results(self.request.user)


class ResultDetailView(FunnelView):
    """One stored result (as the list: a result one may not see does not exist)."""

    permission_required = "funnel.view_result"
    audience = ResultListView.audience
    serializer_class = ResultSerializer
    pagination_class = None

    @extend_schema(responses={200: ResultSerializer, 404: ERRORS[404]})
    def get(self, request: Request, pk: int) -> Response:
        result = funnel.visible_results(request.user).filter(pk=pk).first()
        if result is None:
            raise Http404
        return Response(ResultSerializer(result).data)


# --- journeys and their steps --------------------------------------------------------------------


class JourneySerializer(serializers.Serializer):
    company = serializers.CharField(source="organisation.name")
    slug = serializers.CharField(source="organisation.slug")
    country = serializers.SerializerMethodField()
    region = serializers.CharField(source="organisation.region")
    partner = serializers.SerializerMethodField()
    consent = serializers.SerializerMethodField(
        help_text=gettext_lazy("Whether the SME's latest choice allows contact.")
    )
    stages = serializers.SerializerMethodField()

    def get_country(self, obj: Journey) -> str:
        return str(getattr(obj.organisation.country, "code", "") or "")

    def get_partner(self, obj: Journey) -> str | None:
        return obj.partner.slug if obj.partner else None

    def get_consent(self, obj: Journey) -> bool:
        return bool(getattr(obj, "consent_given", False))

    def get_stages(self, obj: Journey) -> dict[str, int]:
        return {
            "scans": getattr(obj, "result_count", 0),
            "intakes": getattr(obj, "intake_count", 0),
            "workshops": getattr(obj, "registration_count", 0),
            "trajectories": getattr(obj, "trajectory_count", 0),
            "plans": getattr(obj, "plan_count", 0),
        }


class JourneyListView(FunnelListView):
    """The SMEs' journeys through the funnel, as each role may see them."""

    permission_required = "funnel.view_journey"
    audience = ResultListView.audience
    serializer_class = JourneySerializer

    def get_queryset(self) -> QuerySet[Journey]:
        return funnel.journey_list(user=self.request.user)


def _journey_for(request: Request, slug: str, perm: str) -> Journey:
    journey = (
        funnel.visible_journeys(request.user)
        .select_related("organisation", "partner")
        .filter(organisation__slug=slug)
        .first()
    )
    if journey is None:
        raise exceptions.ValidationError(
            {"journey": [_("There is no company %(slug)s that you follow.") % {"slug": slug}]}
        )
    if not request.user.has_perm(perm, journey):
        raise exceptions.PermissionDenied
    return journey


def _organisation(slug: str, field: str) -> Organisation:
    org = funnel.fokus_partners().filter(slug=slug).first()
    if org is None:
        raise exceptions.ValidationError({field: [_("%(slug)s is not a Fokus partner.") % {"slug": slug}]})
    return org


def _lab(slug: str) -> Lab:
    lab = funnel.fokus_lab_queryset().filter(slug=slug).first()
    if lab is None:
        raise exceptions.ValidationError(
            {"lab": [_("%(slug)s is not a practice lab of the funnel.") % {"slug": slug}]}
        )
    return lab


class IntakeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    journey = serializers.SlugField(help_text=gettext_lazy("The company's slug."))
    partner = serializers.SlugField(help_text=gettext_lazy("The Fokus partner's slug."))
    held_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=Topic.choices), required=False, default=list
    )
    technologies = serializers.ListField(
        child=serializers.ChoiceField(choices=Technology.choices), required=False, default=list
    )
    questions = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, default=list
    )

    def to_representation(self, obj: Intake) -> dict[str, Any]:
        return {
            "id": obj.pk,
            "journey": obj.journey.organisation.slug,
            "partner": obj.partner.slug,
            "held_on": obj.held_on.isoformat(),
            "notes": obj.notes,
            "topics": obj.topics,
            "technologies": obj.technologies,
            "questions": [q.text for q in obj.questions.all()],
        }


class StepListView(FunnelListView):
    """Base of a step list: GET lists what the user may see, POST records a step for a journey the
    user works on (officers; lab partners of the assigned Fokus partner, with the SME's consent)."""

    permission_required = "funnel.view_journey"
    write_permission = "funnel.record_step"
    audience = gettext_lazy(
        "Read: SME users, lab partners of a Fokus partner, programme officers (each their own). "
        "Write: programme officers and lab partners of the SME's assigned Fokus partner."
    )

    def check_partner(self, request: Request, partner: Organisation) -> None:
        if not request.user.has_perm(
            "funnel.assign_partner"
        ) and partner.pk not in funnel.partner_organisation_ids(request.user):
            raise exceptions.ValidationError(
                {"partner": [_("You do not act for %(name)s.") % {"name": partner.name}]}
            )


class IntakeListView(StepListView):
    """Intake conversations with the questions the SMEs raised."""

    serializer_class = IntakeSerializer

    def get_queryset(self) -> QuerySet[Intake]:
        return funnel.intake_list(user=self.request.user)

    @extend_schema(request=IntakeSerializer, responses={201: IntakeSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        journey = _journey_for(request, values["journey"], "funnel.record_step")
        partner = _organisation(values["partner"], "partner")
        self.check_partner(request, partner)
        try:
            intake = services.intake_record(
                journey=journey,
                partner=partner,
                held_on=values["held_on"],
                notes=values["notes"],
                topics=values["topics"],
                technologies=values["technologies"],
                questions=values["questions"],
                recorded_by=request.user,
            )
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(IntakeSerializer(intake).data, status=status.HTTP_201_CREATED)


class TrajectorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    journey = serializers.SlugField()
    lab = serializers.SlugField()
    partner = serializers.SlugField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")

    def to_representation(self, obj: Trajectory) -> dict[str, Any]:
        return {
            "id": obj.pk,
            "journey": obj.journey.organisation.slug,
            "lab": obj.lab.slug,
            "partner": obj.partner.slug,
            "start_date": obj.start_date.isoformat(),
            "end_date": obj.end_date.isoformat() if obj.end_date else None,
            "outcome": obj.outcome,
        }


class TrajectoryListView(StepListView):
    """Trajectories of SMEs in the practice labs."""

    serializer_class = TrajectorySerializer

    def get_queryset(self) -> QuerySet[Trajectory]:
        return funnel.trajectory_list(user=self.request.user)

    @extend_schema(request=TrajectorySerializer, responses={201: TrajectorySerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        journey = _journey_for(request, values["journey"], "funnel.record_step")
        partner = _organisation(values["partner"], "partner")
        self.check_partner(request, partner)
        try:
            trajectory = services.trajectory_record(
                journey=journey,
                lab=_lab(values["lab"]),
                partner=partner,
                start_date=values["start_date"],
                end_date=values["end_date"],
                outcome=values["outcome"],
            )
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(TrajectorySerializer(trajectory).data, status=status.HTTP_201_CREATED)


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=300)
    owner = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    due = serializers.DateField(required=False, allow_null=True, default=None)
    cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    journey = serializers.SlugField()
    partner = serializers.SlugField()
    trajectory = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    situation = serializers.CharField()
    goals = serializers.CharField()
    actions = ActionSerializer(many=True, required=False, default=list)
    indicators = serializers.CharField(required=False, allow_blank=True, default="")
    investment = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    status = serializers.CharField(read_only=True)
    finalised_on = serializers.DateField(read_only=True)

    def to_representation(self, obj: ImplementationPlan) -> dict[str, Any]:
        return {
            "id": obj.pk,
            "journey": obj.journey.organisation.slug,
            "partner": obj.partner.slug,
            "trajectory": obj.trajectory_id,
            "title": obj.title,
            "situation": obj.situation,
            "goals": obj.goals,
            "actions": obj.actions,
            "indicators": obj.indicators,
            "investment": f"{obj.investment:.2f}" if obj.investment is not None else None,
            "status": obj.status,
            "finalised_on": obj.finalised_on.isoformat() if obj.finalised_on else None,
        }


class PlanListView(StepListView):
    """Implementation plans (a draft until finalised); the PDF is at /funnel/plans/{id}.pdf."""

    serializer_class = PlanSerializer

    def get_queryset(self) -> QuerySet[ImplementationPlan]:
        return funnel.plan_list(user=self.request.user)

    @extend_schema(request=PlanSerializer, responses={201: PlanSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        journey = _journey_for(request, values["journey"], "funnel.record_step")
        partner = _organisation(values["partner"], "partner")
        self.check_partner(request, partner)
        trajectory = None
        if values["trajectory"] is not None:
            trajectory = funnel.trajectory_list(user=request.user).filter(pk=values["trajectory"]).first()
            if trajectory is None:
                raise exceptions.ValidationError({"trajectory": [_("There is no such trajectory.")]})
        actions = [
            {
                "action": a["action"],
                "owner": a["owner"],
                "due": a["due"].isoformat() if a["due"] else "",
                "cost": str(a["cost"]) if a["cost"] is not None else "",
            }
            for a in values["actions"]
        ]
        try:
            plan = services.plan_create(
                journey=journey,
                partner=partner,
                trajectory=trajectory,
                title=values["title"],
                situation=values["situation"],
                goals=values["goals"],
                actions=actions,
                indicators=values["indicators"],
                investment=values["investment"],
            )
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanFinaliseView(FunnelView):
    """Make a draft plan final (once; a final plan is refused with `plan_already_final`)."""

    permission_required = "funnel.view_journey"
    write_permission = "funnel.record_step"
    audience = StepListView.audience
    serializer_class = PlanSerializer
    pagination_class = None

    @extend_schema(request=None, responses={200: PlanSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        plan = funnel.plan_list(user=request.user).filter(pk=pk).first()
        if plan is None:
            raise Http404
        self.check_object_permissions(request, plan)
        try:
            plan = services.plan_finalise(plan=plan)
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(PlanSerializer(funnel.plan_list(user=request.user).get(pk=plan.pk)).data)


class WorkshopSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    lab = serializers.SlugField()
    places = serializers.IntegerField(min_value=1, max_value=500)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    questions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=gettext_lazy("Ids of the SME questions it answers."),
    )
    registered = serializers.IntegerField(read_only=True)

    def to_representation(self, obj: Workshop) -> dict[str, Any]:
        return {
            "id": obj.pk,
            "title": obj.title,
            "held_on": obj.held_on.isoformat(),
            "lab": obj.lab.slug,
            "places": obj.places,
            "description": obj.description,
            "questions": [q.pk for q in obj.questions.all()],
            "registered": getattr(obj, "registered", None)
            if hasattr(obj, "registered")
            else obj.registrations.count(),
        }


class WorkshopListView(FunnelListView):
    """Workshops in the practice labs (officers and lab partners of a Fokus partner); POST plans one."""

    permission_required = "funnel.manage_workshops"
    write_permission = "funnel.manage_workshops"
    serializer_class = WorkshopSerializer

    def get_queryset(self) -> QuerySet[Workshop]:
        return funnel.workshop_list()

    @extend_schema(request=WorkshopSerializer, responses={201: WorkshopSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        questions = list(funnel.open_questions(user=request.user).filter(pk__in=values["questions"]))
        unknown = set(values["questions"]) - {q.pk for q in questions}
        if unknown:
            raise exceptions.ValidationError(
                {
                    "questions": [
                        _("Unknown question(s): %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))}
                    ]
                }
            )
        try:
            workshop = services.workshop_create(
                title=values["title"],
                held_on=values["held_on"],
                lab=_lab(values["lab"]),
                places=values["places"],
                description=values["description"],
                questions=questions,
            )
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(
            WorkshopSerializer(funnel.workshop_detail(pk=workshop.pk)).data, status=status.HTTP_201_CREATED
        )


class RegistrationSerializer(serializers.Serializer):
    journey = serializers.SlugField(help_text=gettext_lazy("The company's slug."))


class WorkshopRegistrationView(FunnelView):
    """Register a company for a workshop; a full workshop (`workshop_full`) or a second registration
    (`already_registered`) is refused. Two registrations at once cannot take the last place twice."""

    permission_required = "funnel.manage_workshops"
    write_permission = "funnel.manage_workshops"
    serializer_class = RegistrationSerializer
    pagination_class = None

    @extend_schema(request=RegistrationSerializer, responses={201: WorkshopSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            workshop = funnel.workshop_detail(pk=pk)
        except Workshop.DoesNotExist as exc:
            raise Http404 from exc
        journey = _journey_for(request, data.validated_data["journey"], "funnel.view_journey")
        try:
            services.workshop_register(workshop=workshop, journey=journey)
        except services.FunnelError as exc:
            raise funnel_error(exc) from exc
        return Response(
            WorkshopSerializer(funnel.workshop_detail(pk=pk)).data, status=status.HTTP_201_CREATED
        )


# --- the funnel ----------------------------------------------------------------------------------


class FunnelQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    country = serializers.ChoiceField(choices=[("BE", "BE"), ("NL", "NL")], required=False)
    region = serializers.CharField(required=False, max_length=120)
    partner = serializers.SlugField(required=False)
    questionnaire = serializers.SlugField(required=False)
    band = serializers.CharField(required=False, max_length=40)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end of the period is before its start.")]})
        if attrs.get("band") and not attrs.get("questionnaire"):
            raise serializers.ValidationError({"band": [_("A band needs a questionnaire.")]})
        return attrs


class TargetSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=True)
    value_text = serializers.CharField()
    quote = serializers.CharField()
    source = serializers.SerializerMethodField()  # type: ignore[assignment]

    def get_source(self, obj: Any) -> dict[str, str]:
        return obj.source_dict()


class StageSerializer(serializers.Serializer):
    stage = serializers.CharField(source="key")
    companies = serializers.IntegerField(source="count")
    conversion_percent = serializers.DecimalField(
        source="conversion", max_digits=6, decimal_places=1, allow_null=True
    )
    targets = TargetSerializer(many=True)


class FunnelSerializer(serializers.Serializer):
    stages = StageSerializer(many=True)


FUNNEL_PARAMETERS = [
    OpenApiParameter("start", str, description=gettext_lazy("First day of the period (YYYY-MM-DD).")),
    OpenApiParameter("end", str, description=gettext_lazy("Last day of the period (YYYY-MM-DD).")),
    OpenApiParameter("country", str, enum=["BE", "NL"]),
    OpenApiParameter("region", str, description=gettext_lazy("Province of the companies.")),
    OpenApiParameter("partner", str, description=gettext_lazy("Slug of the assigned Fokus partner.")),
    OpenApiParameter(
        "questionnaire", str, description=gettext_lazy("Count scans of this questionnaire only.")
    ),
    OpenApiParameter(
        "band",
        str,
        description=gettext_lazy("Only companies whose latest result of the questionnaire is in this band."),
    ),
]


class FunnelFiguresView(FunnelView):
    """The funnel: companies per stage (scans, intakes, workshops, trajectories, plans), the
    conversion from the stage before, and the targets of document 004 with their source. Public and
    aggregated: no company is named."""

    permission_required = "funnel.view_funnel_figures"
    serializer_class = FunnelSerializer
    pagination_class = None
    extra_query_parameters = frozenset(
        {"start", "end", "country", "region", "partner", "questionnaire", "band"}
    )

    @extend_schema(parameters=FUNNEL_PARAMETERS, responses={200: FunnelSerializer, 400: ERRORS[400]})
    def get(self, request: Request) -> Response:
        query = FunnelQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        partner = None
        if values.get("partner"):
            partner = _organisation(values["partner"], "partner")
        flt = funnel.FunnelFilter(
            start=values.get("start"),
            end=values.get("end"),
            country=values.get("country", ""),
            region=values.get("region", ""),
            partner=partner,
            questionnaire=values.get("questionnaire", ""),
            band=values.get("band", ""),
        )
        return Response(FunnelSerializer({"stages": funnel.funnel(flt)}).data)
