"""The audit log: who changed what, when."""

from meetings.audit import views  # noqa: F401  (their pages are on bp)
from meetings.audit.blueprint import bp

__all__ = ["bp"]
