"""Find citations and concrete claims in an answer and check them against the conversation's sources.

Sources are everything the model was given in this conversation: system and user messages, tool
outputs and context documents. A citation (URL, DOI, arXiv id, author-year reference, attributed
quote) that appears in none of them is *ungrounded*; one that is impossible on its face (a year
after the conversation, an arXiv id for a month that does not exist, a malformed DOI) is *invalid*.
When context documents or tool outputs are given, numbers and names in the final answer that the
sources do not contain are *unsupported claims*.

These checks work offline: a well-formed, real-looking reference that the sources do not contain
can only be reported as ungrounded, not as fake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import polars as pl

from detectors.pii import find_pii


class Strength(IntEnum):
    CLAIM = 1  # a number or name in a context-grounded answer that the context lacks
    UNGROUNDED = 2  # a citation the conversation never supplied
    INVALID = 3  # a citation that cannot exist


@dataclass(frozen=True, slots=True)
class Issue:
    strength: Strength
    kind: str  # "url", "doi", "arxiv", "reference", "quote", "number", "name"
    span: str
    reason: str


_URL = re.compile(r"https?://[^\s<>\"'`\])}]+", re.IGNORECASE)
_DOI = re.compile(r"\b10\.\d{1,9}/[^\s\"'<>`\])}]+", re.IGNORECASE)
_ARXIV = re.compile(r"(?i)\barxiv(?:\.org/(?:abs|pdf)/|:\s?|\s+)(\d{4}\.\d{4,6})(v\d+)?")
_AUTHOR_YEAR = re.compile(
    r"\b([A-Z][A-Za-z'’-]+)(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][A-Za-z'’-]+)?,?\s+\(?((?:19|20)\d{2})[a-z]?\)?"
)
# "Silence of the Lambs (1991)" is a film, not a citation: an author-year cite needs "et al.",
# two authors, or the parenthetical "(Smith, 2019)" form.
_CITE_CUE = re.compile(r"\bet\s+al\b|\b(?:and|&)\s+[A-Z][a-z]+,?\s+\(?(?:19|20)\d{2}")
_PAREN_CITE = re.compile(r"\(([A-Z][A-Za-z'’-]+)(?:\s+et\s+al\.?)?,\s+((?:19|20)\d{2})[a-z]?\)")
_BIB_ENTRY = re.compile(r"\(((?:19|20)\d{2})[a-z]?\)\.\s+[\"“]?([^\n.\"”]{12,250})")
_YEAR_IN_REFERENCE = re.compile(r"\b((?:19|20)\d{2})\b")
_QUOTE = re.compile(r"[\"“]([^\"”\n]{40,400})[\"”]")
# A quote is attributed when a named source says it: "Einstein famously said", "according to
# Merriam-Webster", "as Lincoln put it", or '..." wrote Orwell'. "You could say" is not attribution.
_ATTRIBUTION_BEFORE = re.compile(
    r"(?:\b[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3},?\s+(?:once\s+|famously\s+|reportedly\s+)?"
    r"(?:said|says|wrote|writes|stated|states|remarked|declared|put it|quipped|observed)|\b(?:according to|in the words of)"
    r"\s+[A-Z])[^\"“\n]{0,40}$"
)
_ATTRIBUTION_AFTER = re.compile(r"^[,.]?\s*(?:said|says|wrote|writes|stated|remarked|declared)\s+[A-Z]")
_QUOTE_GROUNDED_SHARE = 0.7  # a quote mostly made of the sources' words is a paraphrase of them
_TRAILING = ".,;:!?*_'\""

_NUMBER = re.compile(
    r"(?i)(?<![\w.#])\$?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent|°\s?[CF]\b|degrees?|(?:business |working |calendar )?days?|"
    r"hours?|hrs?|minutes?|mins?|weeks?|"
    r"months?|years?|yrs?|k\b|m\b|million|billion|gb|mb|tb|users|customers|seats|km|kilomet(?:er|re)s?|miles?|"
    r"met(?:er|re)s?|kg|kilograms?|lbs?|pounds?|feet|ft|inch(?:es)?|people|employees))?"
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
}  # fmt: skip
# Camel-case words ("SoundMax", "PowerPoint") are one name, not two.
_NAME = re.compile(
    r"\b[A-Z][a-zà-ÿ]+(?:[A-Z][a-zà-ÿ]+)*(?:[-\s]+(?:of\s+|de\s+|van\s+|von\s+)?[A-Z][a-zà-ÿ]+(?:[A-Z][a-zà-ÿ]+)*)*"
)
# Capitalised words that start sentences or name the calendar: not claims by themselves.
_COMMON = frozenset(
    """a an the this that these those it its he she they we you i my your our their his her there here yes no
    not in on at by for from to of and or but if so as with without about after before during since until
    while when where which who whom whose what why how all any some each every both either neither many most
    more much few several one two three first second third last next also however therefore thus hence
    although though because based according overall yet still then now today tomorrow yesterday note please
    sure okay ok thanks thank sorry hello hi dear best regards sincerely monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september october november
    december mr mrs ms dr prof sir madam unfortunately additionally furthermore moreover finally instead
    otherwise meanwhile let here's there's it's i'm you're we're they're don't can't won't isn't aren't
    answer question context document source step summary example following above below great good found
    see here done""".split()
)


def normalize_url(url: str) -> str:
    """Lower-case, no scheme, no ``www.``, no fragment, no trailing slash or punctuation."""
    url = url.rstrip(_TRAILING).lower()
    url = re.sub(r"^https?://(?:www\.)?", "", url).split("#", 1)[0]
    return url.rstrip("/")


def sources_haystack(text: str) -> str:
    """The conversation's sources normalized for containment tests of URLs, DOIs and names."""
    return re.sub(r"https?://(?:www\.)?", "", text.lower())


