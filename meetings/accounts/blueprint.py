"""The accounts blueprint; the view modules add their pages to it."""

from flask import Blueprint

from meetings.accounts.throttle import check_setting

bp = Blueprint("accounts", __name__)


@bp.record_once
def check_settings(state) -> None:
    """A bad LOGIN_ACCOUNT_LIMIT stops the app when it starts, not at the first login."""
    check_setting(state.app.config)
