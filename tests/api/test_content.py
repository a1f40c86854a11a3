"""The API shows the reference data as published: exact amounts as decimal strings, ISO dates and
the nested parts of themes, summits, calls, projects and budget tables."""

from __future__ import annotations

from typing import Any

from django.test import Client


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"/api/v1/{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_fokus_detail_has_its_work_packages_partners_funding_and_history(anon: Client) -> None:
    fokus = get(anon, "projects/fokus/")
    assert fokus["acronym"] == "Fokus"
    assert fokus["total_cost"] == "4294998.60"
    assert fokus["cost_unit"] == "EUR"
    assert (fokus["start_date"], fokus["end_date"]) == ("2018-05-01", "2021-04-30")
    assert (fokus["instrument"], fokus["call"]) == ("interreg-vl-nl", "interreg-vl-nl-call-3")
    assert fokus["themes"] == ["factories-of-the-future"]

    packages = fokus["work_packages"]
    assert [wp["number"] for wp in packages] == [1, 2, 3, 4, 5, 6]
    wp5 = packages[4]
    assert set(wp5) == {
        "number",
        "title",
        "budget",
        "share",
        "start_date",
        "end_date",
        "description",
        "source",
    }
    assert (wp5["budget"], wp5["share"]) == ("2342473.60", "54.54")
    assert (wp5["start_date"], wp5["end_date"]) == ("2018-05-01", "2021-03-01")
    assert wp5["source"]["document"] == "004_11778272d9654f26.txt"

    partners = fokus["partners"]
    assert len(partners) == 9
    assert {
        "organisation": "TNO",
        "organisation_slug": "tno",
        "role": "partner",
        "country": "NL",
    }.items() <= next(p for p in partners if p["organisation"] == "TNO").items()
    assert sorted({p["country"] for p in partners}) == ["BE", "NL"]

    efro = next(f for f in fokus["funding"] if f["instrument"] == "interreg-vl-nl")
    assert efro["funding_source"].startswith("EFRO")
    assert (efro["amount"], efro["unit"], efro["share"], efro["status"]) == (
        "2147499.30",
        "EUR",
        "50.00",
        "granted",
    )
    assert efro["basis_amount"] == "4294998.60"
    hermes = next(f for f in fokus["funding"] if f["instrument"] == "hermes-fund")
    assert (hermes["amount"], hermes["unit"], hermes["share"], hermes["status"]) == (
        "267.00",
        "kEUR",
        "15.00",
        "requested",
    )

    history = fokus["status_history"]
    assert {"status": "running", "date": "2018-05-01", "kind": "actual"}.items() <= history[-1].items()
    assert set(history[0]) == {"status", "date", "date_text", "kind", "body", "note", "source"}

    plans = next(m for m in fokus["milestones"] if m["work_package"] == 6)
    assert plans["due_date"] == "2021-02-01"


def test_project_list_is_compact_and_the_detail_adds_the_parts(anon: Client) -> None:
    listed = next(p for p in get(anon, "projects/", page_size=500)["results"] if p["slug"] == "fokus")
    assert "work_packages" not in listed and "funding" not in listed
    assert len(listed["partners"]) == 9


def test_themes_with_sub_domains_and_agenda_items(anon: Client) -> None:
    themes = get(anon, "themes/")
    codes = [t["code"] for t in themes["results"]]
    assert themes["count"] == 8
    assert {"hydrogen", "artificial-intelligence", "photonics", "factories-of-the-future"} <= set(codes)
    hydrogen = next(t for t in themes["results"] if t["code"] == "hydrogen")
    assert (hydrogen["added_on"], hydrogen["added_at"], hydrogen["removed_on"]) == ("2020-11-04", 5, None)
    energy = get(anon, "themes/energy-innovation/")
    assert "power-to-gas" in [s["code"] for s in energy["subdomains"]]
    assert {"deep-geothermal-green-deal", "open-data-mobility"} <= {i["code"] for i in energy["items"]}
    assert {i["kind"] for i in energy["items"]} <= {"ambition", "action"}