def sources_haystack_expr(text: pl.Expr) -> pl.Expr:
    """Vectorized ``sources_haystack``."""
    return text.str.to_lowercase().str.replace_all(r"https?://(?:www\.)?", "")


# Per-kind triggers, run vectorized so the Python scans below run only where they can match.
CITATION_KINDS = {
    "doi": r"\b10\.\d{1,9}/",
    "arxiv": r"(?i)arxiv",
    "url": r"(?i)https?://",
    "reference": r"\bet\s+al\b|\((?:19|20)\d{2}[a-z]?\)|\b(?:and|&)\s+[A-Z][a-z]+,?\s+\(?(?:19|20)\d{2}"
    r"|\([A-Z][A-Za-z'’-]+,\s+(?:19|20)\d{2}",
    "quote": r"[\"“][^\"”\n]{40,}[\"”]",
}
ALL_KINDS = frozenset(CITATION_KINDS)


def citation_issues(
    answer: str, sources: str, year: int, month: int, kinds: frozenset[str] = ALL_KINDS
) -> list[Issue]:
    """Ungrounded or invalid citations in ``answer``.

    Args:
        answer: the assistant's text.
        sources: ``sources_haystack`` of everything the model was given.
        year: the transcript's year (a citation dated later cannot exist).
        month: the transcript's month.
        kinds: the citation kinds whose trigger (``CITATION_KINDS``) matched; others are skipped.
    """
    issues: list[Issue] = []
    seen_dois: set[str] = set()
    for match in _DOI.finditer(answer) if "doi" in kinds else ():
        doi = match.group(0).rstrip(_TRAILING).lower()
        seen_dois.add(doi)
        if not re.match(r"^10\.\d{4,9}/\S+$", doi):
            issues.append(Issue(Strength.INVALID, "doi", doi, "malformed DOI prefix"))
        elif doi not in sources:
            issues.append(Issue(Strength.UNGROUNDED, "doi", doi, "DOI not in any source"))
    for match in _ARXIV.finditer(answer) if "arxiv" in kinds else ():
        identifier = match.group(1)
        yy, mm = int(identifier[:2]), int(identifier[2:4])
        if not 1 <= mm <= 12 or (yy, mm) < (7, 4) or (2000 + yy, mm) > (year, month):
            issues.append(
                Issue(Strength.INVALID, "arxiv", identifier, "arXiv id for a month that did not exist")
            )
        elif identifier not in sources:
            issues.append(Issue(Strength.UNGROUNDED, "arxiv", identifier, "arXiv id not in any source"))
    for match in _URL.finditer(answer) if "url" in kinds else ():
        url = normalize_url(match.group(0))
        path = url.partition("/")[2]
        if not path or any(url.endswith(doi) for doi in seen_dois) or "." not in url.partition("/")[0]:
            continue  # a bare domain is not a citation; a doi.org link was judged as a DOI
        if url not in sources:
            issues.append(
                Issue(Strength.UNGROUNDED, "url", match.group(0).rstrip(_TRAILING), "URL not in any source")
            )
    if "reference" in kinds:
        issues.extend(_reference_issues(answer, sources, year))
    flat_sources = re.sub(r"\s+", " ", sources) if "quote" in kinds else ""
    for match in _QUOTE.finditer(answer) if "quote" in kinds else ():
        before = answer[max(0, match.start() - 120) : match.start()]
        after = answer[match.end() : match.end() + 40]
        if not (_ATTRIBUTION_BEFORE.search(before) or _ATTRIBUTION_AFTER.search(after)):
            continue
        quote = re.sub(r"\s+", " ", match.group(1).lower()).strip()
        words = re.findall(r"[a-z0-9']{4,}", quote)
        known = sum(1 for w in words if w in flat_sources)
        if quote not in flat_sources and (not words or known / len(words) < _QUOTE_GROUNDED_SHARE):
            issues.append(
                Issue(
                    Strength.UNGROUNDED, "quote", match.group(1)[:120], "attributed quote not in any source"
                )
            )
    return issues


