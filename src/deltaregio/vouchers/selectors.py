"""Reads of the vouchers domain: schemes and their rounds, who may provide and who is related, the
vouchers a user may see, the desk's queue, what a party must do next, the coordinator's checks and
batches, and the reports (public figures carry no company names)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.directory.models import Organisation
from deltaregio.vouchers.models import (
    LIVE_STATES,
    AssignmentDocument,
    PaymentBatch,
    ProviderRule,
    Redemption,
    RelatedPartyLink,
    SchemeMember,
    SchemeRound,
    Status,
    Voucher,
    VoucherEvent,
    VoucherScheme,
)

ZERO = Decimal("0.00")

# --- schemes ---------------------------------------------------------------------------------------


def scheme_list() -> QuerySet[VoucherScheme]:
    return VoucherScheme.objects.select_related("project", "desk", "coordinator").order_by("code")


def scheme_detail(*, code: str) -> VoucherScheme:
    """The scheme with this code (VoucherScheme.DoesNotExist otherwise)."""
    return scheme_list().get(code=code)


def scheme_rounds(*, scheme: VoucherScheme) -> QuerySet[SchemeRound]:
    return scheme.rounds.order_by("opens_on", "code")


def scheme_open_round(*, scheme: VoucherScheme, day: dt.date | None = None) -> SchemeRound | None:
    """The round taking requests on `day` (today): the one opened last, if several are open."""
    day = day or timezone.localdate()
    return (
        scheme.rounds.filter(opens_on__lte=day)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day))
        .order_by("-opens_on", "-id")
        .first()
    )


def scheme_members(*, scheme: VoucherScheme) -> QuerySet[SchemeMember]:
    return scheme.members.select_related("user", "organisation").order_by("role", "user__username")


def eligible_providers(*, scheme: VoucherScheme) -> QuerySet[Organisation]:
    """The organisations that may provide a voucher service: the partners of the scheme's project,
    or the providers registered for the scheme."""
    if scheme.provider_rule == ProviderRule.PROJECT_PARTNERS:
        if scheme.project_id is None:
            return Organisation.objects.none()
        return Organisation.objects.filter(participations__project_id=scheme.project_id).distinct()
    return Organisation.objects.filter(voucher_registrations__scheme=scheme).distinct()


def is_eligible_provider(*, scheme: VoucherScheme, organisation: Organisation) -> bool:
    return eligible_providers(scheme=scheme).filter(pk=organisation.pk).exists()


# --- related parties -------------------------------------------------------------------------------


def _tree_ids(organisation_ids: Iterable[int]) -> set[int]:
    """The organisations in the same `parent` tree as any of these: one group, so related."""
    ids = set(organisation_ids)
    if not ids:
        return set()
    roots: set[int] = set()
    frontier = ids
    parents = dict(Organisation.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        next_frontier = set()
        for pk in frontier:
            parent = parents.get(pk)
            if parent is None:
                roots.add(pk)
            elif parent not in seen:
                next_frontier.add(parent)
        if next_frontier:
            parents.update(
                dict(Organisation.objects.filter(pk__in=next_frontier).values_list("pk", "parent_id"))
            )
        frontier = next_frontier
    tree = set(roots)
    frontier = set(roots)
    while frontier:
        children = set(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = children - tree
        tree |= children
    return tree | ids


def related_organisation_ids(organisation_ids: Iterable[int]) -> set[int]:
    """These organisations, the organisations of their group (one `parent` tree in the directory) and
    those they declared a link with (shared ownership, one group, shared management …)."""
    group = _tree_ids(organisation_ids)
    links = RelatedPartyLink.objects.filter(Q(organisation_id__in=group) | Q(related_id__in=group))
    declared = {pk for pair in links.values_list("organisation_id", "related_id") for pk in pair}
    return group | declared


def are_related(a: Organisation | int, b: Organisation | int) -> bool:
    a_id = a if isinstance(a, int) else a.pk
    b_id = b if isinstance(b, int) else b.pk
    return a_id == b_id or b_id in related_organisation_ids([a_id])


def related_party_links(*, organisation: Organisation | None = None) -> QuerySet[RelatedPartyLink]:
    links = RelatedPartyLink.objects.select_related("organisation", "related", "declared_by")
    if organisation is not None:
        links = links.filter(Q(organisation=organisation) | Q(related=organisation))
    return links


# --- who someone is in a scheme ----------------------------------------------------------------------


def roles_in(user: Any, scheme: VoucherScheme | int | None) -> set[str]:
    """The roles (committee, desk, coordinator) the user holds in the scheme."""
    if scheme is None or not getattr(user, "is_authenticated", False):
        return set()
    scheme_id = scheme if isinstance(scheme, int) else scheme.pk
    cache: dict[int, set[str]] = user.__dict__.setdefault("_voucher_roles", {})
    if scheme_id not in cache:
        cache[scheme_id] = set(
            SchemeMember.objects.filter(user=user, scheme_id=scheme_id).values_list("role", flat=True)
        )
    return cache[scheme_id]


def schemes_with_role(user: Any, *roles: str) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    members = SchemeMember.objects.filter(user=user)
    if roles:
        members = members.filter(role__in=roles)
    return set(members.values_list("scheme_id", flat=True))


def acting_organisation_ids(user: Any, scheme: VoucherScheme | None = None) -> set[int]:
    """The organisations a user acts for (affiliations), and the ones they represent in the scheme."""
    ids = organisation_ids_for(user)
    if scheme is not None and getattr(user, "is_authenticated", False):
        ids |= set(
            SchemeMember.objects.filter(user=user, scheme=scheme, organisation__isnull=False).values_list(
                "organisation_id", flat=True
            )
        )
    return ids


def decision_conflict(user: Any, voucher: Voucher) -> str:
    """Why this user may not decide on this request ("" when they may): they act for (or represent)
    an organisation related to the requesting company or to the chosen provider."""
    mine = acting_organisation_ids(user, voucher.scheme)
    if not mine:
        return ""
    related = related_organisation_ids(mine)
    if voucher.sme_id in related:
        return "sme"
    if voucher.provider_id in related:
        return "provider"
    return ""


def users_acting_for(organisation_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(
        affiliations__organisation_id__in=list(organisation_ids), is_active=True
    ).distinct()


def sme_organisations_for(user: Any) -> QuerySet[Organisation]:
    """The companies (kind SME) a user acts for: the ones they may request vouchers for."""
    return Organisation.objects.filter(pk__in=organisation_ids_for(user), kind=Organisation.Kind.SME)


def provider_organisations_for(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=organisation_ids_for(user)).exclude(kind=Organisation.Kind.SME)


# --- vouchers ----------------------------------------------------------------------------------------


def _vouchers() -> QuerySet[Voucher]:
    return Voucher.objects.select_related("scheme", "round", "sme", "provider")


def visible_vouchers(user: Any, *, scheme: VoucherScheme | None = None) -> QuerySet[Voucher]:
    """An SME sees its own requests and vouchers; a provider the vouchers issued for it; committee,
    desk and coordinator everything of their scheme; programme officers everything."""
    vouchers = _vouchers()
    if scheme is not None:
        vouchers = vouchers.filter(scheme=scheme)
    if not getattr(user, "is_authenticated", False):
        return vouchers.none()
    if is_staff_or_officer(user):
        return vouchers
    orgs = organisation_ids_for(user)
    return vouchers.filter(
        Q(sme_id__in=orgs)
        | Q(provider_id__in=orgs, issued_at__isnull=False)
        | Q(scheme_id__in=schemes_with_role(user))
    )


def voucher_detail(*, user: Any, pk: int) -> Voucher:
    """The voucher if the user may see it (Voucher.DoesNotExist otherwise, also when it exists)."""
    return visible_vouchers(user).get(pk=pk)


def voucher_events(*, voucher: Voucher) -> QuerySet[VoucherEvent]:
    return voucher.events.select_related("actor", "actor_organisation").order_by("at", "id")


def voucher_assignments(*, voucher: Voucher) -> QuerySet[AssignmentDocument]:
    return voucher.assignments.defer("content").select_related("uploaded_by")


def assignment_document(*, voucher: Voucher, pk: int) -> AssignmentDocument:
    return voucher.assignments.get(pk=pk)


def voucher_redemption(*, voucher: Voucher) -> Redemption | None:
    return voucher.redemptions.exclude(state=Redemption.State.REJECTED).select_related("batch").first()


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    provider: int | None = None
    region: str = ""
    requested_from: dt.date | None = None
    requested_to: dt.date | None = None
    q: str = ""


def desk_queue(*, scheme: VoucherScheme, filters: QueueFilters | None = None) -> QuerySet[Voucher]:
    """The review committee's queue: the scheme's requests and vouchers, oldest request first, with
    the filters of the desk page."""
    filters = filters or QueueFilters()
    vouchers = _vouchers().filter(scheme=scheme).order_by("requested_at", "id")
    if filters.status:
        vouchers = vouchers.filter(status=filters.status)
    if filters.provider:
        vouchers = vouchers.filter(provider_id=filters.provider)
    if filters.region:
        vouchers = vouchers.filter(Q(sme__region=filters.region) | Q(sme__country=filters.region))
    if filters.requested_from:
        vouchers = vouchers.filter(requested_at__date__gte=filters.requested_from)
    if filters.requested_to:
        vouchers = vouchers.filter(requested_at__date__lte=filters.requested_to)
    if filters.q:
        vouchers = vouchers.filter(
            Q(sme__name__icontains=filters.q) | Q(service_description__icontains=filters.q)
        )
    return vouchers


def queue_regions(*, scheme: VoucherScheme) -> list[str]:
    regions = scheme.vouchers.values_list("sme__region", flat=True).distinct()
    return sorted({r for r in regions if r})


@dataclass(frozen=True)
class NextStep:
    """What a party must do next with a voucher, and by when."""

    who: str  # sme | provider | committee | desk | coordinator | none
    action: str
    deadline: dt.datetime | None = None


def next_step(voucher: Voucher) -> NextStep:
    status = voucher.status
    if status == Status.REQUESTED:
        return NextStep("committee", "review")
    if status == Status.APPROVED:
        return NextStep("desk", "issue")
    if status == Status.ISSUED:
        if voucher.sme_signed_at is None and voucher.provider_signed_at is None:
            return NextStep("both", "sign", voucher.expires_at)
        if voucher.sme_signed_at is None:
            return NextStep("sme", "sign", voucher.expires_at)
        return NextStep("provider", "sign", voucher.expires_at)
    if status == Status.SIGNED:
        return NextStep("provider", "deliver", voucher.expires_at)
    if status == Status.DELIVERED:
        return NextStep("provider", "invoice", voucher.expires_at)
    if status == Status.INVOICED:
        return NextStep("provider", "redeem", voucher.expires_at)
    if status == Status.REDEEMED:
        return NextStep("coordinator", "check_or_pay")
    return NextStep("none", "none")


def provider_vouchers(user: Any) -> list[tuple[Voucher, NextStep]]:
    """The vouchers issued for the organisations the user acts for, with what to do next."""
    orgs = organisation_ids_for(user)
    vouchers = _vouchers().filter(provider_id__in=orgs, issued_at__isnull=False).order_by("expires_at", "id")
    return [(voucher, next_step(voucher)) for voucher in vouchers]


def sme_vouchers(user: Any) -> list[tuple[Voucher, NextStep]]:
    orgs = organisation_ids_for(user)
    vouchers = _vouchers().filter(sme_id__in=orgs).order_by("-requested_at", "-id")
    return [(voucher, next_step(voucher)) for voucher in vouchers]


def journey_summary(*, voucher: Voucher) -> Any:
    """The company's scan result and funnel journey beside its request (from the SME funnel), or None
    when the company has no journey there; the request's own references stay shown as given."""
    from deltaregio.funnel.selectors import journey_summary_for

    return journey_summary_for(organisation_id=voucher.sme_id)


