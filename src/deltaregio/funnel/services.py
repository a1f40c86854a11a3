"""Writes for the SME funnel. Every function is keyword-only and atomic (scan_submit through one
conditional UPDATE rather than a transaction, see there); decision-bearing records (results,
journeys, steps) keep their history with django-simple-history.

The scan is a state machine: in progress → awaiting verification → completed. One function per
transition: scan_start, scan_save_answers (in progress only), scan_submit (→ awaiting verification,
sends the e-mail), scan_verify (→ completed, stores the result; idempotent).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from deltaregio.directory.models import Lab, Organisation
from deltaregio.funnel import engine
from deltaregio.funnel import selectors as funnel_selectors
from deltaregio.funnel.models import (
    Advice,
    Band,
    ContactConsent,
    Dimension,
    DimensionScore,
    ImplementationPlan,
    Intake,
    Journey,
    Option,
    Question,
    Questionnaire,
    Scan,
    ScanResult,
    SmeQuestion,
    Technology,
    Topic,
    Trajectory,
    Workshop,
    WorkshopRegistration,
)

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
RESUME_DAYS = 30  # a resume link stays valid this long after the last save
RESULT_LINK_DAYS = 365  # the private link to a result stays valid this long after verification
SME_KINDS = (Organisation.Kind.SME, Organisation.Kind.COMPANY)


class FunnelError(Exception):
    """A write the funnel refuses; `code` is a machine code, the message says why."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ScanNotEditable(FunnelError):
    code = "scan_not_editable"


class VerificationInvalid(FunnelError):
    code = "verification_invalid"


class CompanyRefused(FunnelError):
    code = "company_refused"


class NotAFokusPartner(FunnelError):
    code = "not_a_fokus_partner"


class WorkshopFull(FunnelError):
    code = "workshop_full"


class AlreadyRegistered(FunnelError):
    code = "already_registered"


class PlanAlreadyFinal(FunnelError):
    code = "plan_already_final"


# --- loading questionnaires ----------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice in one mapping (plain YAML would keep the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    keys = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} given twice", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class LoadOutcome:
    slug: str
    version: str
    file_name: str
    created: bool


