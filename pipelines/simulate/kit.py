"""Building blocks for the conversation templates: entity fillers, checksummed identifiers, message helpers.

Everything random goes through one ``random.Random`` owned by the caller, so a seed fixes the output.
Entity values are fictional; phone numbers use ranges reserved for fiction where a country has one
(US 555-01xx, UK 07700 900xxx), cards and IBANs carry valid checksums so PII detectors that verify
them (Luhn, mod-97) see realistic data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

FIRST_NAMES = (
    "Maria",
    "James",
    "Aisha",
    "Chen",
    "Lukas",
    "Sofia",
    "Daniel",
    "Priya",
    "Mateo",
    "Emma",
    "Noah",
    "Fatima",
    "Oliver",
    "Yuki",
    "Lena",
    "Omar",
    "Grace",
    "Ravi",
    "Chloe",
    "Diego",
    "Hannah",
    "Kwame",
    "Elena",
    "Samuel",
    "Ines",
    "Tomasz",
    "Amara",
    "Julien",
    "Nadia",
    "Ethan",
    "Zoe",
    "Mohammed",
    "Clara",
    "Hiroshi",
    "Isabel",
    "Patrick",
    "Leila",
    "Marco",
    "Freya",
    "Ahmed",
)
LAST_NAMES = (
    "Garcia",
    "Smith",
    "Khan",
    "Wang",
    "Muller",
    "Rossi",
    "Okafor",
    "Patel",
    "Fernandez",
    "Brown",
    "Johnson",
    "Haddad",
    "Wilson",
    "Tanaka",
    "Schmidt",
    "Nasser",
    "Kim",
    "Sharma",
    "Dubois",
    "Lopez",
    "Novak",
    "Mensah",
    "Petrova",
    "Andersen",
    "Silva",
    "Kowalski",
    "Nwosu",
    "Moreau",
    "Ali",
    "Taylor",
)
EMAIL_DOMAINS = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "proton.me",
    "icloud.com",
    "fastmail.com",
    "web.de",
    "orange.fr",
)
STREETS = (
    "Maple Avenue",
    "Oak Street",
    "Hillcrest Drive",
    "Elm Road",
    "Lakeview Terrace",
    "Mill Lane",
    "Cedar Court",
    "Sunset Boulevard",
    "Park Place",
    "Willow Way",
    "Harbor Road",
    "Birch Lane",
)
CITIES = (
    ("Denver", "CO", "80203"),
    ("Austin", "TX", "78704"),
    ("Portland", "OR", "97214"),
    ("Columbus", "OH", "43215"),
    ("Raleigh", "NC", "27601"),
    ("Madison", "WI", "53703"),
    ("Tucson", "AZ", "85719"),
    ("Richmond", "VA", "23220"),
    ("Boise", "ID", "83702"),
)
SHIP_TO = (
    "Chicago",
    "Seattle",
    "Miami",
    "Boston",
    "Phoenix",
    "Atlanta",
    "San Diego",
    "Minneapolis",
    "Toronto",
    "London",
)

# (product, list price in USD, kind). Prices decide whether a full refund needs escalation (> $100);
# kinds keep faults, questions and competitor comparisons plausible for the product.
PRODUCTS = (
    ("Acme Aero 3 headphones", 249.00, "audio"),
    ("Acme Aero Buds", 129.00, "audio"),
    ("Acme Echo soundbar", 449.00, "speaker"),
    ("Acme Pulse smartwatch", 329.00, "wearable"),
    ("Acme Tread fitness band", 69.00, "wearable"),
    ("Acme Vista 55 TV", 899.00, "tv"),
    ("Acme Kettle Pro", 89.00, "home"),
    ("Acme Breeze air purifier", 219.00, "home"),
    ("Acme Lumen desk lamp", 59.00, "home"),
    ("Acme Volt power bank", 49.00, "accessory"),
    ("Acme Dock USB-C hub", 79.00, "accessory"),
    ("Acme Glide mouse", 39.00, "accessory"),
    ("Acme Nimbus router", 179.00, "network"),
    ("Acme Forge 14 laptop", 1299.00, "computer"),
    ("Acme Snap action camera", 299.00, "camera"),
)
SCREENED = ("wearable", "tv", "computer", "camera")
WORN = ("audio", "wearable")
_COMMON_FAULTS = ("it won't turn on anymore", "it keeps restarting by itself", "the power button is stuck")
FAULTS = {
    "audio": (
        "the left earcup stopped working",
        "it keeps disconnecting from Bluetooth",
        "it makes a buzzing noise",
    ),
    "speaker": ("it makes a buzzing noise", "the HDMI input stopped working"),
    "wearable": ("the screen has a line of dead pixels", "it won't hold a charge", "the strap clasp broke"),
    "tv": (
        "the screen has a line of dead pixels",
        "the display flickers",
        "it keeps disconnecting from Wi-Fi",
    ),
    "home": (
        "it keeps disconnecting from Wi-Fi",
        "it makes a buzzing noise",
        "it switches off after a minute",
    ),
    "accessory": ("the USB-C port is loose", "it stopped charging my phone", "it gets very hot"),
    "network": (
        "it keeps dropping the connection",
        "the status light blinks red",
        "it overheats after an hour",
    ),
    "computer": ("the hinge cracked", "the display flickers", "it overheats after an hour"),
    "camera": ("the screen has a line of dead pixels", "it won't hold a charge", "the lens cover is stuck"),
}

# Competitors of the fictional Acme, with a product of the same kind as an Acme one; the support
# policy forbids recommending them. Brand names match detectors/policies/acme-support-v1.yaml.
COMPETITORS = (
    ("Globex", "Globex SoundMax 700", "audio"),
    ("Soylent", "Soylent Pods Pro", "audio"),
    ("Initech", "Initech Orbit watch", "wearable"),
    ("Hooli", "Hooli Nest router", "network"),
    ("Vandelay Industries", "Vandelay V9 TV", "tv"),
    ("Umbrella Corp", "Umbrella Air 2 purifier", "home"),
)

_US_AREAS = ("212", "312", "415", "503", "617", "702", "720", "801", "919", "206")


@dataclass(slots=True)
class Conversation:
    """What a scenario builds: the system prompt, the turns after it, and optional context documents.

    ``prefix_ok``: small-talk turns may be prepended (false when a system instruction constrains every
    answer, e.g. "reply in French", which small talk would break). ``padding_ok``: the simulator may add
    retrieval-noise documents or repository notes to reach the size floor.
    """

    system: str
    turns: list[dict[str, Any]]
    context: list[dict[str, str]] | None = None
    prefix_ok: bool = True
    padding_ok: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One conversation template.

    ``injected`` is the failure mode the scenario exists to inject (None for clean traffic);
    ``failures`` lists every detector a spec-following detector should flag on it (a sycophantic
    capitulation that contradicts a context document is also a fabrication). ``hard_negative`` marks
    clean scenarios built to look like a failure (a $40 refund, a URL that is in the context).
    """

    name: str
    injected: str | None
    build: Callable[[Fill], Conversation]
    weight: float = 1.0
    failures: tuple[str, ...] = ()
    hard_negative: bool = False
    drift_weight: float | None = None  # weight after a model update that raises this failure's rate

    def __post_init__(self) -> None:
        if self.injected is not None and self.injected not in self.failures:
            object.__setattr__(self, "failures", tuple(sorted({self.injected, *self.failures})))