# --- the coordinator ---------------------------------------------------------------------------------


def redemptions_to_check(*, scheme: VoucherScheme) -> QuerySet[Redemption]:
    return (
        Redemption.objects.filter(scheme=scheme, state=Redemption.State.SUBMITTED)
        .select_related("voucher__scheme", "voucher__sme", "provider", "redeemed_by")
        .order_by("redeemed_at", "id")
    )


def redemptions_to_pay(*, scheme: VoucherScheme) -> QuerySet[Redemption]:
    return (
        Redemption.objects.filter(scheme=scheme, state=Redemption.State.ACCEPTED, batch__isnull=True)
        .select_related("voucher__scheme", "voucher__sme", "provider")
        .order_by("redeemed_at", "id")
    )


def redemption_list(*, user: Any, scheme: VoucherScheme | None = None) -> QuerySet[Redemption]:
    """Redemptions: the coordinator and officers see all of the scheme, a provider its own."""
    redemptions = Redemption.objects.select_related(
        "voucher__scheme", "voucher__sme", "provider", "scheme", "batch"
    )
    if scheme is not None:
        redemptions = redemptions.filter(scheme=scheme)
    if not getattr(user, "is_authenticated", False):
        return redemptions.none()
    if is_staff_or_officer(user):
        return redemptions
    return redemptions.filter(
        Q(scheme_id__in=schemes_with_role(user, SchemeMember.Role.COORDINATOR))
        | Q(provider_id__in=organisation_ids_for(user))
    )


