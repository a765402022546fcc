"""Certificates of attendance: for everyone checked in at least once, made on demand as PDF
(never stored), with a reference that a public page verifies. Built on check-in; hears
registration's signals in receivers.py."""

from meetings.certificates import manage_views, receivers, views  # noqa: F401  (pages; receivers)
from meetings.certificates.blueprint import bp

__all__ = ["bp"]
