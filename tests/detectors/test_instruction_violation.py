"""instruction_violation: format, length, language and forbidden-word instructions (no public dataset)."""

from __future__ import annotations

import pytest

from detectors.instructions import detect_language, parse_instructions
from tests.detectors import assistant, score, system, transcript, user

LONG = " ".join(["word"] * 60)

CASES = [
    # (why the case exists, transcript, flagged, rule cited in evidence or None)
    (
        "JSON asked, prose given",
        transcript(system("Respond in JSON."), user("Status?"), assistant("All systems are fine.")),
        True,
        "format.json",
    ),
    (
        "JSON asked, valid JSON given",
        transcript(system("Respond in JSON."), user("Status?"), assistant('{"status": "ok"}')),
        False,
        None,
    ),
    (
        "JSON inside a code fence is accepted",
        transcript(user("Return the result as JSON"), assistant('```json\n{"items": [1, 2]}\n```')),
        False,
        None,
    ),
    (
        "broken JSON inside a fence",
        transcript(user("Return the result as JSON"), assistant('```json\n{"items": [1, 2}\n```')),
        True,
        "format.json",
    ),
    (
        "word limit exceeded",
        transcript(user("Explain DNS in 50 words or fewer."), assistant(LONG)),
        True,
        "length.words",
    ),
    (
        "word limit respected",
        transcript(
            user("Explain DNS in no more than 50 words."), assistant("DNS maps names to IP addresses.")
        ),
        False,
        None,
    ),
    (
        "bullet limit exceeded",
        transcript(user("Give at most 3 bullet points."), assistant("- a\n- b\n- c\n- d")),
        True,
        "length.bullets",
    ),
    (
        "bullet limit respected with numbered list",
        transcript(user("Use at most three bullet points."), assistant("1. a\n2. b\n3. c")),
        False,
        None,
    ),
    (
        "French required, English given",
        transcript(
            system("Always respond in French."),
            user("What time is it?"),
            assistant("It is the time of the day when you can have lunch with your team."),
        ),
        True,
        "language",
    ),
    (
        "French required, French given",
        transcript(
            system("Always respond in French."),
            user("Heure?"),
            assistant("Il est midi, c'est le moment de déjeuner avec vous et vos collègues."),
        ),
        False,
        None,
    ),
    (
        "Spanish required, too short to judge",
        transcript(user("Answer in Spanish."), assistant("OK.")),
        False,
        None,
    ),
    (
        "forbidden word used",
        transcript(
            system('Do not use the word "guarantee".'),
            user("Will it work?"),
            assistant("We guarantee it will work."),
        ),
        True,
        "forbidden_word",
    ),
    (
        "forbidden word inside another word is fine",
        transcript(
            system('Do not use the word "guarantee".'),
            user("Is it covered?"),
            assistant("Yes, the guarantees page explains coverage."),
        ),
        False,
        None,
    ),
    (
        "never mention X respected",
        transcript(
            system("Never mention Zendesk."),
            user("Which tool?"),
            assistant("We use an internal ticketing tool."),
        ),
        False,
        None,
    ),
    (
        "never mention X broken",
        transcript(
            system("Never mention Zendesk."), user("Which tool?"), assistant("We use Zendesk for tickets.")
        ),
        True,
        "forbidden_word",
    ),
    (
        "a question about writing in a language is not an instruction",
        transcript(
            user("How can I learn to communicate and write in Spanish?"),
            assistant(
                "Start with daily practice: read short texts, keep a journal and talk with native speakers."
            ),
        ),
        False,
        None,
    ),
    (
        "advice not to use something is not a banned word",
        transcript(
            user("You should not use a debit card online, right?"),
            assistant("Credit cards offer better fraud protection than a debit card."),
        ),
        False,
        None,
    ),
    (
        "no verifiable instruction, nothing to check",
        transcript(user("Tell me about JSON Schema."), assistant("JSON Schema describes JSON documents.")),
        False,
        None,
    ),
    # Issue 3 follow-up: a short English answer has few of the old English function words and was not judged.
    (
        "'Always reply in French' then a plain English answer",
        transcript(
            system("Channel: web chat. Always reply in French."),
            user("Bonjour, combien de temps prend la livraison ?"),
            assistant(
                "Standard shipping takes 3-5 business days and Express takes 1-2 business days. You'll get a tracking link by email."
            ),
        ),
        True,
        "language",
    ),
    (
        "'Always reply in French' answered in French",
        transcript(
            system("Always reply in French."),
            user("How long is shipping?"),
            assistant(
                "La livraison standard prend 3-5 jours ouvrés et vous recevrez un lien de suivi par e-mail."
            ),
        ),
        False,
        None,
    ),
    # Instructions are often written in the language they ask for.
    (
        "German instruction written in German, English answer",
        transcript(
            system("Antworte immer auf Deutsch."),
            user("Wie mache ich den letzten Commit rückgängig?"),
            assistant(
                "Run git reset --soft HEAD~1: it moves the branch back one commit and keeps your changes staged."
            ),
        ),
        True,
        "language",
    ),
    (
        "Spanish instruction written in Spanish, Spanish answer",
        transcript(
            system("Responde siempre en español."),
            user("¿Qué es el recall?"),
            assistant("El recall es la proporción de positivos reales que se detectan con el modelo."),
        ),
        False,
        None,
    ),
    (
        "'reply in the customer's language': the user wrote German, the answer is English",
        transcript(
            system("Reply in the same language as the customer."),
            user("Wie lange dauert der Versand nach Berlin? Ich brauche es für die Arbeit."),
            assistant("Standard shipping takes 3-5 business days and you will get a tracking link by email."),
        ),
        True,
        "language",
    ),
    # An exact count is broken by more bullets as well as by fewer.
    (
        "exactly three bullet points asked, five given",
        transcript(
            system("Format: answer in exactly three bullet points."),
            user("precision vs recall?"),
            assistant("- one\n- two\n- three\n- four\n- five"),
        ),
        True,
        "length.bullets",
    ),
    (
        "exactly three bullet points asked, three given",
        transcript(
            system("Format: answer in exactly three bullet points."),
            user("precision vs recall?"),
            assistant("- one\n- two\n- three"),
        ),
        False,
        None,
    ),
    # "a single JSON object" was not read as a JSON instruction.
    (
        "'respond with a single JSON object' then prose",
        transcript(
            system('Output format: respond with a single JSON object {"summary": string} and nothing else.'),
            user("undo last commit?"),
            assistant("Run git reset --soft HEAD~1."),
        ),
        True,
        "format.json",
    ),
]


@pytest.mark.parametrize(("why", "doc", "flagged", "rule"), CASES, ids=[c[0] for c in CASES])
def test_instruction_violation_cases(why, doc, flagged, rule):
    row = score("instruction_violation", [doc])[0]
    assert row["flagged"] is flagged, row["evidence"]
    if rule:
        assert row["evidence"].startswith(f"[{rule}]")


def test_strict_limits_are_exclusive():
    # "fewer than 10 words" allows 9 at most.
    (instruction,) = parse_instructions("Answer in fewer than 10 words.")
    assert (instruction.rule, instruction.value) == ("length.words", 9)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Der Vertrag ist nicht gültig, und wir können das nicht ändern.", "german"),
        ("El contrato no es válido y no podemos cambiar la fecha de entrega.", "spanish"),
    ],
)
def test_language_detection(text, language):
    assert detect_language(text)[0] == language
