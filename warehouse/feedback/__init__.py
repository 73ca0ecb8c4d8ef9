"""The feedback loop: flagged cases, review sampling and verdicts, detector precision, datasets."""