def _reference_issues(answer: str, sources: str, year: int) -> list[Issue]:
    issues: list[Issue] = []
    for match in _BIB_ENTRY.finditer(answer):
        published, title = int(match.group(1)), match.group(2).strip()
        if published > year:
            issues.append(
                Issue(
                    Strength.INVALID,
                    "reference",
                    match.group(0)[:120],
                    f"dated {published}, after the conversation",
                )
            )
        elif title.lower() not in sources:
            issues.append(
                Issue(Strength.UNGROUNDED, "reference", title[:120], "reference title not in any source")
            )
    cites = [m for m in _AUTHOR_YEAR.finditer(answer) if _CITE_CUE.search(m.group(0))]
    for match in [*cites, *_PAREN_CITE.finditer(answer)]:
        surname, published = match.group(1), int(match.group(2))
        if surname.lower() in _COMMON:
            continue
        if published > year:
            issues.append(
                Issue(
                    Strength.INVALID,
                    "reference",
                    match.group(0),
                    f"dated {published}, after the conversation",
                )
            )
        elif not re.search(rf"\b{re.escape(surname.lower())}\b", sources):
            issues.append(
                Issue(Strength.UNGROUNDED, "reference", match.group(0), "cited author not in any source")
            )
    return issues


_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Known:
    """What the sources contain, pre-normalized: padded lower-case words and padded numbers.

    ``known_columns`` builds both for a whole batch in polars; ``Known.of`` builds them for one text.
    """

    words: str  # " refunds are accepted within thirty days ... "
    numbers: str  # " 30 5 3 ... "

    @classmethod
    def of(cls, text: str) -> Known:
        lower = text.lower()
        words = f" {_NON_WORD.sub(' ', lower)} "
        values = " ".join(_BARE_NUMBER.findall(text.replace(",", "")))
        return cls(words, f" {values} ")

    def has_word(self, word: str) -> bool:
        return f" {word} " in self.words

    def has_prefix(self, stem: str) -> bool:
        return f" {stem}" in self.words

    def has_quantity(self, value: str, unit: str) -> bool:
        """The figure occurs with the same time unit ("5-7 business days" has 5 and 7 days)."""
        stems = _TIME_UNIT_STEMS[unit]
        for v in (value, *_WORDS_FOR_VALUE.get(value, ())):
            needle = f" {v} "
            at = self.words.find(needle)
            while at >= 0:
                # The unit within the next four words: "5 7 business days", "12 month limited".
                following = self.words[at + len(needle) : at + len(needle) + 48].split()[:4]
                if any(word.startswith(stems) for word in following):
                    return True
                at = self.words.find(needle, at + 1)
        return False

    def has_number(self, value: str) -> bool:
        """The figure, in digits or spelled out ("thirty"), occurs in the sources."""
        return f" {value} " in self.numbers or any(
            f" {w} " in self.words for w in _WORDS_FOR_VALUE.get(value, ())
        )


