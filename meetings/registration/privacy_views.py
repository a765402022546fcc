"""The public privacy page of an edition, written from its settings and the retention settings."""

from flask import current_app, render_template

from meetings.extensions import db
from meetings.registration import configuration, privacy, retention
from meetings.registration.blueprint import bp
from meetings.registration.tokens import TOKEN_LIFETIME
from meetings.web.access import visible_edition_or_404


@bp.get("/<slug>/privacy")
def privacy_page(slug: str):
    edition = visible_edition_or_404(slug)
    general_days = current_app.config["REGISTRATION_RETENTION_DAYS"]
    sensitive_days = current_app.config["SENSITIVE_DATA_RETENTION_DAYS"]
    return render_template(
        "registration/privacy.html", edition=edition,
        settings=configuration.settings_of(edition.id),
        questions=db.session.scalars(configuration.questions_of(edition.id)).all(),
        general_days=general_days, purged_on=privacy.purge_after(edition, general_days),
        sensitive_days=sensitive_days,
        cleared_on=retention.clear_after(edition, sensitive_days),
        token_days=TOKEN_LIFETIME.days)
