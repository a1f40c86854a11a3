"""Matching organisations that appear under slightly different names.

An organisation is recognised first by a registration number (its register and number, e.g. NO-BRC
919303808), then by its normalised name: accents, case, punctuation and legal forms (vzw, NV, AB, Ltd…)
left out, so 'VOKA - Kamer van Koophandel Oost-Vlaanderen' and 'VOKA-Kamer van Koophandel
Oost-Vlaanderen' are one organisation. Two organisations with the same name but different registration
numbers stay apart. Every match that is not exact is listed in the import report for review.
"""

from __future__ import annotations

import re

from deltaregio.imports.codes import fold

LEGAL_FORMS = frozenset(
    {
        "vzw",
        "asbl",
        "nv",
        "sa",
        "bv",
        "bvba",
        "cvba",
        "cv",
        "vof",
        "ivzw",
        "ab",
        "as",
        "asa",
        "aps",
        "oy",
        "oyj",
        "ltd",
        "limited",
        "plc",
        "llp",
        "cic",
        "gmbh",
        "ag",
        "srl",
        "sarl",
        "sprl",
        "inc",
        "co",
        "the",
    }
)
PARENTHESES = re.compile(r"\s*\(([^)]*)\)\s*")
TRAILING_ACRONYM = re.compile(r"^(?P<rest>.*\S)(?:\s*[-–(]\s*|\s+)(?P<acronym>[A-Z]{2,6})\)?\s*$")


def _is_acronym_of(acronym: str, rest: str) -> bool:
    """VLM of 'Vlaamse Landmaatschappij', IOK of 'Interkommunale Ontwikkelingsmaatschappij voor de
    Kempen': the acronym's letters occur in order in the name, and the first letters agree."""
    letters = fold(rest).replace(" ", "")
    acronym = acronym.lower()
    if not letters or letters[0] != acronym[0]:
        return False
    position = 0
    for char in acronym:
        position = letters.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def normalise_name(name: str) -> str:
    """The form of a name used for matching: 'Vlaamse Instelling voor Technologisch Onderzoek (VITO)',
    '… - VITO' and the name without the acronym give the same; legal forms are left out unless the
    name is nothing else."""
    match = TRAILING_ACRONYM.match(name.strip())
    if (
        match
        and len(match.group("rest").split()) >= 2
        and _is_acronym_of(match.group("acronym"), match.group("rest"))
    ):
        name = match.group("rest")
    text = PARENTHESES.sub(r" \1 ", name)
    words = fold(text).split()
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


class OrganisationIndex:
    """Organisations known so far (in the database and earlier in the file), by registration number
    and by normalised name. Values are opaque identities (a database id or a planned key)."""

    def __init__(self) -> None:
        self.by_registration: dict[tuple[str, str], object] = {}
        self.by_name: dict[str, set[object]] = {}
        self.registrations_of: dict[object, dict[str, str]] = {}

    def add(self, identity: object, *, name: str, registrations: list[tuple[str, str]] = ()) -> None:  # type: ignore[assignment]
        self.by_name.setdefault(normalise_name(name), set()).add(identity)
        for scheme, number in registrations:
            self.by_registration[(scheme, number)] = identity
            self.registrations_of.setdefault(identity, {})[scheme] = number

    def find(
        self, *, name: str, registration: tuple[str, str] | None
    ) -> tuple[object | None, str, list[object]]:
        """(identity, method, ambiguous candidates). method is 'registration', 'name' or '' (new)."""
        if registration is not None and registration in self.by_registration:
            return self.by_registration[registration], "registration", []
        candidates = self.by_name.get(normalise_name(name), set())
        if registration is not None:
            # an organisation registered under another number in the same register is another one
            candidates = {
                c
                for c in candidates
                if self.registrations_of.get(c, {}).get(registration[0]) in (None, registration[1])
            }
        if len(candidates) == 1:
            return next(iter(candidates)), "name", []
        if len(candidates) > 1:
            return None, "", sorted(candidates, key=str)
        return None, "", []