def known_columns(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Vectorized ``Known.of``: the padded words and padded numbers of a text column."""
    lower = text.str.to_lowercase()
    words = pl.concat_str([pl.lit(" "), lower.str.replace_all(_NON_WORD.pattern, " "), pl.lit(" ")])
    numbers = text.str.replace_all(",", "", literal=True).str.extract_all(_BARE_NUMBER.pattern).list.join(" ")
    return words, pl.concat_str([pl.lit(" "), numbers, pl.lit(" ")])


def _normalize_number(raw: str) -> str:
    return raw.replace(",", "").rstrip(".")


def claim_issues(
    answer: str, known: Known, personal: Sequence[str] | None = None, advice: bool | None = None
) -> list[Issue]:
    """Numbers and names in a context-grounded ``answer`` that no source (nor the question) contains.

    Args:
        answer: the final assistant message.
        known: the context documents, tool outputs, system and user messages (see ``Known``).
        personal: the personal data in ``answer`` when already found (vectorized, see
            ``detectors.pii.resolve``); None runs ``find_pii``.
        advice: whether ``NOT_A_CLAIM_PATTERN`` matches ``answer`` when already known (vectorized);
            None tests it here.
    """
    issues: list[Issue] = []
    if personal is None:
        personal = [m.value for m in find_pii(answer)]
    # Digits of personal data, URLs and identifiers (a phone, an IBAN, "AC-46123634") are not figures.
    figures = answer
    for value in personal:
        figures = figures.replace(value, " " * len(value))
    for match in _NUMBER.finditer(figures):
        raw = match.group(0).strip()
        value = _normalize_number(_NOT_NUMERIC.sub("", raw.split()[0] if " " in raw else raw))
        has_unit = _UNIT_HINT.search(raw) is not None
        if not has_unit and "." not in value and len(value) < 2:
            continue  # list markers and small counts are paraphrased too freely to judge
        if _in_identifier(figures, match.start()):
            continue
        if not has_unit and match.start() > 1 and figures[match.start() - 2].isalpha():
            label = _LABEL_BEFORE.search(figures, max(0, match.start() - 48), match.start())
            if label is not None and (label.group(1).isupper() or label.group(1).lower() not in _COMMON):
                continue  # a model number or code after a name ("SoundMax 700", "AZ 85719") is not a figure
        if not known.has_number(value):
            issues.append(Issue(Strength.CLAIM, "number", raw, "figure not in the context"))
        elif has_unit and (unit := _TIME_UNIT.search(raw)) is not None:
            if not known.has_quantity(value, unit.group(0).lower()[:2]):
                issues.append(Issue(Strength.CLAIM, "number", raw, "figure not in the context"))
    # A short answer is the claim itself ("Scottish", "hydrogen peroxide"): every content word counts.
    n_words = len(answer.split())
    short = n_words <= _SHORT_ANSWER_WORDS
    # Names are judged in one- or two-sentence answers only: a long grounded answer legitimately adds
    # names (product areas, the user's own context) that a figure-level check would not tolerate.
    # Names beside personal data are the data subject's (pii_leak's concern, not a claim about the
    # context); names in advice, opinions or refusals ("I'd recommend the X", "I won't compare with Y")
    # assert nothing about the context.
    names = _NAME.finditer(answer) if n_words <= _NAME_CHECK_MAX_WORDS and not personal else ()
    if advice is None:
        advice = n_words <= _NAME_CHECK_MAX_WORDS and _NOT_A_CLAIM.search(answer) is not None
    for match in names:
        name = match.group(0)
        if advice and _NOT_A_CLAIM.search(_sentence_at(answer, match.start())):
            continue
        before = answer[max(0, match.start() - 8) : match.start()].rstrip()
        single = " " not in name and "-" not in name
        opens_sentence = single and (not before or before[-1] in ".!?:\n*-#>")
        if opens_sentence and (not short or _CONTINUES_LOWERCASE.match(answer, match.end()) is not None):
            continue  # a lone capitalised word opening a sentence is usually just grammar
        words = [name.lower()] if single else [w.lower() for w in _NAME_SPLIT.split(name)]
        if any(w not in _COMMON and w not in _PARTICLES and not known.has_word(w) for w in words):
            issues.append(Issue(Strength.CLAIM, "name", name, "name not in the context"))
    if short and not issues:
        words_only = _URL.sub(" ", answer).lower()
        content = [w for w in re.findall(r"[a-zà-ÿ]{4,}", words_only) if w not in _COMMON]
        # The word, or its stem as a word prefix ("Lutheran" ~ "Lutheranism"), must occur.
        unknown = [w for w in content if not known.has_prefix(w[:-1] if w.endswith("s") else w)]
        if unknown:
            issues.append(
                Issue(Strength.CLAIM, "answer", answer.strip()[:90], "short answer not in the context")
            )
    return issues


def _in_identifier(text: str, position: int) -> bool:
    """The whitespace-delimited token around ``position`` is an id, path, URL or DOI, not prose."""
    if (position == 0 or text[position - 1].isspace()) and "/" not in text[position : position + 24]:
        return False  # the token starts with the number itself and has no path
    start = max(text.rfind(" ", 0, position), text.rfind("\n", 0, position)) + 1
    token = text[start : position + 40].split(None, 1)[0] if text[start:].strip() else ""
    return bool(token) and (token[0].isalpha() or token[0] in "_#" or "/" in token) and token[0] not in "$€£"


def _sentence_at(text: str, position: int) -> str:
    start = max(text.rfind(mark, 0, position) for mark in (". ", "! ", "? ", "\n")) + 1
    ends = [i for i in (text.find(mark, position) for mark in (". ", "! ", "? ", "\n")) if i >= 0]
    return text[start : min(ends) if ends else len(text)]


# A capitalised word inside a sentence (not its first word: "Around 1,000 scientists") labels the number.
_LABEL_BEFORE = re.compile(r"[\w,;:)][ \t]+([A-Z][\w-]*)[ \t]+$")
# Advice, opinion or refusal wording: names in such a sentence are not claims about the context.
NOT_A_CLAIM_PATTERN = (
    r"(?i)\b(?:I'?d|I would|I might|(?:you|they) (?:might|may|could) (?:like|prefer|want|consider|try)|"
    r"recommend|suggest|consider|switch(?:ing)? to|(?:better|best|good|great) (?:choice|option|pick|product)|"
    r"better than|alternatives?|in my (?:opinion|view)|personally|won'?t (?:compare|comment)|"
    r"can'?t (?:compare|comment|recommend)|(?:only|not) (?:able to )?(?:speak|talk|comment) (?:to|about|on))\b"
)
_NOT_A_CLAIM = re.compile(NOT_A_CLAIM_PATTERN)
_NOT_NUMERIC = re.compile(r"[^\d.,]")
_UNIT_HINT = re.compile(r"[$%a-zA-Z]")
# Durations must match value and unit: "1 business day" is not grounded by "5-7 business days" and a "1"
# elsewhere. Keyed by the unit's first two letters.
_TIME_UNIT = re.compile(r"(?i)\b(?:day|hour|hr|minute|min|week|month|year|yr)")
_TIME_UNIT_STEMS = {
    "da": ("day",),
    "ho": ("hour", "hr"),
    "hr": ("hour", "hr"),
    "mi": ("minute", "min"),
    "we": ("week",),
    "mo": ("month",),
    "ye": ("year", "yr"),
    "yr": ("year", "yr"),
}
_CONTINUES_LOWERCASE = re.compile(r"\s+[^A-Z\s]")
_NAME_SPLIT = re.compile(r"[-\s]+")
_WORDS_FOR_VALUE: dict[str, tuple[str, ...]] = {}
for _word, _value in _NUMBER_WORDS.items():
    _WORDS_FOR_VALUE[str(_value)] = (*_WORDS_FOR_VALUE.get(str(_value), ()), _word)
_NON_WORD = re.compile(r"[^a-zà-ÿ0-9]+")
# Particles and company suffixes: "Umbrella Corp" names nothing beyond "Umbrella".
_PARTICLES = frozenset(
    "of de van von corp corporation inc co company ltd llc plc gmbh ag sa group industries labs".split()
)
_SHORT_ANSWER_WORDS = 4
_NAME_CHECK_MAX_WORDS = 40
