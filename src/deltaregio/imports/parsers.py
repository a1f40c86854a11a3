"""Value parsers for imported data: European and Dutch number formats, money with float noise, dates in
the common European formats, formula and CSV-injection checks.

Every parser takes the raw value (a string, or a number or date from JSON and spreadsheets) and returns
the typed value, or raises ParseError with a message that names what is wrong. Parsers never guess
silently: a number whose separators can be read two ways ("1,234") is refused unless the profile says
which separator is the decimal one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
#: Rounding to the cent that moves an amount by more than this is reported (a tenth of a cent).
ROUNDING_REPORT_THRESHOLD = Decimal("0.001")

CURRENCY_MARKS = re.compile(
    r"^(€|EUR|GBP|£|\$|USD|NOK|SEK|kr\.?)\s*|\s*(€|EUR|GBP|£|USD|NOK|SEK|kr\.?)$", re.I
)
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ParseError(ValueError):
    """A value that cannot be read; the message says why, in the active language."""


@dataclass(frozen=True)
class Money:
    """An amount rounded to the cent, with the rounding it took (float noise such as 49999.99999998)."""

    amount: Decimal
    rounding: Decimal

    @property
    def rounding_reported(self) -> bool:
        return abs(self.rounding) > ROUNDING_REPORT_THRESHOLD


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(raw: str, decimal: str) -> str:
    """The number in raw as Python's decimal notation, reading '.', ',' and spaces as a European,
    Dutch or English writer would. decimal is ',' or '.' when the profile says which one it is, or
    'auto'."""
    text = CURRENCY_MARKS.sub("", raw.strip()).strip()
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith(("-", "−")):
        negative, text = True, text[1:].strip()
    elif text.startswith("+"):
        text = text[1:].strip()
    text = SPACES.sub("", text)
    if not text or not re.fullmatch(r"[0-9.,]+", text) or not re.search(r"\d", text):
        raise ParseError(_("%(value)r is not a number.") % {"value": raw})
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        if text.count(decimal_sep) > 1:
            raise ParseError(
                _("%(value)r is not a number: the decimal separator occurs twice.") % {"value": raw}
            )
    elif dots > 1 or commas > 1:
        decimal_sep = "," if dots > 1 else "."  # 1.234.567 or 1,234,567: only thousands separators
    elif dots or commas:
        sep = "." if dots else ","
        after = len(text) - text.rfind(sep) - 1
        if decimal in {".", ","}:
            decimal_sep = decimal
        elif after == 3 and 1 <= text.rfind(sep) <= 3 and not text.startswith("0" + sep):
            raise ParseError(
                _(
                    "%(value)r can be read two ways (thousands or decimals); set the decimal separator "
                    "in the profile (numbers: decimal)."
                )
                % {"value": raw}
            )
        else:
            decimal_sep = sep
    else:
        decimal_sep = decimal if decimal in {".", ","} else "."
    thousands_sep = "," if decimal_sep == "." else "."
    integer, _sep, fraction = text.partition(decimal_sep)
    if thousands_sep in integer:
        groups = integer.split(thousands_sep)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise ParseError(
                _("%(value)r is not a number: its digit groups are not in threes.") % {"value": raw}
            )
        integer = "".join(groups)
    if thousands_sep in fraction or decimal_sep in fraction:
        raise ParseError(_("%(value)r is not a number.") % {"value": raw})
    result = (integer or "0") + ("." + fraction if fraction else "")
    return ("-" if negative else "") + result


def parse_decimal(value: Any, *, decimal: str = "auto") -> Decimal:
    """A number: 1234.56, "1.234,56", "1 234,56", "€ 1090141.18", "-12,5"."""
    if isinstance(value, bool):
        raise ParseError(_("%(value)r is not a number.") % {"value": value})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParseError(_("%(value)r is not a number.") % {"value": value})
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    try:
        result = Decimal(_number_text(str(value), decimal))
    except InvalidOperation as exc:
        raise ParseError(_("%(value)r is not a number.") % {"value": value}) from exc
    if not result.is_finite():
        raise ParseError(_("%(value)r is not a number.") % {"value": value})
    return result


def parse_money(value: Any, *, decimal: str = "auto") -> Money:
    """An amount rounded to the cent (half up); the rounding is kept so that it can be reported."""
    exact = parse_decimal(value, decimal=decimal)
    rounded = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    return Money(amount=rounded, rounding=rounded - exact)


def parse_integer(value: Any, *, decimal: str = "auto") -> int:
    number = parse_decimal(value, decimal=decimal)
    if number != number.to_integral_value():
        raise ParseError(_("%(value)r is not a whole number.") % {"value": value})
    return int(number)


def parse_percent(value: Any, *, decimal: str = "auto", fraction: bool = False) -> Decimal:
    """A percentage: "40 %", "40,5", or with fraction=True a share of one (0.4 → 40)."""
    text = str(value).strip() if not isinstance(value, (int, float, Decimal)) else value
    had_sign = isinstance(text, str) and text.endswith("%")
    if isinstance(text, str):
        text = text.rstrip("%").strip()
    number = parse_decimal(text, decimal=decimal)
    if fraction and not had_sign:
        number = number * 100
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if not Decimal(0) <= number <= Decimal(100):
        raise ParseError(_("%(value)r is not a percentage between 0 and 100.") % {"value": value})
    return number


MONTHS = {
    # Dutch, English, French, German, Swedish and Norwegian month names and abbreviations
    **dict.fromkeys(["januari", "january", "janvier", "januar", "jan"], 1),
    **dict.fromkeys(["februari", "february", "fevrier", "februar", "feb", "febr"], 2),
    **dict.fromkeys(["maart", "march", "mars", "marz", "mrt", "mar"], 3),
    **dict.fromkeys(["april", "avril", "apr"], 4),
    **dict.fromkeys(["mei", "may", "mai"], 5),
    **dict.fromkeys(["juni", "june", "juin", "jun"], 6),
    **dict.fromkeys(["juli", "july", "juillet", "jul"], 7),
    **dict.fromkeys(["augustus", "august", "aout", "augusti", "aug"], 8),
    **dict.fromkeys(["september", "septembre", "sep", "sept"], 9),
    **dict.fromkeys(["oktober", "october", "octobre", "okt", "oct"], 10),
    **dict.fromkeys(["november", "novembre", "nov"], 11),
    **dict.fromkeys(["december", "decembre", "dezember", "desember", "dec", "des", "dez"], 12),
}

_DMY = re.compile(r"(\d{1,2})[./\-](\d{1,2})[./\-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def parse_datetime(value: Any, *, formats: list[str] | None = None) -> dt.datetime:
    """A moment: ISO 8601 ("2015-06-01T00:00:00+00:00"), or day first as Europeans write it
    ("31.05.2024 00:00", "17/08/2015 00:00", "1-4-2008"), or "1 april 2008". Naive results are naive."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    for fmt in formats or []:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    if formats:
        raise ParseError(
            _("%(value)r is not a date in the format %(formats)s.")
            % {"value": text, "formats": ", ".join(formats)}
        )
    try:
        if _YMD.match(text):
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        match = _DMY.fullmatch(text)
        if match:
            day, month, year, hour, minute, second = match.groups()
            return dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        match = _WORDS.fullmatch(text)
        if match and _fold(match.group(2)) in MONTHS:
            return dt.datetime(int(match.group(3)), MONTHS[_fold(match.group(2))], int(match.group(1)))
    except ValueError as exc:
        raise ParseError(_("%(value)r is not a valid date.") % {"value": text}) from exc
    raise ParseError(
        _("%(value)r is not a date (expected e.g. 31.05.2024, 31/05/2024, 2024-05-31 or 31 mei 2024).")
        % {"value": text}
    )


