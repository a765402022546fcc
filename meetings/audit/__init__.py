"""The audit log: who changed what, when."""

from meetings.audit.views import bp

__all__ = ["bp"]
