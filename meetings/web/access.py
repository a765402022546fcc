"""Who may open which page: editions as visitors see them; /manage for their organizers."""

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from meetings.extensions import db
from meetings.models import Edition


def visible_edition_or_404(slug: str) -> Edition:
    """The edition at /<slug>/ as this visitor may see it (with its venue).

    Published and archived editions for everyone; a draft only for those who manage it, as a
    preview; for anyone else it does not exist.
    """
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == slug)
                                .options(joinedload(Edition.venue)))
    if edition is None or not (edition.is_public or (current_user.is_authenticated
                                                     and current_user.can_manage(edition))):
        abort(404)
    return edition


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
