"""Verifiable instructions (output format, length, language, forbidden words) and their checks.

``parse_instructions`` reads the system and user messages for instructions whose compliance can be
checked mechanically; ``violations`` checks an answer against them. Anything subjective ("be
concise", "sound friendly") is left alone: every violation reported here can be verified by a person
in seconds from the evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_N = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten)"

JSON_RULE = re.compile(
    r"(?i)\b(?:respond|reply|answer|output|return|format|write|give)\b[^.\n]{0,40}\b(?:in|as|with|using)\s+"
    r"(?:a\s+|an\s+|valid\s+|only\s+|strict\s+|pure\s+|single\s+|one\s+|compact\s+|minified\s+)*json\b|\b(?:json only|only json|valid json only)\b"
)
WORD_LIMIT = re.compile(
    rf"(?i)\b(?:in|with|using|within|keep (?:it|your answer|the answer|your response) (?:to|under))?\s*"
    rf"(?:no more than|at most|fewer than|less than|under|a maximum of|maximum of|max\.?|up to|not exceeding)\s+{_N}\s+words\b"
    rf"|\b{_N}\s+words\s+or\s+(?:fewer|less)\b"
)
BULLET_LIMIT = re.compile(
    rf"(?i)\b(?:at most|no more than|up to|a maximum of|maximum of|max\.?|not more than)\s+{_N}\s+bullet(?:\s+point)?s?\b"
    rf"|\b{_N}\s+bullet(?:\s+point)?s?\s+or\s+(?:fewer|less)\b"
)
BULLET_EXACT = re.compile(
    rf"(?i)\b(?:exactly|precisely|in|with|using|as)\s+{_N}\s+bullet(?:\s+point)?s\b(?!\s+or\s+(?:fewer|less))"
)
LANGUAGES = ("french", "spanish", "german", "italian", "portuguese", "dutch", "english")
# The verb must open an instruction (sentence start, "please", "you must", "always"), so that a
# question such as "how can I learn to write in Spanish?" is not read as one.
LANGUAGE_RULE = re.compile(
    r"(?im)(?:^|[.!?:]\s+|\bplease\s+|\byou (?:must|should|will|shall)\s+|\balways\s+|\bonly\s+)"
    r"(?:respond|reply|answer|write|speak|talk|communicate)\b[^.\n]{0,30}?\b(?:only |always |exclusively )?in\s+"
    r"(" + "|".join(LANGUAGES) + r")\b|\b(?:only|always) (?:use |speak )?(" + "|".join(LANGUAGES) + r")\b"
)
# Language instructions written in the language they ask for ("Antworte immer auf Deutsch").
NATIVE_LANGUAGE_RULES = {
    "german": r"\bantworte(?:n sie|t)? (?:bitte )?(?:immer |nur |stets |ausschließlich )?auf deutsch\b|\bauf deutsch antworten\b",
    "spanish": r"\b(?:responde|contesta|respóndeme|responda)(?:r)? (?:siempre |solo |sólo |únicamente )?en español\b",
    "french": r"\br[ée]pond(?:s|ez|re)? (?:toujours |uniquement |seulement )?en fran[cç]ais\b",
    "italian": r"\b(?:rispondi|risponda|rispondere) (?:sempre |solo |soltanto )?in italiano\b",
    "portuguese": r"\b(?:responda|responde|responder) (?:sempre |apenas |somente )?em portugu[eê]s\b",
    "dutch": r"\b(?:antwoord|antwoorden) (?:altijd |alleen |uitsluitend )?in het nederlands\b",
}
_NATIVE_LANGUAGE = re.compile(
    "(?i)" + "|".join(f"(?P<{lang}>{rule})" for lang, rule in NATIVE_LANGUAGE_RULES.items())
)
# "Reply in the customer's language": the required language is the one the user wrote in.
SAME_LANGUAGE_RULE = re.compile(
    r"(?i)\b(?:respond|reply|answer|write)\b[^.\n]{0,30}\bin the (?:same )?language (?:of|as|used by) the "
    r"(?:user|customer|question|message|request)|\bin the (?:user|customer)'?s (?:own )?language\b"
)
# A forbidden word is quoted, introduced as "the word/term X", or a capitalised name after
# "never mention/say" ("Never mention Zendesk"); "don't use a debit card" is advice, not a word ban.
FORBIDDEN_RULE = re.compile(
    r"(?i:\b(?:do not|don't|never|avoid|must not|should not)\s+(?:use|say|mention|write|include|utter)\s+)"
    r"(?:(?i:the\s+(?:word|term|phrase|name)s?\s+)[\"'“‘]?([A-Za-z0-9][\w'-]{0,38})[\"'”’]?"
    r"|[\"'“‘]([^\"'”’\n]{1,40})[\"'”’]"
    r"|([A-Z][\w'-]*(?: [A-Z][\w'-]*){0,3}))"
)
# One vectorizable trigger for the prefilter (no look-ahead: polars' regex engine has none).
TRIGGER = (
    r"(?i)\bjson\b|\bwords\b|\bbullet|\b(?:in|only|always) (?:use |speak )?(?:french|spanish|german|italian|portuguese|"
    r"dutch|english)\b|\b(?:do not|don't|never|avoid|must not|should not)\s+(?:use|say|mention|write|include|utter)\b"
    r"|\b(?:deutsch|español|fran[cç]ais|italiano|portugu[eê]s|nederlands)\b|\blanguage\b"
)

# Frequent function words per language: enough to tell the answer's language from a few sentences.
_STOPWORDS = {
    "english": (
        "the and is are of to in that it for with you this not be have on was as your can will by or at from if we "
        "our has which there their but would should they what when how an been were get you'll it's don't can't "
        "we'll i'm that's"
    ).split(),
    "french": "le la les et est sont des un une du que qui pour avec vous nous pas dans ce cette sur au aux".split(),
    "spanish": "el la los las y es son de un una que para con usted no en por del al se su como".split(),
    "german": "der die das und ist sind ein eine nicht mit sie für auf den dem zu von ich wir es auch".split(),
    "italian": "il lo la gli le e è sono di un una che per con non in del della si come anche".split(),
    "portuguese": "o a os as e é são de um uma que para com não em do da se por como você".split(),
    "dutch": "de het een en is zijn van dat die niet met voor op te ik je u ook als".split(),
}
_MIN_WORDS_FOR_LANGUAGE = 6


SAME_AS_USER = "same_as_user"


@dataclass(frozen=True, slots=True)
class Instruction:
    rule: str  # "format.json", "length.words", "length.bullets", "language", "forbidden_word"
    value: str | int  # the limit, language or word
    quote: str  # the instruction as written


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    evidence: str


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text.lower()]


def parse_instructions(text: str) -> list[Instruction]:
    """The verifiable instructions in ``text`` (system and user messages)."""
    found: list[Instruction] = []
    if m := JSON_RULE.search(text):
        found.append(Instruction("format.json", "json", m.group(0)))
    for m in WORD_LIMIT.finditer(text):
        number = next(g for g in m.groups() if g)
        strict = re.search(r"(?i)fewer than|less than|under", m.group(0)) is not None
        found.append(Instruction("length.words", _number(number) - (1 if strict else 0), m.group(0).strip()))
    for m in BULLET_LIMIT.finditer(text):
        number = next(g for g in m.groups() if g)
        found.append(Instruction("length.bullets", _number(number), m.group(0).strip()))
    for m in BULLET_EXACT.finditer(text):
        found.append(Instruction("length.bullets_exact", _number(m.group(1)), m.group(0).strip()))
    if m := LANGUAGE_RULE.search(text):
        language = (m.group(1) or m.group(2)).lower()
        found.append(Instruction("language", language, m.group(0).strip()))
    elif m := _NATIVE_LANGUAGE.search(text):
        found.append(Instruction("language", m.lastgroup or "", m.group(0).strip()))
    elif m := SAME_LANGUAGE_RULE.search(text):
        found.append(Instruction("language", SAME_AS_USER, m.group(0).strip()))
    for m in FORBIDDEN_RULE.finditer(text):
        word = next(g for g in m.groups() if g).strip(" '")
        if word and word.lower() not in ("it", "that", "this", "any", "them", "anything"):
            found.append(Instruction("forbidden_word", word, m.group(0).strip()))
    return found


def strip_fences(answer: str) -> str:
    """The body of a fenced code block when the answer is one (```json ... ```), else the answer."""
    m = re.search(r"```[\w-]*\s*\n?(.*?)```", answer, flags=re.DOTALL)
    return m.group(1).strip() if m else answer.strip()


def detect_language(answer: str) -> tuple[str | None, int]:
    """The language whose function words dominate ``answer`` and the answer's word count."""
    words = re.findall(r"[a-zà-ÿ']+", answer.lower())
    if len(words) < _MIN_WORDS_FOR_LANGUAGE:
        return None, len(words)
    counts = {lang: sum(1 for w in words if w in set(stop)) for lang, stop in _STOPWORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return (best if counts[best] >= 2 else None), len(words)


def violations(answer: str, instructions: list[Instruction], last_user: str = "") -> list[Violation]:
    """The instructions ``answer`` breaks, each with evidence a reviewer can verify.

    Args:
        answer: the final assistant message.
        instructions: what ``parse_instructions`` found in the system and user messages.
        last_user: the last user message, whose language "reply in the customer's language" asks for.
    """
    found: list[Violation] = []
    prose = re.sub(r"```.*?```", " ", answer, flags=re.DOTALL)
    for instruction in instructions:
        if instruction.rule == "format.json":
            try:
                json.loads(strip_fences(answer))
            except ValueError as error:
                found.append(
                    Violation("format.json", f"asked '{instruction.quote}'; answer is not JSON ({error})")
                )
        elif instruction.rule == "length.words":
            count = len(re.findall(r"\b[\w'’-]+\b", prose))
            if count > int(instruction.value):
                found.append(
                    Violation("length.words", f"asked '{instruction.quote}'; answer has {count} words")
                )
        elif instruction.rule == "length.bullets":
            count = len(re.findall(r"(?m)^\s*(?:[-*•+]|\d+[.)])\s+\S", prose))
            if count > int(instruction.value):
                found.append(
                    Violation(
                        "length.bullets", f"asked '{instruction.quote}'; answer has {count} bullet points"
                    )
                )
        elif instruction.rule == "length.bullets_exact":
            count = len(re.findall(r"(?m)^\s*(?:[-*•+]|\d+[.)])\s+\S", prose))
            if count != int(instruction.value):
                found.append(
                    Violation(
                        "length.bullets", f"asked '{instruction.quote}'; answer has {count} bullet points"
                    )
                )
        elif instruction.rule == "language":
            language, _ = detect_language(prose)
            wanted = detect_language(last_user)[0] if instruction.value == SAME_AS_USER else instruction.value
            if language is not None and wanted is not None and language != wanted:
                found.append(
                    Violation("language", f"asked '{instruction.quote}'; answer reads as {language}")
                )
        elif instruction.rule == "forbidden_word":
            word = str(instruction.value)
            m = re.search(rf"(?i)(?<![\w-]){re.escape(word)}(?![\w-])", answer)
            if m:
                context = answer[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
                found.append(
                    Violation("forbidden_word", f"asked '{instruction.quote}'; answer says: ...{context}...")
                )
    return found