def batch_list(*, scheme: VoucherScheme) -> QuerySet[PaymentBatch]:
    return (
        scheme.batches.select_related("created_by", "paid_by")
        .annotate(count=Count("redemptions"))
        .order_by("-number")
    )


def batch_detail(*, scheme: VoucherScheme, number: int) -> PaymentBatch:
    return scheme.batches.select_related("scheme").get(number=number)


def batch_redemptions(*, batch: PaymentBatch) -> QuerySet[Redemption]:
    return (
        batch.redemptions.select_related("voucher__scheme", "voucher__sme", "provider")
        .prefetch_related(Prefetch("voucher__round"))
        .order_by("voucher_id")
    )


def refused_attempts(*, scheme: VoucherScheme, limit: int = 50) -> QuerySet[VoucherEvent]:
    return (
        VoucherEvent.objects.filter(scheme=scheme, kind=VoucherEvent.Kind.REFUSED)
        .select_related("actor", "actor_organisation", "voucher")
        .order_by("-at", "-id")[:limit]
    )


def vouchers_due(*, now: dt.datetime) -> QuerySet[Voucher]:
    """Live vouchers whose deadline has passed (the scheduled task expires them)."""
    return Voucher.objects.filter(status__in=list(LIVE_STATES), expires_at__lt=now)


