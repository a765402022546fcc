"""Outgoing email: an outbox table filled inside the caller's transaction, sent after commit."""