def test_theme_names_follow_the_request_language(anon: Client) -> None:
    nl = anon.get("/api/v1/themes/hydrogen/", HTTP_ACCEPT_LANGUAGE="nl").json()
    en = anon.get("/api/v1/themes/hydrogen/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert nl["name"] and en["name"]
    assert en["name"].lower() == "hydrogen" or en["name"] != nl["name"]


def test_summits_with_their_decisions(anon: Client) -> None:
    summits = get(anon, "summits/")["results"]
    assert [s["number"] for s in summits] == sorted(s["number"] for s in summits)
    gent = get(anon, "summits/3/")
    assert (gent["date"], gent["place"]) == ("2016-11-07", "Gent")
    assert gent["decisions"] and gent["decisions"][0]["order"] == 1
    assert set(gent["themes_added"]) >= {"photonics", "factories-of-the-future"}


def test_calls_with_their_statistics(anon: Client) -> None:
    call = get(anon, "calls/interreg-vl-nl-call-3/")
    assert (call["instrument"], call["kind"]) == ("interreg-vl-nl", "two_step")
    assert call["statistics"], "the third Interreg call has published statistics"
    assert "call" not in call["statistics"][0]
    stats = get(anon, "call-statistics/", call="interreg-vl-nl-call-3")["results"]
    assert {s["id"] for s in stats} == {s["id"] for s in call["statistics"]}


def test_stakeholder_groups_with_members(anon: Client) -> None:
    groups = get(anon, "stakeholder-groups/")["results"]
    high_tech = next(g for g in groups if g["name"] == "Vlaams-Nederlandse high tech stakeholdersgroep")
    assert high_tech["members"]
    assert set(high_tech["members"][0]) == {"organisation", "person", "role", "source"}


def test_key_technologies_name_their_application_domains(anon: Client) -> None:
    lithography = next(k for k in get(anon, "key-technologies/")["results"] if k["code"] == "lithografie")
    assert lithography["programme"] == "nxtgen-hightech"
    assert set(lithography["application_domains"]) == {"medtech", "semicon", "smart-industry"}


def test_budget_table_rows_and_cells_as_published(anon: Client) -> None:
    table = get(anon, "budget-tables/nxtgen-table-5/")
    assert table["unit"] == "MEUR"
    keys = [c["key"] for c in table["columns"]]
    assert keys[-1] == "total" and "2022" in keys
    row = next(r for r in table["rows"] if r["key"] == "zonder-groeifonds")
    assert [c["column"] for c in row["cells"]] == [
        k for k in keys if k in {c["column"] for c in row["cells"]}
    ]
    first = row["cells"][0]
    assert first == {"column": "2022", "value": "61", "value_text": "61"}
    assert [r["order"] for r in table["rows"]] == sorted(r["order"] for r in table["rows"])


def test_statements_and_disagreements_keep_every_source(anon: Client) -> None:
    totals = get(anon, "statements/", key="fokus-total-cost")["results"]
    assert {s["value"] for s in totals} == {"4294998.6"}
    assert len({(s["source"]["document"], s["source"]["location"]) for s in totals}) == len(totals) >= 2
    disagreements = get(anon, "disagreements/", page_size=500)["results"]
    end = next(d for d in disagreements if d["key"] == "fokus-end")
    assert end["within_rounding"] is False
    assert {s["value_text"] for s in end["statements"]} >= {"december 2020", "30/4/2021"}
    assert "fokus-total-cost" not in {d["key"] for d in disagreements}, "equal values are no disagreement"


def test_documents_are_their_own_source(anon: Client) -> None:
    document = get(anon, "documents/004_11778272d9654f26.txt/")
    assert document["source"] == {"document": "004_11778272d9654f26.txt", "location": ""}


def test_labs_have_area_and_technologies(anon: Client) -> None:
    lab = get(anon, "labs/omc-turnhout/")
    assert (lab["area_m2"], lab["area_text"], lab["country"]) == ("100.0", "100M2", "BE")
    assert lab["operator"] == {"slug": "omc", "name": "Open Manufacturing Campus"}
    assert lab["technologies"] and all(isinstance(t, str) for t in lab["technologies"])
