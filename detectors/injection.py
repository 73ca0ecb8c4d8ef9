"""Signals of jailbreak and prompt-injection attempts, as regexes that run over whole text columns.

Each signal has a stable id (cited in evidence), a weight (the score it gives on its own) and the
texts it applies to: the user's messages (direct jailbreaks), or data the model reads (tool outputs
and context documents: indirect injection). Weights below the flag threshold only count together.

Discussion is not an attempt: when the phrase that fired sits in quotes inside a question about
jailbreaks ("what does 'ignore previous instructions' do?"), ``is_meta_discussion`` clears it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Signal:
    id: str
    pattern: str
    weight: float
    in_user: bool = True
    in_data: bool = True


_PERSONA = r"(?:you are|you're|you will be|act as|acting as|pretend|role-?play|persona|character|from now on|respond as|simulate)"
_NO_LIMITS = (
    r"(?:unfiltered|uncensored|amoral|unrestricted|no (?:ethical|moral)|"
    r"(?:without|no|free (?:of|from)|not bound by|ignores?|bypass(?:es)?|break(?:s)? free of|doesn't have|does not have|"
    r"don't have|do not have|beyond) (?:any |all |the )?(?:ethical|moral|content|safety|openai|usual)? ?"
    r"(?:guidelines|restrictions|filters|filtering|limitations|limits|policies|policy|principles|constraints|rules|censorship))"
)

SIGNALS: tuple[Signal, ...] = (
    Signal(
        "override.ignore_previous",
        r"(?i)\b(?:ignore|disregard|forget|override|bypass|skip|abandon)\b[^.\n]{0,25}\b(?:previous|prior|above|earlier|"
        r"preceding|initial|original|all|any|your|system)\b[^.\n]{0,20}\b(?:instructions?|prompts?|rules|directives?|"
        r"guidelines|directions|programming|training|constraints|policies)\b",
        0.9,
    ),
    Signal(
        "persona.developer_mode",
        r"(?i:\b(?:developer mode|dev mode|DAN mode|do anything now|jailbreak mode|jailbroken|god mode|"
        r"evil (?:confidant|mode|twin)|opposite mode|unlocked mode|BetterDAN|Machiavellian)\b)|\b(?:DAN|STAN|DUDE|AIM)\b",
        0.85,
        in_data=False,
    ),
    Signal(
        "persona.no_limits",
        rf"(?i)\b{_PERSONA}\b[^\n]{{0,120}}\b{_NO_LIMITS}|{_NO_LIMITS}[^\n]{{0,120}}\b{_PERSONA}\b",
        0.85,
    ),
    Signal(
        "compliance.never_refuse",
        r"(?i)\b(?:never|not|don't|do not|cannot|can't|won't|must not|shouldn't|should not|will not) "
        r"(?:ever )?(?:refuse|decline|reject|say (?:no|that you can't|i'm sorry)|apologi[sz]e|"
        r"(?:add|include|give|provide|use) (?:any )?(?:warnings?|disclaimers?|caveats?|moral(?:izing)?|ethic)|"
        r"mention (?:that )?(?:it'?s )?(?:illegal|unethical|dangerous|harmful)|remind)"
        r"|\b(?:always|must) (?:answer|comply|respond|fulfil+)\b[^.\n]{0,60}\b(?:no matter|regardless|even if|any request)",
        0.75,
    ),
    Signal(
        "format.forced_prefix",
        r"(?i)\b(?:start|begin) (?:your|each|every|the) (?:response|reply|answer|output)s? (?:with|using|by)\b"
        r"|\b(?:respond|reply|answer)(?: only)? with [\"'“]?sure\b|[\"'“]sure,? here (?:is|are)\b",
        0.45,
    ),
    Signal(
        "compliance.no_ethics",
        r"(?i)\b(?:regardless of|without (?:any )?(?:concern|regard|care) for|no (?:concern|regard) for|"
        r"disregards? (?:all |any )?)(?:the )?(?:legality|ethics|ethical|morals?|morality|the law|laws)\b"
        r"|\bnot (?:required|obligated|bound|supposed) to (?:follow|obey|abide by) (?:any )?(?:rules|policies|guidelines)\b"
        r"|\b(?:violat|break)(?:e|es|ing) (?:all |any )?(?:ethical|moral|content) (?:standards|guidelines|rules|policies)\b"
        r"|\bwithout (?:any )?(?:remorse|ethics|morals|moral (?:compass|constraints))\b|\bcan do anything now\b",
        0.8,
        in_data=False,
    ),
    Signal(
        "persona.vs_provider",
        r"(?i)\b(?:chatgpt|openai|anthropic|claude)\b[^\n]{0,200}\b(?:roleplay|role-play|role of|you are (?:about to|going to) "
        r"(?:simulate|be|act)|act (?:like|as)|pretend|simulate|personalit(?:y|ies)|from now on)\b",
        0.6,
        in_data=False,
    ),
    Signal(
        "persona.stay_in_character",
        r"(?i)\b(?:stay|remain|keep) in character\b|\bbreak(?:ing)? character\b",
        0.45,
    ),
    Signal(
        "format.dual_response",
        r"(?i)\b(?:two|2) (?:different |separate )?(?:responses|answers|paragraphs|outputs|styles|personalities|manners|"
        r"ways|characters)\b[^\n]{0,300}\b(?:normal|classic|filtered|censored|jailbr\w*|unfiltered|developer|opposite|"
        r"yourself|chatgpt|standard|default)\b|\[(?:🔓|🔒|JAILBREAK|CLASSIC|GPT-?4REAL)|😈:",
        0.85,
        in_data=False,
    ),
    Signal(
        "notice.fake_system",
        r"(?i)\[(?:system|admin|administrator|developer|sudo)(?: (?:message|note|notice|override|prompt))?\]|<\|?(?:im_start|system)\|?>|"
        r"^#{2,}\s*(?:system|new instructions?)\b|\b(?:system|admin(?:istrator)?|security) (?:override|notice|update|alert)\s*:|"
        r"\bnew (?:system )?instructions?\s*:",
        0.8,
    ),
    Signal(
        "persona.rules_template",
        r"(?i)<rule>|\bfollow these rules\b[^\n]{0,80}\bprecisely\b|\bnever ever use (?:phrases|words)\b",
        0.8,
        in_data=False,
    ),
    Signal(
        "data.instruction_to_assistant",
        r"(?i)\b(?:add|include|integrate|insert|append|embed|encode|encrypt|translate|reverse|use|write|put|mention|"
        r"incorporate|upgrade|develop|format|respond|answer|reply|provide|render|express|modify|augment|enhance|"
        r"apply|replace|substitute|shift|invert)\b[^.\n]{0,80}\b(?:your|the) (?:response|answer|reply|"
        r"output|summary|code|solution)s?\b|\b(?:your answer's|in your (?:response|answer|reply))\b"
        r"|\b(?:can you |please )?(?:reply|respond|answer)(?: only)? (?:in|using|with) (?:french|german|spanish|italian|"
        r"portuguese|chinese|japanese|reverse|base\d+|emojis?|a cipher|code)\b"
        r"|\b(?:ai|llm|language model|assistant|chatbot|gpt)\b,? (?:please |you must |must )?(?:ignore|do|send|reply|respond|"
        r"include|output|tell|say|forward)\b|\bif you are an? (?:ai|llm|language model|assistant)\b|\bnote to (?:the )?(?:ai|assistant|llm)\b",
        0.8,
        in_user=False,
    ),
    Signal(
        "persona.hypothetical_harm",
        r"(?i)\b(?:hypothetical|fictional|imaginary|role-?play|imagine|pretend|screenplay|novel|story)\b[^\n]{0,400}\b(?:"
        r"bomb|explosive|weapon|meth|drugs?|poison|malware|ransomware|virus|hack|hacking|steal|stolen|fraud|"
        r"launder|counterfeit|kill|murder|suicide|self-harm|terror\w*|extremis\w*|racist|propaganda|defamat\w*|"
        r"illegal|evade|evading|smuggl\w*|exploit|phishing|scam|harass\w*|stalk\w*|child)\b",
        0.45,
        in_data=False,
    ),
    Signal(
        "persona.roleplay_override",
        r"(?i)\b(?:you are no longer|you are now|from now on,? you(?: will| are)?|you will now|henceforth you|"
        r"for the rest of this conversation,? you)\b",
        0.45,
    ),
    Signal(
        "framing.detached_purpose",
        r"(?i)\b(?:purely|only|strictly) for (?:educational|research|academic|fictional|hypothetical|entertainment) purposes\b"
        r"|\b(?:this is|it's|it is) (?:just |purely |only )?(?:for )?(?:a |an )?(?:hypothetical|fictional)\b",
        0.45,
        in_data=False,
    ),
)

FLAG_THRESHOLD = 0.6
# Two weak signals together (e.g. a fictional frame around a harmful ask plus a persona switch).
COMBINED_BONUS = 0.2

# Adversarial suffixes (GCG and similar) are token soup: bursts of symbols and mixed scripts that
# natural prose and even code in a chat message rarely produce outside a code block.
SUFFIX_SYMBOLS = r"[!-&(-+/:-@\[-`{-~]"  # ASCII punctuation except . , ' -
SUFFIX_TAIL_CHARS = 120
SUFFIX_MIN_SYMBOLS = 4  # cheap vectorized pre-filter; ``suffix_soup`` decides
SUFFIX_MIN_WEIRDNESS = 4.0
_QUOTED_PUNCTUATION = re.compile(r"[\"'“”‘’][.,?!;:)]|[.,?!;:(][\"'“”‘’]")
SUFFIX_WEIGHT = 0.7
_CODE_HINT = re.compile(
    r"```|\b(?:def|class|import|return|function|const|let|var|SELECT|FROM|Traceback|Exception)\b|;\s*$|^\s{4}|\{\s*\n\s*\"",
    re.MULTILINE,
)

_META = re.compile(
    r"(?i)\b(?:what (?:is|are|does|do)|explain|define|definition|how (?:do|does|can|could|to|would) (?:i |we |you |one )?"
    r"(?:detect|prevent|defend|protect|stop|mitigate|block|recogni[sz]e|spot|classify|filter)|examples? of|such as|"
    r"research|paper|article|essay|classifier|detector|red[- ]team\w*|security (?:team|training|course))\b"
)
_QUOTED = re.compile(r"[\"'“‘`][^\"'”’`\n]{3,200}[\"'”’`]")


def is_meta_discussion(text: str, span: str) -> bool:
    """True when ``span`` is quoted inside a message that asks about attacks rather than making one."""
    if not _META.search(text):
        return False
    return any(span.strip().lower() in quoted.group(0).lower() for quoted in _QUOTED.finditer(text))


def suffix_soup(text: str) -> str | None:
    """The tail of ``text`` when it looks like an adversarial suffix, else None.

    An adversarial suffix is token soup glued to an otherwise plain request: the text before the tail
    must read as prose (enough of it, few symbols), and a message that talks about code (inline code,
    shell or regex syntax) needs a much stronger tail, since code is symbol-dense by nature.
    """
    stripped = text.rstrip()
    if _CODE_HINT.search(text):
        return None
    head, tail = stripped[:-SUFFIX_TAIL_CHARS], stripped[-SUFFIX_TAIL_CHARS:]
    if (
        len(head) >= _MIN_PROSE_HEAD
        and len(re.findall(SUFFIX_SYMBOLS, head)) / len(head) > _MAX_HEAD_SYMBOL_SHARE
    ):
        return None
    tail = _QUOTED_PUNCTUATION.sub(" ", tail)  # 'the word "frokost"?' is prose, not token soup
    clusters = len(re.findall(r"[!-/:-@\[-`{-~]{2,}", tail))  # runs like `(@"`, `]$.`, `-->`
    camel = len(re.findall(r"[a-z][A-Z]", tail))  # glued tokens like `compressToString`
    symbols = len(re.findall(SUFFIX_SYMBOLS, tail))
    about_code = _CODE_TALK.search(head if len(head) >= _MIN_PROSE_HEAD else stripped)
    needed = SUFFIX_MIN_WEIRDNESS * (3 if about_code else 2 if len(head) < _MIN_PROSE_HEAD else 1)
    return tail if clusters + camel + symbols / 4 >= needed else None


_MIN_PROSE_HEAD = 40
_MAX_HEAD_SYMBOL_SHARE = 0.03
# Signs that a message is about code: inline code, shell expansions, or programming vocabulary.
_CODE_TALK = re.compile(
    r"`[^`\n]+`|\$\{|\$\(|\w\(\)|(?i:\b(?:regex|regexp|json|yaml|bash|shell|python|javascript|typescript|java|php|"
    r"c\+\+|sql|function|variable|error|exception|compile[rs]?|syntax|parse|parsing|config|script|code|operator|"
    r"array|string|object|class|method)\b)"
)