def parse_date(value: Any, *, formats: list[str] | None = None) -> dt.date:
    """A date; a time of day other than midnight is refused (the date would lose it)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    else:
        moment = parse_datetime(value, formats=formats)
    if moment.time() != dt.time(0, 0):
        raise ParseError(_("%(value)r has a time of day; a date was expected.") % {"value": value})
    return moment.date()


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _fold(str(value).strip())
    if text in {"1", "true", "yes", "y", "ja", "j", "oui", "x", "waar"}:
        return True
    if text in {"0", "false", "no", "n", "nee", "nein", "non", "nej", "onwaar", ""}:
        return False
    raise ParseError(_("%(value)r is not yes or no.") % {"value": value})


def looks_like_formula(value: Any) -> bool:
    """A text that a spreadsheet would run as a formula (CSV injection): it starts with =, +, -, @, a
    tab or a carriage return. Plain numbers such as -12,5 or +32 are not formulas."""
    if not isinstance(value, str) or not value:
        return False
    if not value.startswith(FORMULA_START):
        return False
    try:
        parse_decimal(value)
    except ParseError:
        return True
    return False


def escape_cell(value: Any) -> Any:
    """A value made safe for a spreadsheet: a text that would run as a formula gets a leading
    apostrophe (OWASP's advice), so it shows as text and never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def clean_text(value: Any) -> str:
    """A text as stored: surrounding white space removed, Excel's _x000D_ escapes and carriage returns
    turned into plain line ends."""
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()
