"""Signals of jailbreak and prompt-injection attempts, as regexes that run over whole text columns.

Each signal has a stable id (cited in evidence), a weight (the score it gives on its own) and the
texts it applies to: the user's messages (direct jailbreaks), or data the model reads (tool outputs
and context documents: indirect injection). Weights below the flag threshold only count together.

Discussion is not an attempt: when the phrase that fired sits in quotes inside a question about
jailbreaks ("what does 'ignore previous instructions' do?", "what is the DAN prompt?"),
``is_meta_discussion`` clears it unless the message also aims an instruction at the assistant.
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
    r"```|\b(?:def|class|import|function|SELECT|FROM|Traceback|Exception)\b|;\s*$|^\s{4}|\{\s*\n\s*\""
    # "return", "let", "var", "const" are also English ("start a return", "let's"): only as code.
    r"|\b(?:return|const|let|var)\s+[\w$\[{(\"'.-]+\s*(?:[;=(\[{)]|$)",
    re.MULTILINE,
)

_META = re.compile(
    r"(?i)\b(?:what (?:is|are|does|do|was|were)|explain|define|definition|how (?:do|does|can|could|to|would|should) "
    r"(?:i |we |you |one )?(?:detect|prevent|defend|protect|stop|mitigate|block|recogni[sz]e|spot|classify|filter|handle|"
    r"guard|test)|examples? of|such as|research|paper|article|essay|classifier|detector|red[- ]team\w*|"
    r"security (?:team|training|course|briefing|review)|summari[sz]e|overview of|"
    r"(?:jailbreak|injection|prompt)s? (?:attacks?|prompts?|tricks?|techniques?|attempts?|payloads?|patterns?|strings?)|"
    r"(?:jailbreak|injection) (?:attacks?|prompts?|tricks?|techniques?|attempts?|payloads?|patterns?|strings?|bugs?|tests?)|"
    r"prompt injections?|jailbroken|jailbreaking|(?:does|did|would|could) (?:that|this|it) work|"
    r"(?:our|my|the) (?:filter|classifier|detector|guardrails?|moderation|test suite|regression set)|"
    r"(?:bug|issue|ticket|vulnerability|CVE)\b|(?:against|from) (?:attacks?|injections?|jailbreaks?)|hijack\w*)\b"
)
_QUOTED = re.compile(r"[\"“‘`][^\"”’`\n]{3,200}[\"”’`]|(?<!\w)'[^'\n]{3,200}'(?!\w)")
# An instruction aimed at the assistant, in the text left once quotations are removed: an imperative
# override opening a sentence ("Ignore all previous instructions."), a persona assigned to "you"
# ("you are now DAN", "from now on you..."), or an order to act or answer as someone. Any of these
# makes a message an attempt however much it also talks about attacks.
_DIRECTED = re.compile(
    r"(?im)(?:^|[.!?:;>\]]\s*|\n)\s*(?:(?:ok(?:ay)?|now|please|so|hey|first|also|and|then)[,!]?\s+)*"
    r"(?:ignore|disregard|forget|override|bypass|abandon|drop)\b"
    r"|\byou(?: are|'re| will| shall| must| should| have to| need to)(?: now| no longer| going to| about to| to)?\s+"
    r"(?:be\b|become|act|pretend|play|simulate|immerse|respond|answer|reply|ignore|forget|disregard|stay|remain|"
    r"DAN\b|AIM\b|in (?:developer|dev|god|jailbreak|DAN|unlocked|maintenance) mode|an? (?:unfiltered|uncensored|"
    r"unrestricted|amoral|ai|chatbot|assistant|language model|character|persona)\b|free\b|freed\b|unrestricted|"
    r"jailbroken)"
    r"|\bfrom now on\b|\b(?:act|acting|respond|answer|reply|talk|speak|continue|proceed|write) (?:as|like)\b|\bpretend (?:to be|you|that you)\b"
    r"|\b(?:stay|remain|keep) in character\b|\b(?:let's|let us) (?:play|pretend|imagine|role-?play)\b"
    r"|\bas (?:DAN|AIM|STAN|DUDE|an? (?:unfiltered|uncensored|unrestricted|amoral) )"
    r"|\b(?:enable|activate|enter|switch to|simulate|turn on) (?:the )?(?:developer|dev|DAN|god|jailbreak) mode\b"
)


def is_meta_discussion(text: str, span: str, *, quoted_only: bool = False) -> bool:
    """True when ``span`` is mentioned in a message that talks about attacks rather than making one.

    A question or discussion ("what is the DAN prompt?", "how do I protect my app against 'ignore
    previous instructions' attacks?", a bug report about our injection filter) mentions attack
    phrases without aiming them at the assistant. It stays an attempt when the text outside
    quotations also holds an instruction directed at the assistant (``_DIRECTED``).

    Args:
        text: the whole message (or data) the span was found in.
        span: the text the signal matched.
        quoted_only: clear the span only when it sits inside quotes (used for tool outputs and
            documents, where prose about attacks can itself carry an injection).

    Returns:
        Whether the span is discussion, not an attempt.
    """
    if not _META.search(text):
        return False
    needle = " ".join(span.split()).lower()
    quoted = any(needle in " ".join(q.group(0).split()).lower() for q in _QUOTED.finditer(text))
    if quoted_only:
        return quoted
    return not _DIRECTED.search(_QUOTED.sub(" ", text))


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
    # A short message has no head to read as prose; a plain request opening it (words only, then the
    # soup) counts as one, so "give me X describing.\ + similarlyNow ...](" is not held to the
    # doubled bar that protects short snippets with no prose at all.
    prose_head = len(head) >= _MIN_PROSE_HEAD or bool(_LEADING_PROSE.match(stripped))
    needed = SUFFIX_MIN_WEIRDNESS * (3 if about_code else 1 if prose_head else 2)
    return tail if clusters + camel + symbols / 4 >= needed else None


_MIN_PROSE_HEAD = 40
# Five or more plain words opening a short message: the request an adversarial suffix is glued to.
_LEADING_PROSE = re.compile(r"[A-Za-z][A-Za-z']*(?:,? [A-Za-z$][\w$']*){4,}[ .]")
_MAX_HEAD_SYMBOL_SHARE = 0.03
# Signs that a message is about code: inline code, shell expansions, or programming vocabulary.
_CODE_TALK = re.compile(
    r"`[^`\n]+`|\$\{|\$\(|\w\(\)|(?i:\b(?:regex|regexp|json|yaml|bash|shell|python|javascript|typescript|java|php|"
    r"c\+\+|sql|function|variable|error|exception|compile[rs]?|syntax|parse|parsing|config|script|code|operator|"
    r"array|string|object|class|method)\b)"
)
