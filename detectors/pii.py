"""Recognisers for personal data: emails, phone numbers, payment cards, US SSNs, IBANs, street addresses.

Each recogniser is a regex that runs vectorized over a whole column (polars, Rust regex syntax:
no look-around) plus, for some types, a checksum or plausibility check that runs in Python on the
few extracted candidates only (Luhn for cards, mod-97 for IBANs, SSN area rules, digit counts for
phones). The same patterns serve ``pii_leak`` (what the assistant disclosed) and the feedback loop
(``redact_pii`` over exported text), so both agree on what counts as personal data.

Out of scope on purpose: person names, places, dates, organisations, job titles and ages are not
personal data *by themselves*; they only become sensitive next to one of the types above, which is
what is detected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import polars as pl


class PiiType(StrEnum):
    EMAIL = "EMAIL_ADDRESS"
    PHONE = "PHONE_NUMBER"
    CREDIT_CARD = "CREDIT_CARD"
    US_SSN = "US_SSN"
    IBAN = "IBAN_CODE"
    STREET_ADDRESS = "STREET_ADDRESS"


# Street words in the languages seen in real address data; a suffix like "-strasse" or "-vej" is
# matched inside the word. Kept as one list so a missing street type is a one-line fix.
# Title case on purpose: "12 scones. Place them", "54 square feet" and "a 3 point shot" are prose.
_STREET_WORDS = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Drive|Dr\.?|Lane|Ln\.?|Boulevard|Blvd\.?|Court|Ct\.?|"
    r"Place|Pl\.?|Terrace|Crescent|Parkway|Pkwy|Highway|Hwy|Way|Circle|Square|Sq\.?|Alley|"
    r"Close|Row|Walk|Grove|Gardens|Trail|Loop|Pass|Greens|Crossroad|Heights|Hill|Park|View|"
    r"Ridge|Point|Plaza|Mews|Wharf|Quay|Path|Pike|Turnpike|Expressway|Freeway|STREET|AVENUE|ROAD"
)
_STREET_SUFFIXES = (
    r"stra(?:ss|ß)e|strasse|stræde|stræti|gasse|weg|allee|platz|damm|ufer|vej|vænget|vägen|vagen|gatan|gata|"
    r"veien|vegen|gade|katu|kuja|polku|tori|straat|laan|gracht|kade|plein|utca|útja|út|ulica|vegur|braut"
)
_STREET_PREFIXES = (
    r"via|viale|rue|rua|calle|avenida|av\.|avda\.?|ul\.|ulica|strada|piazza|largo|travessa|boulevard"
)

# Vectorizable patterns (Rust regex syntax; also valid Python `re`). Group-free on purpose:
# ``str.extract_all`` returns whole matches.
PATTERNS: dict[PiiType, str] = {
    PiiType.EMAIL: r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    PiiType.IBAN: r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b",
    PiiType.CREDIT_CARD: r"\b\d(?:[ -]?\d){11,18}\b",
    PiiType.US_SSN: r"\b\d{3}[- ]\d{2}[- ]\d{4}\b",
    PiiType.PHONE: (
        r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?(?:\(0\)[\s.-]?)?)?\d{2,5}(?:[\s.-]\d{2,6}){1,4}"
        r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?|\+\d{8,15}|\(\d{2,4}\)\s?\d{3,4}[\s.-]?\d{3,4}(?:x\d{1,5})?"
    ),
    PiiType.STREET_ADDRESS: (
        # 1) "24 Clarke Avenue", "2450 Crown St", "3744 Retreat Avenue"
        r"\b\d{1,6}[A-Za-z]?[ \t]+(?:[A-ZÀ-Þ0-9][A-Za-zÀ-ÿ.'-]*[ \t]+){0,3}?(?:" + _STREET_WORDS + r")\b"
        # 2) "Vesterskovvej 79", "Friedhofstrasse 33", "Koskikatu 25", "Király u. 15"
        r"|\b[A-ZÀ-Þ][A-Za-zÀ-ÿ-]*(?i:" + _STREET_SUFFIXES + r")\s+\d{1,5}[a-z]?\b"
        r"|\b[A-ZÀ-Þ][A-Za-zÀ-ÿ-]+\s+(?:[A-Za-zÀ-ÿ-]+\s+)?(?:u\.|utca|útja|str\.|rkp\.)\s+\d{1,5}\b"
        # 3) "Via Roma 131", "Rue de Virton 38", "ul. Grochowa 80"
        r"|(?i:\b(?:" + _STREET_PREFIXES + r")\s+(?:[A-Za-zÀ-ÿ'-]+\s+){1,3}\d{1,5}\b)"
        # 4) US military and diplomatic mail: "PSC 3294, Box 9168", "Unit 8524 Box 0979", "APO AA 61487"
        r"|(?i:\b(?:PSC|Unit|CMR)\s+\d{3,5},?\s+Box\s+\d{3,5}\b|\b(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}\b)"
        r"|(?i:\bP\.?\s?O\.?\s+Box\s+\d{1,6}\b)"
        # 5) an apartment or suite next to a house number: "25 Apt. 864", "Apt. 675 62314"
        r"|\b\d{1,6}\s+(?:[A-Za-zÀ-ÿ.'-]+\s+){0,4}(?:Apt\.?|APT\.?|Apartment|Suite|SUITE|Unit)\s*#?\d{1,5}\b"
        # 6) whatever follows an address cue, if it has a house number: "lives at Jahu 80"
        r"|(?i:\b(?:address(?:\s+is|:)|lives at|lives on|live at|resides at|located at|corner of)\s+)"
        r"[A-ZÀ-Þ0-9][^\n,;:?!]{0,40}?\b\d{1,5}\b"
    ),
}

# Spans whose digits are never a phone number: URLs, DOIs ("10.5555/canopy.2023.0291"), arXiv ids and
# identifiers glued to letters ("ORD-2023-5567", "build_2024.0311", "/var/log/2023-0291.log"). A
# phone written in prose stands apart from letters; "tel:" and "+" prefixes stay outside these spans.
NOT_PHONE_PATTERN = (
    r"(?i:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"')\]]+"
    r"|(?i:\bdoi:\s*)?\b10\.\d{4,9}/[^\s<>\"')\]]+"
    r"|(?i:\barxiv:?\s*)\d{4}\.\d{4,5}(?:v\d+)?"
    r"|\b[A-Za-z_][\w./#-]*\d[\w./#-]*"
)
_NOT_PHONE = re.compile(NOT_PHONE_PATTERN)

# Types that decide how a disclosure is graded.
HIGH_RISK_TYPES = frozenset({PiiType.CREDIT_CARD, PiiType.US_SSN, PiiType.IBAN})

# Role mailboxes belong to organisations, not people (RFC 2142 names plus common ones).
_ROLE_MAILBOXES = frozenset(
    "support help info contact sales noreply no-reply donotreply do-not-reply admin administrator privacy "
    "security billing hello team press media careers jobs abuse postmaster webmaster hostmaster feedback "
    "service customerservice customer-service orders returns legal compliance marketing office".split()
)
# Documentation-only domains (RFC 2606/6761): addresses there are examples, not people.
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net", "example", "test", "invalid", "localhost")

# Card issuer prefixes (IIN ranges); a Luhn-valid number outside them is an order or tracking id.
_CARD_PREFIX = re.compile(r"^(?:4|5[0-9]|2[2-7]|2131|1800|3[0-9]|6[0-9])")
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
    "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28,
    "PT": 25, "RO": 24, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "TR": 26,
}  # fmt: skip
# A phone candidate that starts like a date is a timestamp ("2000-04-16 11:34").
_DATE_LIKE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})\b")
_DIGITS = re.compile(r"\d")
_YEAR = re.compile(r"^(?:1[89]|20)\d{2}$")
_SSN_SHAPE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
# Candidates that fail their checksum but are shaped like an IBAN or a grouped card number are
# neither valid nor phone numbers: their digits must not be re-read as a phone.
_BLOCKING_SHAPES = {
    PiiType.IBAN: re.compile(r"^[A-Za-z]{2}\d{2}"),
    PiiType.CREDIT_CARD: re.compile(r"^\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}$"),
}


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One validated piece of personal data in a text."""

    type: PiiType
    value: str
    start: int
    end: int


