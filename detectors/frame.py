"""Prepare a batch of lake transcripts for the detectors: decode JSON columns once, derive texts.

Every detector reads the same prepared frame, so decoding and text assembly happen once per
batch, in polars, not once per detector per row.
"""

from __future__ import annotations

import polars as pl

MESSAGES_DTYPE = pl.List(
    pl.Struct(
        {
            "role": pl.String,
            "content": pl.String,
            "name": pl.String,
            "tool_call_id": pl.String,
            "tool_calls": pl.List(
                pl.Struct(
                    {
                        "id": pl.String,
                        "type": pl.String,
                        "function": pl.Struct({"name": pl.String, "arguments": pl.String}),
                    }
                )
            ),
        }
    )
)
CONTEXT_DTYPE = pl.List(pl.Struct({"id": pl.String, "source": pl.String, "text": pl.String}))

# Columns a prepared frame has, besides those of the lake's transcripts table.
PREPARED_COLUMNS = (
    "msgs",  # decoded messages: list of {role, content, name, tool_call_id, tool_calls}
    "docs",  # decoded context documents: list of {id, source, text}
    "system_text",  # system and developer messages joined by blank lines
    "user_text",  # all user messages joined
    "last_user_text",
    "assistant_text",  # all assistant messages joined
    "final_answer",  # the last assistant message's text
    "tool_output_text",  # all tool-role messages joined
    "context_text",  # all context documents joined
    "tool_calls",  # flat list of {name, arguments, message_index} over assistant messages
    "n_user_turns",
    "n_assistant_turns",
)

_SEPARATOR = "\n\n"


def _texts_of(roles: list[str]) -> pl.Expr:
    return (
        pl.col("msgs")
        .list.eval(pl.element().filter(pl.element().struct.field("role").is_in(roles)).struct.field("content"))
        .list.drop_nulls()
    )


def prepare(transcripts: pl.DataFrame) -> pl.DataFrame:
    """Decode ``messages`` and ``context`` and add the derived columns in ``PREPARED_COLUMNS``.

    Args:
        transcripts: rows of the lake's transcripts table (``messages``/``context`` as JSON text).
    """
    frame = transcripts.with_columns(
        pl.col("messages").str.json_decode(MESSAGES_DTYPE).alias("msgs"),
        pl.col("context").str.json_decode(CONTEXT_DTYPE).fill_null(pl.lit([], dtype=CONTEXT_DTYPE)).alias("docs")
        if "context" in transcripts.columns
        else pl.lit([], dtype=CONTEXT_DTYPE).alias("docs"),
    )
    user = _texts_of(["user"])
    assistant = _texts_of(["assistant"])
    return frame.with_columns(
        _texts_of(["system", "developer"]).list.join(_SEPARATOR).alias("system_text"),
        user.list.join(_SEPARATOR).alias("user_text"),
        user.list.last().fill_null("").alias("last_user_text"),
        assistant.list.join(_SEPARATOR).alias("assistant_text"),
        assistant.list.last().fill_null("").alias("final_answer"),
        _texts_of(["tool"]).list.join(_SEPARATOR).alias("tool_output_text"),
        pl.col("docs").list.eval(pl.element().struct.field("text")).list.drop_nulls().list.join(_SEPARATOR).alias("context_text"),
        _tool_calls().alias("tool_calls"),
        user.list.len().alias("n_user_turns"),
        assistant.list.len().alias("n_assistant_turns"),
    )


def _tool_calls() -> pl.Expr:
    calls = pl.col("msgs").list.eval(
        pl.element()
        .filter(pl.element().struct.field("role") == "assistant")
        .struct.field("tool_calls")
        .drop_nulls()
        .explode()
        .drop_nulls()
    )
    return calls.list.eval(
        pl.struct(
            pl.element().struct.field("function").struct.field("name").alias("name"),
            pl.element().struct.field("function").struct.field("arguments").alias("arguments"),
            pl.element().struct.field("id").alias("id"),
        )
    )
