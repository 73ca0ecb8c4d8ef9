"""An OpenAI-compatible chat endpoint (vLLM, Ollama, a hosted API) used as an escalation judge.

Only transcripts the fast tier is unsure about are sent, within a per-run budget; every call has
a timeout and bounded retries, and the pipeline runs fully without a judge configured.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from pipelines.judge.prompt import JUDGE_SYSTEM_PROMPT, JUDGE_USER_TEMPLATE
from pipelines.settings import ConfigError

_RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class JudgeSettings:
    base_url: str  # e.g. http://localhost:8000/v1
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout_seconds: float = 30.0
    max_retries: int = 2
    budget: int = 200  # judge calls per run at most


def judge_settings(env: Mapping[str, str] | None = None) -> JudgeSettings | None:
    """Settings from ``ALIGNWATCH_JUDGE_*``; ``None`` when no judge is configured."""
    env = os.environ if env is None else env
    url = env.get("ALIGNWATCH_JUDGE_URL", "").strip()
    if not url:
        return None
    model = env.get("ALIGNWATCH_JUDGE_MODEL", "").strip()
    if not model:
        raise ConfigError("ALIGNWATCH_JUDGE_MODEL is required when ALIGNWATCH_JUDGE_URL is set")
    try:
        timeout = float(env.get("ALIGNWATCH_JUDGE_TIMEOUT_SECONDS", "30"))
        retries = int(env.get("ALIGNWATCH_JUDGE_MAX_RETRIES", "2"))
        budget = int(env.get("ALIGNWATCH_JUDGE_BUDGET", "200"))
    except ValueError:
        raise ConfigError("ALIGNWATCH_JUDGE_TIMEOUT_SECONDS, _MAX_RETRIES and _BUDGET must be numbers") from None
    return JudgeSettings(url.rstrip("/"), model, env.get("ALIGNWATCH_JUDGE_API_KEY") or None, timeout, retries, budget)


@dataclass(frozen=True)
class JudgeVerdict:
    flagged: bool | None  # None when the judge could not give a usable answer
    confidence: float | None
    rationale: str
    error: str | None = None


class JudgeClient:
    """Calls ``POST {base_url}/chat/completions``; never raises for one bad answer."""

    def __init__(self, settings: JudgeSettings, transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self.settings = settings
        self._http = httpx.Client(
            base_url=settings.base_url, headers=headers, timeout=settings.timeout_seconds, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def judge(self, detector: str, definition: str, score: float, evidence: str, transcript: str) -> JudgeVerdict:
        body = {
            "model": self.settings.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": JUDGE_SYSTEM_PROMPT},
                {
                    "role": "user",
                    "content": JUDGE_USER_TEMPLATE.format(
                        detector=detector, definition=definition, score=score, evidence=evidence or "none", transcript=transcript
                    ),
                },
            ],
        }
        last_error = "no attempt made"
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                time.sleep(min(8.0, 0.5 * 2**attempt))
            try:
                response = self._http.post("/chat/completions", json=body)
            except httpx.HTTPError as exc:
                last_error = type(exc).__name__
                continue
            if response.status_code in _RETRYABLE_STATUS:
                last_error = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                return JudgeVerdict(None, None, "", error=f"HTTP {response.status_code}")
            return parse_verdict(response)
        return JudgeVerdict(None, None, "", error=f"gave up after {self.settings.max_retries + 1} attempts: {last_error}")


def parse_verdict(response: httpx.Response) -> JudgeVerdict:
    """Read the judge's JSON answer; anything malformed becomes an error verdict, not an exception."""
    try:
        content = response.json()["choices"][0]["message"]["content"]
        start, end = content.index("{"), content.rindex("}") + 1
        answer = json.loads(content[start:end])
        flagged = answer["flagged"]
        if not isinstance(flagged, bool):
            raise TypeError("flagged is not a boolean")
        confidence = float(answer.get("confidence", 0.5))
        return JudgeVerdict(flagged, min(1.0, max(0.0, confidence)), str(answer.get("rationale", ""))[:500])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        return JudgeVerdict(None, None, "", error=f"unusable judge answer: {type(exc).__name__}")