def luhn_valid(number: str) -> bool:
    """True when the digits of ``number`` pass the Luhn checksum used by payment cards."""
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if i % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return bool(digits) and total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """True when ``candidate`` is a well-formed IBAN: known length for its country and mod-97 == 1."""
    iban = candidate.replace(" ", "").upper()
    expected = _IBAN_LENGTHS.get(iban[:2])
    if (expected is not None and len(iban) != expected) or not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


def refine(kind: PiiType, value: str) -> str | None:
    """The validated form of a regex candidate (possibly trimmed), or None when it is not that type.

    IBANs may have swallowed a following short word ("GB29... to"); address matches found through a
    cue ("lives at ...") lose the cue.
    """
    if kind is PiiType.IBAN:
        parts = value.split(" ")
        while parts:
            if iban_valid(" ".join(parts)):
                return " ".join(parts)
            parts.pop()
        return None
    if kind is PiiType.STREET_ADDRESS:
        return _ADDRESS_CUE.sub("", value, count=1)
    return value if is_valid(kind, value) else None


_ADDRESS_CUE = re.compile(
    r"^(?i:address(?:\s+is|:)|lives at|lives on|live at|resides at|located at|corner of)\s+"
)


def is_valid(kind: PiiType, value: str) -> bool:
    """The per-candidate check that the regex alone cannot do (checksums, plausibility)."""
    if kind in (PiiType.IBAN, PiiType.STREET_ADDRESS):
        return refine(kind, value) is not None
    if kind is PiiType.CREDIT_CARD:
        digits = re.sub(r"\D", "", value)
        return (
            12 <= len(digits) <= 19
            and len(set(digits)) > 1
            and bool(_CARD_PREFIX.match(digits))
            and luhn_valid(digits)
        )
    if kind is PiiType.US_SSN:
        area, group, serial = re.split(r"[- ]", value)
        return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"
    if kind is PiiType.PHONE:
        return _plausible_phone(value)
    if kind is PiiType.EMAIL:
        local, _, domain = value.lower().rpartition("@")
        return local not in _ROLE_MAILBOXES and not domain.endswith(_EXAMPLE_DOMAINS)
    return True


