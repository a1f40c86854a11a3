"""Taking a scan through the web pages with Django's test client, as a browser without JavaScript would."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.core import mail
from django.test import Client

from .conftest import DMA_EXAMPLE

DMA_PAGES: list[dict[str, Any]] = [
    {"Q1__invested": [1, 4], "Q1__planned": [2], "Q2": [1, 2, 3]},
    {"Q3": [1, 2], **{f"Q4__{i}": v for i, v in enumerate(DMA_EXAMPLE["Q4"], start=1)}},
    {"Q5": [1], "Q6": [2, 3]},
    {"Q7": [1, 3], "Q8": [1]},
    {f"Q9__{i}": v for i, v in enumerate(DMA_EXAMPLE["Q9"], start=1)},
    {"Q10": [4], **{f"Q11__{i}": v for i, v in enumerate(DMA_EXAMPLE["Q11"], start=1)}},
]


def text_of(html: bytes | str) -> str:
    """The page's text without tags and with single spaces, to search for what a reader sees."""
    if isinstance(html, bytes):
        html = html.decode()
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def start(client: Client, slug: str = "edih-dma-sme") -> str:
    response = client.post("/funnel/scan/", {"questionnaire": slug})
    assert response.status_code == 302, response.content
    return str(response["Location"]).split("/")[3]


def answer_pages(client: Client, token: str, pages: list[dict[str, Any]] = DMA_PAGES) -> None:
    for number, data in enumerate(pages, start=1):
        response = client.post(f"/funnel/scan/{token}/", {"page": number, "go": "next", **data})
        assert response.status_code == 302, response.content.decode()[-2000:]


def submit(
    client: Client,
    token: str,
    *,
    company: str = "Precisie Metaal Zuid",
    email: str = "info@pmz.example",
    consent: bool = True,
    region: str = "NL:Noord-Brabant",
) -> str:
    data = {"company_name": company, "region": region, "email": email}
    if consent:
        data["contact_consent"] = "on"
    response = client.post(f"/funnel/scan/{token}/submit/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    link = re.search(r"http://testserver(/\S+/verify/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    return link.group(1)


def take_scan(client: Client, **kwargs: Any) -> str:
    token = start(client)
    answer_pages(client, token)
    link = submit(client, token, **kwargs)
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == f"/funnel/scan/{token}/result/"
    return token
