"""Feedback loop plumbing that talks to Kafka (the pure logic lives in ``warehouse.feedback``)."""