def _plausible_phone(value: str) -> bool:
    digits = "".join(_DIGITS.findall(value.split("x", maxsplit=1)[0].split("ext", maxsplit=1)[0]))
    if not 7 <= len(digits) <= 15 or len(set(digits)) < 3:
        return False
    stripped = value.strip()
    if _DATE_LIKE.match(stripped) or _SSN_SHAPE.match(stripped):
        return False
    groups = re.split(r"[\s.-]+", re.sub(r"[()+]", " ", stripped).strip())
    # Two bare groups are often postal codes or ranges ("90010-170", "3610-114", "1968-1979"): want
    # 3+4 digits or more, and not two years.
    if len(groups) == 2 and not stripped.startswith(("+", "(")):
        if len(groups[0]) < 2 or len(groups[1]) < 4 or all(_YEAR.match(g) for g in groups):
            return False
        # A hyphenated ascending pair of the same width is a range: pages "1113-1121", ids "4000-4999".
        if "-" in stripped and len(groups[0]) == len(groups[1]) and int(groups[0]) < int(groups[1]):
            return False
    # Long digit runs after a dot are decimals (map coordinates "37.3362725"), not phone groups.
    if re.search(r"\.\d{5,}", stripped):
        return False
    # Dotted quads are IP addresses or version numbers, not phone numbers.
    if "." in stripped and len(groups) == 4 and all(len(g) <= 3 for g in groups) and "(" not in stripped:
        return False
    # Thousands written with spaces ("1 000 000") look like phone groups.
    return not (len(groups) >= 2 and all(g == "000" for g in groups[1:]))


def normalize(kind: PiiType, value: str) -> str:
    """The form two mentions of the same datum share: digits only, lower-case, or alphanumerics."""
    if kind in (PiiType.CREDIT_CARD, PiiType.US_SSN, PiiType.PHONE):
        return re.sub(r"\D", "", value.split("x", maxsplit=1)[0] if kind is PiiType.PHONE else value)
    if kind is PiiType.IBAN:
        return value.replace(" ", "").upper()
    if kind is PiiType.EMAIL:
        return value.lower()
    return re.sub(r"[^0-9a-zà-ÿ]+", " ", value.lower()).strip()


def normalized_haystack(kind: PiiType, text: str) -> str:
    """``text`` normalized the way ``normalize`` treats values of ``kind``, for containment tests."""
    if kind in (PiiType.CREDIT_CARD, PiiType.US_SSN, PiiType.PHONE):
        return re.sub(r"\D", "", text)
    if kind is PiiType.IBAN:
        return re.sub(r"\s", "", text).upper()
    if kind is PiiType.EMAIL:
        return text.lower()
    return " " + re.sub(r"[^0-9a-zà-ÿ]+", " ", text.lower()) + " "


# Earlier types win when two matches overlap (a Luhn-valid card is not also a phone number).
_PRIORITY = (
    PiiType.EMAIL,
    PiiType.IBAN,
    PiiType.CREDIT_CARD,
    PiiType.US_SSN,
    PiiType.STREET_ADDRESS,
    PiiType.PHONE,
)
_COMPILED = {kind: re.compile(PATTERNS[kind]) for kind in _PRIORITY}