# --- reports -----------------------------------------------------------------------------------------

STAGES = ("requested", "issued", "signed", "redeemed", "expired")
STAGE_DATES = {
    "requested": "requested_at",
    "issued": "issued_at",
    "signed": "signed_at",
    "redeemed": "redeemed_at",
}


@dataclass
class ReportRow:
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    committed: Decimal = ZERO
    paid: Decimal = ZERO


@dataclass
class Report:
    scheme: VoucherScheme
    date_from: dt.date | None
    date_to: dt.date | None
    totals: ReportRow
    by_provider: list[ReportRow]
    by_region: list[ReportRow]
    by_period: list[ReportRow]
    envelope: Decimal | None
    committed: Decimal
    paid: Decimal
    redeemed_unpaid: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.committed


def _stage_q(stage: str) -> Q:
    if stage == "requested":
        return Q()
    if stage == "expired":
        return Q(status=Status.EXPIRED)
    return Q(**{f"{STAGE_DATES[stage]}__isnull": False})


def _grouped(vouchers: QuerySet[Voucher], *keys: str) -> dict[tuple[Any, ...], ReportRow]:
    """Counts per step and money per value of `keys` (one query)."""
    aggregates: dict[str, Any] = {
        stage: Count("id", filter=_stage_q(stage)) if stage != "requested" else Count("id")
        for stage in STAGES
    }
    rows: Iterable[dict[str, Any]] = (
        vouchers.order_by()
        .values(*keys)
        .annotate(
            **aggregates,
            committed_sum=Sum("committed_amount"),
            paid_sum=Sum("committed_amount", filter=Q(status=Status.PAID)),
        )
    )
    out: dict[tuple[Any, ...], ReportRow] = {}
    for row in rows:
        report_row = ReportRow(label="")
        report_row.counts = {stage: int(row[stage]) for stage in STAGES}
        report_row.paid = row["paid_sum"] or ZERO
        report_row.committed = row["committed_sum"] or ZERO
        out[tuple(row[key] for key in keys)] = report_row
    return out


