"""Privacy at ingest and at rest: PII redaction before the Parquet write, and lake retention."""
