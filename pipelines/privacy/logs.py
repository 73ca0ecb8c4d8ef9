"""Keep message payloads out of logs, whatever level the root logger is at.

kafka-python logs every request and response at DEBUG, raw bytes included (``kafka.protocol.parser``
"Send:/Recv:" and ``kafka.net.connection`` response reprs), so a fetch response carries whole
transcripts into the log. Those loggers are capped at INFO unless an operator configured them.
"""

from __future__ import annotations

import logging

PAYLOAD_LOGGERS = ("kafka.protocol", "kafka.net", "kafka.consumer.fetcher", "kafka.producer", "kafka.record")


def guard_payload_loggers() -> None:
    """Cap kafka-python's wire-level loggers at INFO; a level set explicitly elsewhere is left alone."""
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
