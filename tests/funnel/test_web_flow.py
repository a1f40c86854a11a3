"""The public web flow: start without an account, save and resume through the private link, submit
with a company and an e-mail address, verify it, see the result (radar chart, table, bands, advice,
comparison with earlier scans), download it as PDF, and choose whether a partner may contact you."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from deltaregio.funnel.models import ContactConsent, Scan, ScanResult

from .conftest import DMA_EXAMPLE_RESULT
from .webflow import DMA_PAGES, answer_pages, start, submit, take_scan, text_of

pytestmark = pytest.mark.django_db


def test_the_dma_example_through_the_web_gives_exactly_the_published_result(client: Client) -> None:
    token = take_scan(client)
    assert json.dumps(client.get(f"/funnel/scan/{token}/result.json").json()) == DMA_EXAMPLE_RESULT
    english = text_of(client.get(f"/en/funnel/scan/{token}/result/").content)
    for figure in ("20.00", "25.71", "19.64", "20.83", "52.00", "35.00", "28.87"):
        assert figure in english
    dutch = client.get(f"/funnel/scan/{token}/result/")
    assert dutch.status_code == 200
    html = dutch.content.decode()
    text = text_of(html)
    assert "28,87" in text and "25,71" in text  # Dutch notation on the Dutch page
    assert "Gemiddeld" in text  # the overall band, in Dutch
    assert "<svg viewBox" in html and 'role="img"' in html and "<polygon" in html  # the radar chart
    assert '<th scope="row">D2 Digitale paraatheid</th>' in html  # … and its numbers in a table
    assert "Digitale bedrijfsstrategie" in text  # dimension names in Dutch
    assert 'href="/labs/omc-turnhout/"' in html  # advice links to the labs that can help
    result = ScanResult.objects.get()
    assert result.journey.organisation.name == "Precisie Metaal Zuid"
    assert result.journey.organisation.kind == "sme"
    assert (result.wave, result.band, str(result.overall)) == (0, "average", "28.87")


def test_the_result_downloads_as_pdf(client: Client) -> None:
    token = take_scan(client)
    response = client.get(f"/funnel/scan/{token}/result.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and len(response.content) > 2000


def test_progress_is_saved_and_resumed_through_the_private_link(client: Client) -> None:
    token = start(client)
    client.post(f"/funnel/scan/{token}/", {"page": 1, "go": "next", **DMA_PAGES[0]})
    other_browser = Client()
    page = other_browser.get(f"/funnel/scan/{token}/?page=1")
    assert page.status_code == 200
    assert 'id="Q1-invested-4" checked' in page.content.decode()
    assert Scan.objects.get().answers["Q2"] == [1, 2, 3]


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 43, "a" * 100])
def test_a_wrong_resume_link_says_so_and_reveals_nothing(client: Client, token: str) -> None:
    start(client)
    for url in (
        f"/en/funnel/scan/{token}/",
        f"/en/funnel/scan/{token}/submit/",
        f"/en/funnel/scan/{token}/result/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        text = text_of(response.content)
        assert "not valid or has expired" in text
        assert "Digitale maturiteit" not in text and "Q1" not in text


def test_an_expired_resume_link_says_the_same(client: Client) -> None:
    token = start(client)
    Scan.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(f"/funnel/scan/{token}/")
    assert response.status_code == 404
    assert "Deze link is niet geldig of verlopen" in text_of(response.content)  # in Dutch by default
    assert "not valid or has expired" in text_of(client.get(f"/en/funnel/scan/{token}/").content)


def test_an_incomplete_scan_cannot_be_submitted_and_says_what_is_missing(client: Client) -> None:
    token = start(client)
    answer_pages(client, token, DMA_PAGES[:2])
    page = client.get(f"/en/funnel/scan/{token}/submit/")
    text = text_of(page.content)
    assert "7 questions need an answer" in text
    for code in ("Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11"):
        assert f"{code}: this question is not answered" in text
    assert "Q1:" not in text and "Q4:" not in text
    response = client.post(
        f"/funnel/scan/{token}/submit/",
        {"company_name": "X", "region": "BE:Antwerpen", "email": "a@b.example"},
    )
    assert response.status_code == 400
    assert mail.outbox == []
    assert Scan.objects.get().status == Scan.Status.IN_PROGRESS


def test_contradictory_answers_are_refused_and_nothing_of_the_page_is_lost(client: Client) -> None:
    token = start(client)
    response = client.post(f"/en/funnel/scan/{token}/", {"page": 4, "go": "next", "Q7": [2, 3], "Q8": [1]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "excludes every other option" in text_of(html)
    assert 'id="Q7-3" checked' in html  # the page is shown again as it was posted
    assert "Q7" not in Scan.objects.get().answers
    assert Scan.objects.get().answers["Q8"] == [1]  # the valid question of the page is saved


def test_a_half_answered_rating_question_asks_for_every_row(client: Client) -> None:
    token = start(client)
    response = client.post(
        f"/en/funnel/scan/{token}/", {"page": 2, "go": "next", "Q3": [1], "Q4__1": 3, "Q4__2": 5}
    )
    assert response.status_code == 400
    assert "rows 3, 4, 5, 6, 7 have no answer yet" in text_of(response.content)


def test_the_result_is_stored_only_after_the_e_mail_address_is_verified(client: Client) -> None:
    token = start(client)
    answer_pages(client, token)
    link = submit(client, token, email="owner@pmz.example")
    assert mail.outbox[-1].to == ["owner@pmz.example"]
    assert ScanResult.objects.count() == 0
    assert client.get(f"/funnel/scan/{token}/result/").status_code == 302  # not there yet
    assert client.get(link).status_code == 200  # GET only asks to confirm (mail scanners open links)
    assert ScanResult.objects.count() == 0
    wrong = link.rsplit("/", 2)[0] + "/wrong-code/"
    response = client.post(wrong)
    assert response.status_code == 400 and ScanResult.objects.count() == 0
    assert client.post(link).status_code == 302
    assert ScanResult.objects.count() == 1


def test_a_second_submission_of_the_same_scan_creates_one_result(client: Client) -> None:
    token = start(client)
    answer_pages(client, token)
    link = submit(client, token)
    for _ in range(3):  # double click, retry
        assert client.post(link)["Location"] == f"/funnel/scan/{token}/result/"
    assert ScanResult.objects.count() == 1
    assert ContactConsent.objects.count() == 1


def test_a_company_that_takes_the_scan_again_sees_its_progress(client: Client) -> None:
    take_scan(client)
    token = start(client)
    better = [dict(page) for page in DMA_PAGES]
    better[0]["Q2"] = [1, 2, 3, 4, 5, 6]  # D1 = (2 + 1 + 6) × 10/3 = 30
    answer_pages(client, token, better)
    client.post(submit(client, token))
    result = ScanResult.objects.get(scan__token_hash__isnull=False, wave=1)
    assert result.journey.results.count() == 2
    text = text_of(client.get(f"/en/funnel/scan/{token}/result/").content)
    assert "T0" in text and "T1" in text
    assert "+10.00" in text  # D1 went from 20.00 to 30.00


def test_the_comparison_shows_only_scans_verified_with_the_same_address(client: Client) -> None:
    take_scan(client, email="owner@pmz.example")
    token = take_scan(client, email="someone-else@example.org")
    text = text_of(client.get(f"/en/funnel/scan/{token}/result/").content)
    assert "T1" in text and "T0" not in text


def test_consent_is_recorded_with_date_and_text_and_can_be_withdrawn(client: Client) -> None:
    token = take_scan(client, consent=False)
    assert ContactConsent.objects.count() == 0
    client.post(f"/en/funnel/scan/{token}/consent/", {"consent": "yes"})
    client.post(f"/en/funnel/scan/{token}/consent/", {"consent": "no"})
    given, withdrawn = ContactConsent.objects.order_by("id")
    assert given.given and "may contact Precisie Metaal Zuid" in given.text and given.recorded_at
    assert not withdrawn.given and "withdraw" in withdrawn.text
    assert "No: you withdrew your consent" in text_of(client.get(f"/en/funnel/scan/{token}/result/").content)


def test_a_knowledge_institution_cannot_be_used_as_the_company(client: Client) -> None:
    token = start(client)
    answer_pages(client, token)
    response = client.post(
        f"/funnel/scan/{token}/submit/",
        {"company_name": "Sirris", "region": "BE:Antwerpen", "email": "a@b.example"},
    )
    assert response.status_code == 400
    assert "niet als bedrijf" in text_of(response.content)  # the Dutch page says it in Dutch
    assert mail.outbox == []


def test_the_factory_of_the_future_scan_can_be_taken_and_gives_advice_with_labs(client: Client) -> None:
    token = start(client, "factory-of-the-future")
    pages = [
        {"F1": 1, **{f"F2__{i}": 0 for i in range(1, 6)}},
        {"F3": [7], "F4": 1},
        {"F5": 2, "F6": [1]},
        {"F7": 2, **{f"F8__{i}": "no" for i in range(1, 6)}},
        {"F9": [1, 2, 3, 4, 5, 6], "F10": 4},
        {**{f"F11__{i}": "yes" for i in range(1, 6)}, "F12": 4},
        {**{f"F13__{i}": 5 for i in range(1, 6)}, "F14": 4},
        {"F15": [1, 2], "F16": "Onze lasrobot staat te vaak stil bij kleine reeksen."},
    ]
    answer_pages(client, token, pages)
    client.post(submit(client, token, company="Lasbedrijf Kempen", region="BE:Antwerpen"))
    html = client.get(f"/en/funnel/scan/{token}/result/").content.decode()
    text = text_of(html)
    assert "T1 World-class manufacturing technologies: 0.00 Starter" in text
    assert "T7 Smart production systems: 100.00 Front-runner" in text
    assert "Fieldlab Flexibel Manufacturing" in text
    assert 'href="/en/labs/' in html and 'href="/en/organisations/sirris/"' in html


def test_the_dutch_pages_speak_dutch(client: Client) -> None:
    token = start(client)
    page = text_of(client.get(f"/funnel/scan/{token}/").content)
    assert "Uw privélink om deze scan te hervatten" in page and "Bewaar en ga verder" in page
    response = client.post(f"/funnel/scan/{token}/", {"page": 4, "go": "next", "Q7": [2, 3], "Q8": [1]})
    assert "sluit alle andere opties uit" in text_of(response.content)
    assert "Hoe ver staat uw bedrijf" in text_of(client.get(f"/funnel/scan/{token}/?page=2").content)


def test_charts_use_plain_numbers_on_dutch_pages(client: Client) -> None:
    """SVG coordinates must not be localised ("257,3" is not a number for a browser)."""
    token = take_scan(client)
    for url in ("/funnel/labs/", "/funnel/", f"/funnel/scan/{token}/result/"):
        svg = client.get(url).content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
        assert not re.search(r'(?:cx|cy|x|y|x1|x2|y1|y2|width)="-?\d+,\d', svg), url
        assert re.search(r'(?:cx|x|x1)="\d+\.\d', svg), url
