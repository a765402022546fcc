"""Editions feature."""

from meetings.editions import views  # noqa: F401  (their pages are on bp)
from meetings.editions.blueprint import bp

__all__ = ["bp"]
