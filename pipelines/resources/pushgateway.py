"""Where batch jobs push their metrics (``ALIGNWATCH_PUSHGATEWAY_URL``); unset disables pushes."""

import logging
from collections.abc import Callable

import dagster as dg

log = logging.getLogger(__name__)


class PushgatewayResource(dg.ConfigurableResource):
    """A Prometheus Pushgateway, e.g. ``http://pushgateway:9091``."""

    url: str = ""

    def push(self, push_fn: Callable[[str], object]) -> bool:
        """Call ``push_fn(url)``; metrics are best effort, so an unreachable gateway never fails a run."""
        if not self.url:
            return False
        try:
            push_fn(self.url)
        except OSError as exc:
            log.warning("metrics push to the Pushgateway failed: %s", type(exc).__name__)
            return False
        return True
