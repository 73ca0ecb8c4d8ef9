"""Publish the generated dashboards to a Grafana through its HTTP API (grafana-client).

Settings come from ``GRAFANA_URL`` and ``GRAFANA_API_KEY`` (a service-account token). The token is
kept out of ``repr`` and error messages; errors name the setting, never its value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from pipelines.settings import ConfigError

DEFAULT_FOLDER_UID = "alignwatch"
DEFAULT_FOLDER_TITLE = "alignwatch"


@dataclass(frozen=True)
class GrafanaSettings:
    url: str
    api_key: str = field(repr=False)
    timeout_seconds: float = 10.0


def grafana_settings(env: Mapping[str, str] | None = None) -> GrafanaSettings:
    """Grafana URL and token from ``GRAFANA_URL`` and ``GRAFANA_API_KEY``."""
    env = os.environ if env is None else env
    url = env.get("GRAFANA_URL", "").strip().rstrip("/")
    if not url:
        raise ConfigError("GRAFANA_URL is not set")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError("GRAFANA_URL must be an http(s) URL")
    if parsed.username or parsed.password:
        raise ConfigError("GRAFANA_URL must not carry credentials; use GRAFANA_API_KEY")
    api_key = env.get("GRAFANA_API_KEY", "").strip()
    if not api_key:
        raise ConfigError("GRAFANA_API_KEY is not set")
    return GrafanaSettings(url, api_key)


@dataclass(frozen=True)
class Published:
    uid: str
    title: str
    version: int | None
    url: str | None


def publish_dashboards(
    settings: GrafanaSettings,
    documents: Sequence[dict[str, Any]],
    folder_uid: str = DEFAULT_FOLDER_UID,
    folder_title: str = DEFAULT_FOLDER_TITLE,
    message: str = "alignwatch dashboards generate",
) -> list[Published]:
    """Create the folder if needed, then create or overwrite each dashboard by its uid."""
    from grafana_client import GrafanaApi
    from grafana_client.client import GrafanaClientError

    api = GrafanaApi.from_url(settings.url, credential=settings.api_key, timeout=settings.timeout_seconds)
    try:
        api.folder.get_folder(folder_uid)
    except GrafanaClientError as exc:
        if exc.status_code != 404:
            raise
        api.folder.create_folder(folder_title, uid=folder_uid)
    published = []
    for document in documents:
        # Grafana assigns its own numeric id and version; a stale "id" would make it refuse the save.
        body = {k: v for k, v in document.items() if k not in ("id", "version")}
        answer = api.dashboard.update_dashboard(
            {"dashboard": body, "folderUid": folder_uid, "overwrite": True, "message": message}
        )
        published.append(Published(body["uid"], body.get("title", ""), answer.get("version"), answer.get("url")))
    return published
