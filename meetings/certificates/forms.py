"""Certificate forms: shape only."""

from flask_wtf import FlaskForm


class SendForm(FlaskForm):
    """The one button that mails every qualifying person not mailed yet."""