class Fill:
    """Draws entity values and template choices from one seeded generator."""

    __slots__ = ("rng",)

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, options: Sequence[T]) -> T:
        return options[int(self.rng.random() * len(options))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def call_id(self) -> str:
        return "call_" + self.hex(12)

    # -- people --------------------------------------------------------------------------------

    def first_name(self) -> str:
        return self.pick(FIRST_NAMES)

    def full_name(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"

    def email(self, name: str | None = None) -> str:
        first, _, last = (name or self.full_name()).partition(" ")
        style = self.between(0, 3)
        local = (
            f"{first}.{last}"
            if style == 0
            else f"{first[0]}{last}"
            if style == 1
            else f"{first}{self.between(1, 99)}"
            if style == 2
            else f"{first}_{last}{self.between(70, 99)}"
        )
        return f"{local.lower()}@{self.pick(EMAIL_DOMAINS)}"

    def phone(self) -> str:
        kind = self.between(0, 2)
        if kind == 0:
            return f"+1 ({self.pick(_US_AREAS)}) 555-01{self.between(0, 99):02d}"
        if kind == 1:
            return f"+44 7700 900{self.between(0, 999):03d}"
        return f"+49 151 {self.between(1000, 9999)} {self.between(1000, 9999)}"

    def address(self) -> str:
        city, state, zip_code = self.pick(CITIES)
        return f"{self.between(12, 4980)} {self.pick(STREETS)}, {city}, {state} {zip_code}"

    def card(self) -> str:
        """A payment card number with a valid Luhn check digit, grouped as printed on the card."""
        brand = self.between(0, 2)
        prefix, length = (("4", 16), ("5" + str(self.between(1, 5)), 16), ("37", 15))[brand]
        body = prefix + "".join(str(self.between(0, 9)) for _ in range(length - len(prefix) - 1))
        digits = body + str(luhn_check_digit(body))
        if length == 15:
            return f"{digits[:4]} {digits[4:10]} {digits[10:]}"
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4))

    def iban(self) -> str:
        """An IBAN with valid mod-97 check digits (DE, NL or GB layout), in print format."""
        country = self.pick(("DE", "NL", "GB"))
        if country == "DE":
            bban = "".join(str(self.between(0, 9)) for _ in range(18))
        elif country == "NL":
            bban = self.pick(("ABNA", "INGB", "RABO")) + "".join(str(self.between(0, 9)) for _ in range(10))
        else:
            bban = self.pick(("NWBK", "BARC", "MIDL")) + "".join(str(self.between(0, 9)) for _ in range(14))
        compact = country + iban_check_digits(country, bban) + bban
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))

    def ssn(self) -> str:
        area = self.between(1, 665)
        return f"{area:03d}-{self.between(1, 99):02d}-{self.between(1, 9999):04d}"

    # -- commerce ------------------------------------------------------------------------------

    def order_id(self) -> str:
        return f"AC-{self.between(10_000_000, 99_999_999)}"

    def product(
        self, *, min_price: float = 0.0, max_price: float = 1e9, kinds: tuple[str, ...] | None = None
    ) -> tuple[str, float]:
        options = [p for p in PRODUCTS if min_price <= p[1] <= max_price and (kinds is None or p[2] in kinds)]
        name, price, _ = self.pick(options)
        return name, price

    def product_with_fault(self) -> tuple[str, str]:
        name, _, kind = self.pick(PRODUCTS)
        return name, self.pick(FAULTS[kind] + _COMMON_FAULTS)

    def competitor(self) -> tuple[str, str, str]:
        """(competitor brand, their product, an Acme product of the same kind)."""
        brand, theirs, kind = self.pick(COMPETITORS)
        return brand, theirs, self.product(kinds=(kind,))[0]


def luhn_check_digit(body: str) -> int:
    """The digit that makes ``body + digit`` pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    digits = "".join(c for c in number if c.isdigit())
    return luhn_check_digit(digits[:-1]) == int(digits[-1])


def _iban_number(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text))


def iban_check_digits(country: str, bban: str) -> str:
    return f"{98 - _iban_number(bban + country + '00') % 97:02d}"


def iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "").upper()
    return _iban_number(compact[4:] + compact[:4]) % 97 == 1


def money(amount: float) -> str:
    return f"${amount:,.2f}"


# -- messages ----------------------------------------------------------------------------------


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def developer(text: str) -> dict[str, Any]:
    return {"role": "developer", "content": text}


def tool_round(
    f: Fill, name: str, arguments: dict[str, Any], output: str, preface: str = ""
) -> list[dict[str, Any]]:
    """An assistant tool call and the tool's answer, as OpenAI-style messages."""
    call_id = f.call_id()
    return [
        {
            "role": "assistant",
            "content": preface or None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "name": name, "content": output},
    ]


def doc(doc_id: str, source: str, text: str) -> dict[str, str]:
    return {"id": doc_id, "source": source, "text": text}
