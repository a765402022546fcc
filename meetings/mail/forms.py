"""Mail page forms: shape checks only."""

from flask_wtf import FlaskForm


class RetryForm(FlaskForm):
    """A one-button form (CSRF only): retry one failed message, or all of them."""
