"""Secret tokens in links and codes: random, shown once, stored only as a SHA-256 hash."""

import hashlib


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token or code: what the database keeps instead of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
