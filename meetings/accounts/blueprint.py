"""The accounts blueprint; the view modules add their pages to it."""

from flask import Blueprint, current_app

from meetings.accounts.throttle import AccountThrottle

bp = Blueprint("accounts", __name__)


@bp.record_once
def read_settings(state) -> None:
    """Build the failed-login throttle once: a bad LOGIN_ACCOUNT_LIMIT stops the app when it
    starts, not at the first login."""
    state.app.extensions["account_throttle"] = AccountThrottle.from_config(state.app.config)


def account_throttle() -> AccountThrottle:
    """The throttle this app was started with, for views to hand to the services."""
    return current_app.extensions["account_throttle"]
