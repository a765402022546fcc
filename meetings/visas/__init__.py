"""Visa support letters: an approved attendee asks for one, a visa officer of the edition issues
or refuses it; passport data is encrypted in the application (crypto.py) and never exported.
Built on registration, which it hears through signals (receivers.py)."""

from meetings.visas import manage_views, receivers, views  # noqa: F401  (pages on bp; receivers)
from meetings.visas.blueprint import bp

__all__ = ["bp"]
