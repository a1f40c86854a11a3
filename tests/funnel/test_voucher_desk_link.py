"""The voucher desk shows a company's funnel journey beside its request."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from deltaregio.directory.models import Organisation
from deltaregio.funnel.selectors import journey_summary_for
from deltaregio.vouchers import selectors as voucher_selectors

pytestmark = pytest.mark.django_db


def test_the_summary_holds_the_latest_result_and_the_steps(complete_scan: Any) -> None:
    result, _token = complete_scan()
    company = result.journey.organisation
    summary = journey_summary_for(organisation_id=company.pk)
    assert summary is not None
    assert summary.results == 1 and summary.intakes == 0
    assert summary.latest_result == result
    assert (summary.latest_result.overall, summary.latest_result.band) == (result.overall, "average")
    # The voucher side asks the funnel, by the requesting company.
    assert voucher_selectors.journey_summary(voucher=SimpleNamespace(sme_id=company.pk)) == summary  # type: ignore[arg-type]


def test_a_company_without_a_journey_has_no_summary() -> None:
    sirris = Organisation.objects.get(name="Sirris")
    assert journey_summary_for(organisation_id=sirris.pk) is None
