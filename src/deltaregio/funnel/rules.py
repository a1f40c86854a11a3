"""Who may do what in the SME funnel. Deny by default.

- Anyone, without an account: take a scan (through its private link), score answers, read the
  questionnaires, the lab catalogue and the aggregated funnel figures (no company is named there).
- An SME user (role sme): the journey and results of the company it is affiliated with.
- A lab partner (role lab_partner) affiliated with a Fokus partner organisation: the journeys assigned
  to that organisation whose SME consented to be contacted; it records their intakes, trajectories
  and plans, and workshops.
- Programme officers: everything, and they assign partners.
"""

from __future__ import annotations

from typing import Any

import rules

from deltaregio.accounts.rules import is_sme, is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for


@rules.predicate
def is_fokus_lab_partner(user: Any) -> bool:
    from deltaregio.funnel.selectors import partner_organisation_ids

    return bool(partner_organisation_ids(user))


def _journey_of(obj: Any) -> Any:
    return getattr(obj, "journey", obj)


@rules.predicate
def is_own_company(user: Any, obj: Any) -> bool:
    """The user acts for the SME of the journey (or of the result, intake … of that journey)."""
    if obj is None or not is_sme(user):
        return False
    return _journey_of(obj).organisation_id in organisation_ids_for(user)


@rules.predicate
def is_assigned_partner_with_consent(user: Any, obj: Any) -> bool:
    """The journey is assigned to a Fokus partner the user acts for, and its SME consented to contact."""
    if obj is None:
        return False
    from deltaregio.funnel.selectors import latest_consent, partner_organisation_ids

    journey = _journey_of(obj)
    if journey.partner_id is None or journey.partner_id not in partner_organisation_ids(user):
        return False
    consent = latest_consent(journey)
    return consent is not None and consent.given


@rules.predicate
def no_object(user: Any, obj: Any) -> bool:
    return obj is None


can_see_journeys = is_staff_or_officer | is_sme | is_fokus_lab_partner
can_view_journey = is_staff_or_officer | is_own_company | is_assigned_partner_with_consent
can_work_on_journey = is_staff_or_officer | is_assigned_partner_with_consent

rules.add_perm("funnel.take_scan", rules.always_allow)
rules.add_perm("funnel.view_questionnaire", rules.always_allow)
rules.add_perm("funnel.view_funnel_figures", rules.always_allow)
rules.add_perm("funnel.view_lab_catalogue", rules.always_allow)
# Without an object: may the user open the list at all (the list then holds only what they may see).
rules.add_perm("funnel.view_journey", (no_object & can_see_journeys) | can_view_journey)
rules.add_perm("funnel.view_result", (no_object & can_see_journeys) | can_view_journey)
rules.add_perm(
    "funnel.record_step", (no_object & (is_staff_or_officer | is_fokus_lab_partner)) | can_work_on_journey
)
rules.add_perm("funnel.manage_workshops", is_staff_or_officer | is_fokus_lab_partner)
rules.add_perm("funnel.assign_partner", is_staff_or_officer)
rules.add_perm("funnel.view_company_names", is_staff_or_officer)
