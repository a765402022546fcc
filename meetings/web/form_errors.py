"""Show a service's domain error on the form field it names (shared by every feature's views)."""

from flask_wtf import FlaskForm

from meetings.errors import DomainError


def add_error(form: FlaskForm, error: DomainError, default: str) -> None:
    """Show a domain error beside the field it names, or beside `default` when it names none."""
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, str(error.message)]