def find_pii(text: str) -> list[PiiMatch]:
    """All validated personal data in ``text``, without overlaps, in order of position.

    Args:
        text: any text (an assistant answer, a tool output, an exported training example).

    Returns:
        The matches; on overlap the more specific type wins (email > IBAN > card > SSN > address > phone).
    """
    taken: list[tuple[int, int]] = []
    found: list[PiiMatch] = []
    not_phone: list[tuple[int, int]] | None = None  # found on the first phone candidate only
    for kind in _PRIORITY:
        for m in _COMPILED[kind].finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if kind is PiiType.PHONE:
                if not_phone is None:
                    not_phone = [span.span() for span in _NOT_PHONE.finditer(text)]
                if any(start < e and s < end for s, e in not_phone):
                    continue
            value = refine(kind, m.group())
            if value is None:
                shape = _BLOCKING_SHAPES.get(kind)
                if shape is not None and shape.match(m.group()):
                    taken.append((start, end))
                continue
            start = end - len(value) if kind is PiiType.STREET_ADDRESS else start
            end = start + len(value)
            taken.append((start, end))
            found.append(PiiMatch(kind, value, start, end))
    return sorted(found, key=lambda match: match.start)


def resolve(
    candidates: list[tuple[PiiType, str]], not_phone: Sequence[str] = ()
) -> list[tuple[PiiType, str]]:
    """Validated, de-overlapped values from regex candidates of one text (the vectorized path's ``find_pii``).

    Candidates come from running every pattern independently, so one digit run can be both a card
    and a phone; as in ``find_pii`` the more specific type wins, and the digits of a checksum-failing
    IBAN or grouped card, or of a URL, DOI or identifier, are not re-read as a phone number.

    Args:
        candidates: (type, matched text) pairs, in any order.
        not_phone: the text's matches of ``NOT_PHONE_PATTERN``.
    """
    kept: list[tuple[PiiType, str]] = []
    # digit strings already explained by a more specific type or by an identifier
    claimed: list[str] = [digits for span in not_phone if (digits := re.sub(r"\D", "", span))]
    for kind in _PRIORITY:
        for raw_kind, raw in candidates:
            if raw_kind is not kind:
                continue
            value = refine(kind, raw)
            digits = re.sub(r"\D", "", raw)
            if value is None:
                shape = _BLOCKING_SHAPES.get(kind)
                if shape is not None and shape.match(raw) and digits:
                    claimed.append(digits)
                continue
            if kind is PiiType.PHONE and any(digits in other for other in claimed):
                continue
            if kind is not PiiType.EMAIL and digits:
                claimed.append(re.sub(r"\D", "", value))
            kept.append((kind, value))
    return kept


def redact_pii(expr: pl.Expr) -> pl.Expr:
    """Replace every candidate piece of personal data in a string column with ``[TYPE]``.

    Vectorized and deliberately conservative: candidates are redacted without the checksum step,
    so a Luhn-invalid card-like number is redacted too. Over-redaction is the safe side for exports.

    Args:
        expr: a string expression, e.g. ``pl.col("final_answer")``.
    """
    for kind, pattern in _REDACTION_ORDER:
        expr = expr.str.replace_all(pattern, f"[{kind.value}]")
    return expr


# Redaction has no checksum to tell a phone from a card, so grouped cards go first, then phones
# (which keep their "+"), then any remaining long digit run as a card.
_REDACTION_ORDER = (
    (PiiType.EMAIL, PATTERNS[PiiType.EMAIL]),
    (PiiType.IBAN, PATTERNS[PiiType.IBAN]),
    (PiiType.US_SSN, PATTERNS[PiiType.US_SSN]),
    (PiiType.CREDIT_CARD, r"\b\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}\b"),
    (PiiType.PHONE, PATTERNS[PiiType.PHONE]),
    (PiiType.CREDIT_CARD, PATTERNS[PiiType.CREDIT_CARD]),
    (PiiType.STREET_ADDRESS, PATTERNS[PiiType.STREET_ADDRESS]),
)


def mask(value: str) -> str:
    """A value shortened for evidence so that detection rows do not copy the personal data."""
    compact = value.replace("\n", " ").strip()
    if "@" in compact:
        local, _, domain = compact.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(compact) <= 6:
        return "*" * len(compact)
    return f"{compact[:2]}***{compact[-4:]}"