def questionnaire_read(path: Path) -> engine.QuestionnaireSpec:
    """Read and check one questionnaire file. Raises engine.DefinitionError naming the file."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
        return engine.spec_from_definition(data)
    except (OSError, yaml.YAMLError) as exc:
        raise engine.DefinitionError(f"{path.name}: {exc}") from exc
    except engine.DefinitionError as exc:
        raise engine.DefinitionError(f"{path.name}: {exc}") from exc


def _version_key(version: str) -> tuple[Any, ...]:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in version.split("."))


@transaction.atomic
def questionnaires_load(*, directory: Path | None = None) -> list[LoadOutcome]:
    """Load every questionnaire file (funnel/questionnaires/*.yaml) that is not loaded yet, and make
    the highest version of each questionnaire the current one. All or nothing: a version that is
    already loaded with other content is refused (a changed questionnaire needs a new version)."""
    paths = sorted((directory or QUESTIONNAIRE_DIR).glob("*.yaml"))
    specs = [(path, questionnaire_read(path)) for path in paths]
    seen: dict[tuple[str, str], str] = {}
    for path, spec in specs:
        other = seen.setdefault((spec.slug, spec.version), path.name)
        if other != path.name:
            raise engine.DefinitionError(
                f"{path.name}: {spec.slug} {spec.version} is also defined in {other}"
            )
    outcomes = [_questionnaire_store(spec, path.name) for path, spec in specs]
    for slug in {spec.slug for _path, spec in specs}:
        versions = list(Questionnaire.objects.filter(slug=slug))
        newest = max(versions, key=lambda q: _version_key(q.version))
        Questionnaire.objects.filter(slug=slug).exclude(pk=newest.pk).update(is_current=False)
        Questionnaire.objects.filter(pk=newest.pk).update(is_current=True)
    return outcomes


def _questionnaire_store(spec: engine.QuestionnaireSpec, file_name: str) -> LoadOutcome:
    existing = Questionnaire.objects.filter(slug=spec.slug, version=spec.version).first()
    if existing is not None:
        if existing.checksum != spec.checksum:
            raise engine.DefinitionError(
                f"{file_name}: {spec.slug} version {spec.version} is already loaded with other content; "
                "results were scored with it, so a changed questionnaire needs a new version"
            )
        return LoadOutcome(spec.slug, spec.version, file_name, created=False)
    questionnaire = Questionnaire.objects.create(
        slug=spec.slug,
        version=spec.version,
        file_name=file_name,
        definition=dict(spec.definition),
        checksum=spec.checksum,
        **_texts("title", spec.title),
        **_texts("description", spec.description),
        **_texts("source_text", spec.source),
    )
    dimensions = {}
    for order, dim in enumerate(spec.dimensions, start=1):
        dimensions[dim.code] = Dimension.objects.create(
            questionnaire=questionnaire,
            code=dim.code,
            order=order,
            formula=dim.formula,
            **_texts("name", dim.name),
            **_texts("description", dim.description),
        )
    for order, q in enumerate(spec.questions, start=1):
        question = Question.objects.create(
            questionnaire=questionnaire,
            dimension=dimensions.get(q.dimension) if q.dimension else None,
            code=q.code,
            order=order,
            kind=q.kind.value,
            required=q.required,
            columns=[{"code": c.code, "nl": c.label.nl, "en": c.label.en} for c in q.columns],
            scale=[
                {"code": v.code, "value": str(v.value), "nl": v.label.nl, "en": v.label.en}
                for v in (q.scale.values if q.scale else ())
            ],
            **_texts("text", q.text),
            **_texts("help", q.help),
        )
        Option.objects.bulk_create(
            Option(
                question=question,
                number=o.number,
                points=Decimal(o.points.numerator) / Decimal(o.points.denominator),
                excludes_others=o.excludes_others,
                text=o.text.nl,
                text_nl=o.text.nl,
                text_en=o.text.en,
            )
            for o in q.options
        )
    Band.objects.bulk_create(
        Band(
            questionnaire=questionnaire,
            code=b.code,
            low=b.low,
            high=b.high,
            label=b.label.nl,
            label_nl=b.label.nl,
            label_en=b.label.en,
        )
        for b in spec.bands
    )
    Advice.objects.bulk_create(
        Advice(
            questionnaire=questionnaire,
            dimension=dimensions[a.dimension] if a.dimension else None,
            order=order,
            bands=list(a.bands),
            lab_names=list(a.labs),
            organisation_names=list(a.organisations),
            text=a.text.nl,
            text_nl=a.text.nl,
            text_en=a.text.en,
        )
        for order, a in enumerate(spec.advice, start=1)
    )
    return LoadOutcome(spec.slug, spec.version, file_name, created=True)


def _texts(name: str, text: engine.Text) -> dict[str, str]:
    return {name: text.nl, f"{name}_nl": text.nl, f"{name}_en": text.en}


# --- the scan ------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


@transaction.atomic
def scan_start(*, questionnaire: Questionnaire, language: str) -> tuple[Scan, str]:
    """Start a scan of the questionnaire's current version; return it and its private token (the
    token is not stored, only its hash: it is shown once, in the resume link)."""
    token = secrets.token_urlsafe(32)
    scan = Scan.objects.create(
        questionnaire=questionnaire,
        token_hash=funnel_selectors.token_hash(token),
        language=language[:2] if language else "nl",
        expires_at=_now() + dt.timedelta(days=RESUME_DAYS),
    )
    return scan, token


@transaction.atomic
def scan_save_answers(*, token: str, answers: Mapping[str, Any], clear: Iterable[str] = ()) -> Scan:
    """Save some answers of a scan in progress (the others stay as they were; the codes in `clear`
    are removed). Every given answer is checked; nothing is saved when one is wrong."""
    scan = funnel_selectors.scan_by_token(token, for_update=True)
    if scan.status != Scan.Status.IN_PROGRESS:
        raise ScanNotEditable(_("This scan has been submitted; its answers can no longer be changed."))
    spec = funnel_selectors.questionnaire_spec(scan.questionnaire)
    normalized = engine.validate_answers(spec, answers, complete=False)
    merged = {k: v for k, v in scan.answers.items() if k not in set(clear)}
    merged.update(normalized)
    scan.answers = merged
    scan.expires_at = _now() + dt.timedelta(days=RESUME_DAYS)
    scan.save(update_fields=["answers", "expires_at", "updated_at"])
    return scan


def consent_text(company: str, language: str) -> str:
    """The exact text the SME agrees to when it lets a partner contact it."""
    with override(language):
        return _(
            "I agree that a Fokus project partner may contact %(company)s by e-mail about this scan, an "
            "intake conversation, workshops and lab trajectories. I can withdraw this at any time on the "
            "result page."
        ) % {"company": company}


#: The states a scan can be submitted from: a completed scan keeps its stored result.
SUBMITTABLE = (Scan.Status.IN_PROGRESS, Scan.Status.AWAITING_VERIFICATION)


def scan_submit(
    *,
    token: str,
    company_name: str,
    country: str,
    region: str,
    email: str,
    contact_consent: bool,
    language: str,
    verify_url: Callable[[str], str],
) -> Scan:
    """Submit a complete scan: check that every question is answered and valid, keep the company's
    details and send the verification e-mail (whose link `verify_url(code)` builds). Submitting again
    before verification sends a new link; the earlier one stops working.

    Optimistic: the scan is read without a lock and written with one conditional UPDATE, which holds
    only if the row is still as it was read (its `updated_at`), still submittable, its link still
    valid and the company's name not the directory's name of another kind of organisation (the
    directory check is part of the UPDATE: two round trips in all). When another request changed the
    scan in between — a second submit, a save, its verification — or the name is refused, the submit
    is made again under the row lock on what that request left, with every check in Python: a
    completed scan is refused, changed answers are checked again, a refused name is explained. When
    the e-mail cannot be sent the submission is undone (as a rollback did before) and the error
    raised."""
    scan = funnel_selectors.scan_by_token(token)
    code = secrets.token_urlsafe(24)
    details: dict[str, Any] = {
        "company_name": company_name,
        "country": country,
        "region": region,
        "email": email,
        "contact_consent": contact_consent,
        "language": language,
    }
    spec, changes = _submission(scan, code=code, check_company=False, **details)
    written = (
        Scan.objects.alias(directory_kind=_directory_kind(changes["company_name"]))
        .filter(
            directory_kind__in=SME_KINDS,  # as _company_check
            pk=scan.pk,
            updated_at=scan.updated_at,
            status__in=SUBMITTABLE,
            expires_at__gt=changes["submitted_at"],
        )
        .update(**changes)
        == 1
    )
    if not written:  # changed meanwhile, or a company name the directory refuses: say why, under the lock
        with transaction.atomic():
            scan = funnel_selectors.scan_by_token(token, for_update=True)
            spec, changes = _submission(scan, code=code, check_company=True, **details)
            Scan.objects.filter(pk=scan.pk).update(**changes)
    before = {name: getattr(scan, name) for name in changes}
    for name, value in changes.items():
        setattr(scan, name, value)
    try:
        _send_verification_mail(scan, spec, verify_url(code))
    except Exception:
        # nothing was sent: put the scan back as it was, unless another request changed it since
        Scan.objects.filter(pk=scan.pk, verification_hash=changes["verification_hash"]).update(**before)
        raise
    return scan


def _submission(
    scan: Scan,
    *,
    code: str,
    company_name: str,
    country: str,
    region: str,
    email: str,
    contact_consent: bool,
    language: str,
    check_company: bool,
) -> tuple[engine.QuestionnaireSpec, dict[str, Any]]:
    """Check a scan for submitting and give the fields its submission writes (the answers, unchanged,
    are not written again). Raises ScanNotEditable, AnswersInvalid, FunnelError or, with
    `check_company`, CompanyRefused."""
    if scan.status == Scan.Status.COMPLETED:
        raise ScanNotEditable(_("This scan is already completed; its result is stored."))
    spec = funnel_selectors.questionnaire_spec(scan.questionnaire)
    # raises AnswersInvalid naming missing and wrong questions; the score itself is made at verification
    engine.validate_answers(spec, scan.answers, complete=True)
    name = " ".join(company_name.split())
    if not name:
        raise FunnelError(_("Give the name of your company."), field="company_name")
    if check_company:
        _company_check(name)
    now = _now()
    return spec, {
        "company_name": name,
        "company_country": country.upper()[:2],
        "company_region": region.strip()[:120],
        "email": email.strip(),
        "contact_consent": contact_consent,
        "consent_text": consent_text(name, language) if contact_consent else "",
        "language": language[:2] or scan.language,
        "verification_hash": funnel_selectors.token_hash(code),
        "status": Scan.Status.AWAITING_VERIFICATION,
        "submitted_at": now,
        "expires_at": now + dt.timedelta(days=RESUME_DAYS),
        "updated_at": now,
    }


def _send_verification_mail(scan: Scan, spec: engine.QuestionnaireSpec, link: str) -> None:
    with override(scan.language):
        subject = _("Confirm your e-mail address to see your scan result")
        body = _(
            "Hello,\n\nYou completed the scan “%(title)s” for %(company)s on Deltaregio.\n"
            "Open this link to confirm your e-mail address; your result is then stored and shown:\n\n"
            "%(link)s\n\nThe link works for %(days)d days. "
            "If you did not take this scan, ignore this message.\n"
        ) % {
            "title": spec.title.get(scan.language),
            "company": scan.company_name,
            "link": link,
            "days": RESUME_DAYS,
        }
    send_mail(subject, body, None, [scan.email])


def _directory_kind(name: str) -> Coalesce:
    """The kind of the organisation `_company_check` finds for the name, as SQL; an SME when none."""
    first = Organisation.objects.filter(name__iexact=name).order_by("name", "pk").values("kind")[:1]
    return Coalesce(Subquery(first), Value(Organisation.Kind.SME))


def _company_check(name: str) -> Organisation | None:
    existing = Organisation.objects.filter(name__iexact=name).order_by("name", "pk").first()
    if existing is not None and existing.kind not in SME_KINDS:
        raise CompanyRefused(
            _("%(name)s is in the directory as a %(kind)s, not as a company; give the name of your company.")
            % {"name": existing.name, "kind": existing.get_kind_display()},
            field="company_name",
        )
    return existing


def company_ensure(*, name: str, country: str, region: str) -> Organisation:
    """The SME company of a scan: the directory's organisation of that name, or a new one of kind SME."""
    existing = _company_check(name)
    if existing is not None:
        return existing
    base = slugify(name)[:70] or "sme"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Organisation.objects.create(
        name=name,
        slug=slug,
        kind=Organisation.Kind.SME,
        country=country,
        region=region,
        source_document="funnel scan",
        source_location=_("company given with a verified scan"),
    )


def journey_ensure(*, organisation: Organisation) -> Journey:
    journey, _created = Journey.objects.get_or_create(organisation=organisation)
    return journey


@transaction.atomic
def scan_verify(*, token: str, code: str) -> ScanResult:
    """Verify the e-mail address of a submitted scan and store its result against the company.

    Idempotent: a second call (a double click, a retry) returns the result the first one stored.
    The scan's row is locked while the result is made, and a scan has at most one result
    (a database constraint), so concurrent calls also make one result."""
    scan = funnel_selectors.scan_by_token(token, for_update=True)
    existing = ScanResult.objects.filter(scan=scan).first()
    if existing is not None:
        return existing
    if (
        scan.status != Scan.Status.AWAITING_VERIFICATION
        or not scan.verification_hash
        or not hmac.compare_digest(scan.verification_hash, funnel_selectors.token_hash(code or ""))
    ):
        raise VerificationInvalid(
            _("This confirmation link is not valid. Submit the scan again for a new link.")
        )
    spec = funnel_selectors.questionnaire_spec(scan.questionnaire)
    score = engine.score(spec, scan.answers)
    organisation = company_ensure(
        name=scan.company_name, country=scan.company_country, region=scan.company_region
    )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)  # serialises waves
    journey = journey_ensure(organisation=organisation)
    wave = ScanResult.objects.filter(journey=journey, questionnaire_slug=spec.slug).count()
    now = _now()
    try:
        with transaction.atomic():
            result = ScanResult.objects.create(
                scan=scan,
                journey=journey,
                questionnaire=scan.questionnaire,
                questionnaire_slug=spec.slug,
                wave=wave,
                answers=score.answers,
                overall=score.overall_reported,
                overall_exact=str(score.overall),
                band=score.band.code,
                email=scan.email,
                verified_at=now,
            )
    except IntegrityError:  # a concurrent call stored it first (only without row locks, e.g. SQLite)
        return ScanResult.objects.get(scan=scan)
    dimensions = {d.code: d for d in scan.questionnaire.dimensions.all()}
    DimensionScore.objects.bulk_create(
        DimensionScore(
            result=result,
            dimension=dimensions[d.code],
            code=d.code,
            order=dimensions[d.code].order,
            score=d.reported,
            exact=str(d.value),
            band=d.band.code,
        )
        for d in score.dimensions
    )
    if scan.contact_consent:
        ContactConsent.objects.create(
            journey=journey,
            result=result,
            given=True,
            text=scan.consent_text,
            language=scan.language,
            email=scan.email,
        )
    scan.status = Scan.Status.COMPLETED
    scan.verification_hash = ""
    scan.expires_at = now + dt.timedelta(days=RESULT_LINK_DAYS)
    scan.save(update_fields=["status", "verification_hash", "expires_at", "updated_at"])
    return result


@transaction.atomic
def consent_record(*, token: str, given: bool, language: str) -> ContactConsent:
    """Record the SME's choice to let a partner contact it (or to withdraw that), from its result page."""
    scan = funnel_selectors.scan_by_token(token, for_update=True)
    result = ScanResult.objects.filter(scan=scan).select_related("journey__organisation").first()
    if result is None:
        raise ScanNotEditable(_("Consent can be given once the result is stored."))
    company = result.journey.organisation.name
    text = consent_text(company, language)
    if not given:
        with override(language):
            text = _("I withdraw my consent to be contacted: %(text)s") % {"text": text}
    return ContactConsent.objects.create(
        journey=result.journey,
        result=result,
        given=given,
        text=text,
        language=language[:2],
        email=result.email,
    )


@transaction.atomic
def scans_purge_expired() -> int:
    """Delete the scans whose link expired before a result was stored (with their e-mail address)."""
    expired = Scan.objects.filter(expires_at__lte=_now(), result__isnull=True)
    count = expired.count()
    expired.delete()
    return count


# --- the steps after the scan --------------------------------------------------------------------


def _require_fokus_partner(partner: Organisation) -> None:
    if partner.pk not in funnel_selectors.fokus_partner_ids():
        raise NotAFokusPartner(
            _("%(name)s is not a partner of the Fokus project.") % {"name": partner.name}, field="partner"
        )


def _tags(values: Iterable[str], choices: type[Topic] | type[Technology], field: str) -> list[str]:
    values = list(dict.fromkeys(values))
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise FunnelError(_("Unknown tag(s): %(tags)s.") % {"tags": ", ".join(unknown)}, field=field)
    return values


@transaction.atomic
def journey_assign_partner(*, journey: Journey, partner: Organisation | None) -> Journey:
    """Assign the Fokus partner that follows the SME up (officers)."""
    if partner is not None:
        _require_fokus_partner(partner)
    journey.partner = partner
    journey.save(update_fields=["partner"])
    return journey


@transaction.atomic
def intake_record(
    *,
    journey: Journey,
    partner: Organisation,
    held_on: dt.date,
    notes: str,
    topics: Iterable[str] = (),
    technologies: Iterable[str] = (),
    questions: Iterable[str] = (),
    recorded_by: Any = None,
) -> Intake:
    """Record an intake conversation, with the questions the SME raised (tagged like the intake)."""
    _require_fokus_partner(partner)
    if held_on > timezone.localdate():
        raise FunnelError(
            _("An intake is recorded after it was held; the date is in the future."), field="held_on"
        )
    topic_list = _tags(topics, Topic, "topics")
    technology_list = _tags(technologies, Technology, "technologies")
    intake = Intake.objects.create(
        journey=journey,
        partner=partner,
        held_on=held_on,
        notes=notes.strip(),
        topics=topic_list,
        technologies=technology_list,
        recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
    )
    for text in questions:
        if text.strip():
            SmeQuestion.objects.create(
                journey=journey,
                intake=intake,
                text=text.strip(),
                topics=topic_list,
                technologies=technology_list,
            )
    if journey.partner_id is None:
        journey.partner = partner
        journey.save(update_fields=["partner"])
    return intake


@transaction.atomic
def workshop_create(
    *,
    title: str,
    held_on: dt.date,
    lab: Lab,
    places: int,
    description: str = "",
    questions: Iterable[SmeQuestion] = (),
) -> Workshop:
    if places < 1:
        raise FunnelError(_("A workshop has at least one place."), field="places")
    if not title.strip():
        raise FunnelError(_("Give the workshop a title."), field="title")
    workshop = Workshop.objects.create(
        title=title.strip(), held_on=held_on, lab=lab, places=places, description=description.strip()
    )
    workshop.questions.set(list(questions))
    return workshop


@transaction.atomic
def workshop_register(*, workshop: Workshop, journey: Journey) -> WorkshopRegistration:
    """Register an SME for a workshop. The workshop's row is locked, so two registrations at once
    cannot take the last place twice."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if WorkshopRegistration.objects.filter(workshop=locked, journey=journey).exists():
        raise AlreadyRegistered(
            _("%(company)s is already registered for this workshop.") % {"company": journey}
        )
    if WorkshopRegistration.objects.filter(workshop=locked).count() >= locked.places:
        raise WorkshopFull(_("This workshop is full (%(places)d places).") % {"places": locked.places})
    return WorkshopRegistration.objects.create(workshop=locked, journey=journey)


@transaction.atomic
def trajectory_record(
    *,
    journey: Journey,
    lab: Lab,
    partner: Organisation,
    start_date: dt.date,
    end_date: dt.date | None = None,
    outcome: str = "",
) -> Trajectory:
    _require_fokus_partner(partner)
    if end_date is not None and end_date < start_date:
        raise FunnelError(_("A trajectory ends on or after its start."), field="end_date")
    return Trajectory.objects.create(
        journey=journey,
        lab=lab,
        partner=partner,
        start_date=start_date,
        end_date=end_date,
        outcome=outcome.strip(),
    )


def _plan_actions(actions: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    cleaned = []
    for i, action in enumerate(actions, start=1):
        what = str(action.get("action", "")).strip()
        if not what:
            continue
        cost = str(action.get("cost", "") or "").strip()
        if cost:
            try:
                if Decimal(cost) < 0:
                    raise ValueError
            except (ArithmeticError, ValueError) as exc:
                raise FunnelError(
                    _("Action %(n)d: the cost must be an amount in euro, not %(cost)s.")
                    % {"n": i, "cost": cost},
                    field="actions",
                ) from exc
        due = str(action.get("due", "") or "").strip()
        if due:
            try:
                dt.date.fromisoformat(due)
            except ValueError as exc:
                raise FunnelError(
                    _("Action %(n)d: the date must be written as YYYY-MM-DD.") % {"n": i}, field="actions"
                ) from exc
        cleaned.append(
            {"action": what, "owner": str(action.get("owner", "")).strip(), "due": due, "cost": cost}
        )
    return cleaned


@transaction.atomic
def plan_create(
    *,
    journey: Journey,
    partner: Organisation,
    title: str,
    situation: str,
    goals: str,
    actions: Iterable[Mapping[str, Any]] = (),
    indicators: str = "",
    investment: Decimal | None = None,
    trajectory: Trajectory | None = None,
) -> ImplementationPlan:
    """Write an implementation plan (a draft) for the SME."""
    _require_fokus_partner(partner)
    if trajectory is not None and trajectory.journey_id != journey.pk:
        raise FunnelError(_("The trajectory belongs to another company."), field="trajectory")
    if not title.strip() or not situation.strip() or not goals.strip():
        raise FunnelError(_("A plan has a title, the current situation and goals."), field="title")
    if investment is not None and investment < 0:
        raise FunnelError(_("The investment cannot be negative."), field="investment")
    return ImplementationPlan.objects.create(
        journey=journey,
        partner=partner,
        trajectory=trajectory,
        title=title.strip(),
        situation=situation.strip(),
        goals=goals.strip(),
        actions=_plan_actions(actions),
        indicators=indicators.strip(),
        investment=investment,
    )


@transaction.atomic
def plan_finalise(*, plan: ImplementationPlan, on: dt.date | None = None) -> ImplementationPlan:
    """Draft → final. A final plan is not finalised again."""
    locked = ImplementationPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status == ImplementationPlan.Status.FINAL:
        raise PlanAlreadyFinal(_("This plan is already final."))
    locked.status = ImplementationPlan.Status.FINAL
    locked.finalised_on = on or timezone.localdate()
    locked.save(update_fields=["status", "finalised_on"])
    return locked
