"""Drift runs: rate tests, feature drift and their summary, without Dagster (assets call these)."""
