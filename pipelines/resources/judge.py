"""The optional escalation judge as a Dagster resource; unset means the judge tier is off."""

from __future__ import annotations

import dagster as dg

from pipelines.judge.client import JudgeClient, JudgeSettings


class JudgeResource(dg.ConfigurableResource):
    """An OpenAI-compatible endpoint (``ALIGNWATCH_JUDGE_URL``/``_MODEL``/``_API_KEY``)."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_seconds: float = 30.0
    max_retries: int = 2
    budget: int = 200

    def client(self) -> JudgeClient | None:
        if not self.base_url or not self.model:
            return None
        return JudgeClient(
            JudgeSettings(self.base_url, self.model, self.api_key, self.timeout_seconds, self.max_retries, self.budget)
        )