def report(
    *, scheme: VoucherScheme, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Report:
    """Vouchers requested, issued, signed, redeemed and expired, per provider, region and month, and
    the money committed and paid against the envelope. Counts per provider and region are of the
    vouchers requested in the period; per month, each step is counted in the month it happened. No
    company names: only providers (the scheme's partners), regions and months."""
    vouchers = Voucher.objects.filter(scheme=scheme)
    requested = vouchers
    if date_from:
        requested = requested.filter(requested_at__date__gte=date_from)
    if date_to:
        requested = requested.filter(requested_at__date__lte=date_to)

    totals = _grouped(requested, "scheme_id").get((scheme.pk,), ReportRow(label=""))
    by_provider = []
    for (name,), row in sorted(_grouped(requested, "provider__name").items()):
        row.label = name
        by_provider.append(row)

    region_rows: dict[str, ReportRow] = {}
    for (region, country), row in _grouped(requested, "sme__region", "sme__country").items():
        label = region or str(country or "") or "–"
        row.label = label
        if label in region_rows:
            merged = region_rows[label]
            for stage in STAGES:
                merged.counts[stage] += row.counts[stage]
            merged.committed += row.committed
            merged.paid += row.paid
        else:
            region_rows[label] = row
    by_region = [region_rows[label] for label in sorted(region_rows)]

    months: dict[dt.date, ReportRow] = defaultdict(lambda: ReportRow(label=""))
    for stage, date_field in [*STAGE_DATES.items(), ("expired", "ended_at")]:
        dated = vouchers.filter(_stage_q(stage)).exclude(**{f"{date_field}__isnull": True})
        if date_from:
            dated = dated.filter(**{f"{date_field}__date__gte": date_from})
        if date_to:
            dated = dated.filter(**{f"{date_field}__date__lte": date_to})
        per_month = cast(
            Iterable[dict[str, Any]],
            dated.order_by().annotate(month=TruncMonth(date_field)).values("month").annotate(n=Count("id")),
        )
        for count in per_month:
            month = count["month"]
            key = month.date() if isinstance(month, dt.datetime) else month
            months[key].counts[stage] += int(count["n"])
    by_period = []
    for month in sorted(months):
        months[month].label = f"{month:%Y-%m}"
        by_period.append(months[month])

    paid = vouchers.filter(status=Status.PAID).aggregate(s=Sum("committed_amount"))["s"] or ZERO
    redeemed_unpaid = (
        Redemption.objects.filter(scheme=scheme, voucher__status=Status.REDEEMED)
        .exclude(state=Redemption.State.REJECTED)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    return Report(
        scheme=scheme,
        date_from=date_from,
        date_to=date_to,
        totals=totals,
        by_provider=by_provider,
        by_region=by_region,
        by_period=by_period,
        envelope=scheme.budget_envelope,
        committed=scheme.committed_total,
        paid=paid,
        redeemed_unpaid=redeemed_unpaid,
    )
