"""Who may open which /manage page: login required everywhere, admins or assigned organizers."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from meetings.extensions import db
from meetings.models import Edition


def managed_edition_or_403(edition_id: int) -> Edition:
    """Load an edition the current user manages: 404 if it does not exist, 403 if not theirs."""
    edition = db.get_or_404(Edition, edition_id)
    if not current_user.can_manage(edition):
        abort(403)
    return edition


def admin_required(view):
    """Only admins (organizer management, audit log)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
