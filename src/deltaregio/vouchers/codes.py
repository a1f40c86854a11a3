"""Voucher codes: unguessable, easy to read aloud and type, and with a check character so that a
mistyped code is told apart from an unknown one.

A code is the scheme's code in capitals and 16 characters of Crockford's base-32 alphabet (no I, L, O
or U) in four groups: `FOKUS-7K3M-Q9TX-2HBD-R4W5`. The first 15 characters are random (75 bits from
the operating system's secure generator); the last is a Luhn mod 32 check character, which catches
every single mistyped character and every swap of two neighbours. Reading is forgiving: lower case,
spaces and missing hyphens are accepted, and O, I and L are read as 0, 1 and 1.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 15
BODY_LENGTH = RANDOM_LENGTH + 1
_VALUE = {char: i for i, char in enumerate(ALPHABET)}
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of `body` (characters of ALPHABET)."""
    n = len(ALPHABET)
    factor = 2
    total = 0
    for char in reversed(body):
        addend = factor * _VALUE[char]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def is_valid_body(body: str) -> bool:
    return (
        len(body) == BODY_LENGTH
        and all(char in _VALUE for char in body)
        and check_character(body[:-1]) == body[-1]
    )


def scheme_prefix(scheme_code: str) -> str:
    return scheme_code.upper()


def format_code(scheme_code: str, body: str) -> str:
    groups = [body[i : i + 4] for i in range(0, BODY_LENGTH, 4)]
    return "-".join([scheme_prefix(scheme_code), *groups])


def generate(scheme_code: str) -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return format_code(scheme_code, random_part + check_character(random_part))


@dataclass(frozen=True)
class ParsedCode:
    """What was typed: the scheme prefix (letters and digits only, in capitals) and the 16-character
    body; `problem` says why it cannot be a voucher code, if it cannot."""

    prefix: str
    body: str
    problem: str = ""  # "", "malformed" or "mistyped"

    def canonical(self, scheme_code: str) -> str:
        return format_code(scheme_code, self.body)


def _squash(text: str) -> str:
    return "".join(char for char in text.upper() if char.isalnum())


def parse(raw: str) -> ParsedCode:
    text = _squash(raw or "")
    if len(text) <= BODY_LENGTH:
        return ParsedCode("", text, "malformed")
    prefix, body = text[:-BODY_LENGTH], text[-BODY_LENGTH:]
    body = "".join(_READ_AS.get(char, char) for char in body)
    if not all(char in _VALUE for char in body):
        return ParsedCode(prefix, body, "malformed")
    if not is_valid_body(body):
        return ParsedCode(prefix, body, "mistyped")
    return ParsedCode(prefix, body)


def prefix_matches(parsed: ParsedCode, scheme_code: str) -> bool:
    return parsed.prefix == _squash(scheme_code)
