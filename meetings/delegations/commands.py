"""`flask --app app meetings endorsement-digests`: the focal points' daily reminder."""

import click
from flask.cli import with_appcontext

from meetings.delegations.mails import send_digests
from meetings.extensions import db
from meetings.models import utcnow
from meetings.web.site_url import mail_site


@click.command("endorsement-digests")
@with_appcontext
def endorsement_digests() -> None:
    """Mail each focal point the people waiting for their endorsement (at most once a day each;
    run daily from deploy/systemd/meetings-endorsement-digests.timer)."""
    sent = send_digests(now=utcnow(), site=mail_site())
    db.session.commit()
    click.echo(f"Queued {sent} endorsement digest(s).")
