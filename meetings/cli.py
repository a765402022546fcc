"""`flask --app app meetings …`: create-admin, demo, send-mail, mail-worker, purge."""

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from meetings.badges import commands as badge_commands
from meetings.delegations import commands as delegation_commands
from meetings.errors import DomainError
from meetings.extensions import db

meetings_cli = AppGroup("meetings", help="Manage the meetings application.")
meetings_cli.add_command(badge_commands.badges)
meetings_cli.add_command(badge_commands.verify_badge)
meetings_cli.add_command(delegation_commands.endorsement_digests)


@meetings_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_admin(email: str, name: str, password_stdin: bool) -> None:
    """Create the first administrator (or another one)."""
    from meetings.accounts.service import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, name=name, is_admin=True)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


@meetings_cli.command("settings")
def settings() -> None:
    """Print every setting: type, default and meaning (the README's configuration table)."""
    from meetings.config import settings_table

    click.echo(settings_table(), nl=False)


@meetings_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has any edition.")
def demo(if_empty: bool) -> None:
    """Load the demo editions (and a demo administrator when there is no account yet)."""
    from flask import current_app

    from meetings.audit.service import record
    from meetings.badges.keys import secret_of
    from meetings.delegations.demo import DEMO_FOCAL_POINT_EMAIL
    from meetings.demo import DEMO_ADMIN_PASSWORD, create_demo_admin, load_demo
    from meetings.models import Edition, utcnow
    from meetings.visas.crypto import data_key
    from meetings.web.site_url import mail_site

    if if_empty and db.session.scalar(sa.select(Edition.id).limit(1)) is not None:
        click.echo("The database already has data; demo data not loaded.")
        return
    now = utcnow()
    # First, so that it becomes the demo edition's visa officer (and is the first account).
    admin = create_demo_admin()
    try:
        editions = load_demo(now, badge_secret=secret_of(current_app.config),
                             visa_key=data_key(current_app.config),
                             demo_accounts=admin is not None, site=mail_site())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    record(None, "demo.load", f"Loaded {len(editions)} demo editions.", now=now)
    db.session.commit()
    click.echo(f"Loaded {len(editions)} demo editions: {', '.join(e.slug for e in editions)}.")
    if admin is not None:
        click.echo("")
        click.echo("Demo administrator created. Log in at /login with:")
        click.echo(f"    email:    {admin.email}")
        click.echo(f"    password: {DEMO_ADMIN_PASSWORD}")
        click.echo(f"A demo focal point of a delegation signs in as {DEMO_FOCAL_POINT_EMAIL} "
                   "with the same password.")
        click.echo("Change this password (or remove the account) before going live.")


def queue_digests(now) -> int:
    """Queue the agenda-change digests of editions quiet for AGENDA_CHANGE_DIGEST_MINUTES."""
    from datetime import timedelta

    from flask import current_app

    from meetings.attendance.change_mail import dispatch_due
    from meetings.web.site_url import mail_site

    window = timedelta(minutes=current_app.config["AGENDA_CHANGE_DIGEST_MINUTES"])
    digests = dispatch_due(now, window, site=mail_site())
    db.session.commit()
    return digests


@meetings_cli.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="Most messages to try in this run.")
def send_mail(limit: int) -> None:
    """Deliver due outbox messages once (from cron or a timer, when no mail-worker runs).

    First it queues the agenda-change digests of editions whose agenda has been quiet for
    AGENDA_CHANGE_DIGEST_MINUTES, so a burst of edits becomes one email per attendee. A message
    that fails is kept for a later attempt or marked failed; it never makes this command fail.
    """
    from flask import current_app

    from meetings.mail.sender import deliver_pending, smtp_settings
    from meetings.models import utcnow

    now = utcnow()
    digests = queue_digests(now)
    if digests:
        click.echo(f"Queued {digests} agenda-change digest(s).")
    batch = deliver_pending(now, smtp_settings(current_app.config), limit=limit)
    click.echo(f"Sent {batch.sent} message(s); {batch.retrying} kept for a later attempt; "
               f"{batch.failed} failed.")
    if batch.unreachable:
        click.echo(f"The SMTP server could not be used: {batch.unreachable}", err=True)


@meetings_cli.command("mail-worker")
@click.option("--poll", default=2.0, show_default=True,
              help="Seconds between looks when PostgreSQL cannot notify (SQLite, LISTEN down).")
@click.option("--idle", default=30.0, show_default=True,
              help="Longest sleep while listening for PostgreSQL notifications.")
@click.option("--batch", default=100, show_default=True,
              help="Most messages sent over one SMTP connection.")
@click.option("--gather", default=0.1, show_default=True,
              help="Seconds to wait after a notification, so a rush's messages share a pass.")
def mail_worker(poll: float, idle: float, batch: int, gather: float) -> None:
    """Deliver the outbox continuously until SIGTERM or Ctrl-C (run one or more per site).

    Woken by PostgreSQL NOTIFY when a message is queued; several workers never send a message
    twice. Also queues the agenda-change digests once a minute.
    """
    import logging
    import signal

    from flask import current_app

    from meetings.mail.worker import MailWorker

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    worker = MailWorker(current_app._get_current_object(), poll=poll, idle=idle, batch=batch,
                        gather=gather, periodic=queue_digests)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: worker.stop())
    worker.run()


def clear_due_sensitive_data() -> None:
    """Clear dietary, accessibility and sensitive answers of editions past their retention."""
    from flask import current_app

    from meetings.audit.service import record
    from meetings.database import vacuum_full
    from meetings.mail.models import OutboxMessage
    from meetings.models import utcnow
    from meetings.registration.models import Registration
    from meetings.registration.retention import clear_due

    now = utcnow()
    days = current_app.config["SENSITIVE_DATA_RETENTION_DAYS"]
    done = clear_due(retention_days=days, now=now)
    for edition, count in done:
        record(None, "registration.sensitive_purge", f"Cleared the dietary, accessibility and "
               f"sensitive answers of {count} registrations of {edition.slug} ({days} days "
               "after it ended).", edition=edition, now=now)
        click.echo(f"Cleared the sensitive data of {count} registration(s) of {edition.slug}.")
    visas = purge_due_visa_requests(now)
    mails = forget_delivered_mail(now)
    db.session.commit()
    tables = ([Registration.__table__] if done else []) + (visa_tables() if visas else []) + (
        [OutboxMessage.__table__] if mails else [])
    if tables:
        vacuum_full(db.engine, tables)  # no readable old rows
    else:
        click.echo("No sensitive data was due for deletion.")


def forget_delivered_mail(now) -> int:
    """Delete delivered mail about no registration after REGISTRATION_RETENTION_DAYS; report it."""
    from datetime import timedelta

    from flask import current_app

    from meetings.audit.service import record
    from meetings.mail.service import forget_delivered

    days = current_app.config["REGISTRATION_RETENTION_DAYS"]
    count = forget_delivered(sent_before=now - timedelta(days=days))
    if count:
        record(None, "mail.purge", f"Deleted {count} delivered emails about no registration, "
               f"sent more than {days} days ago.", now=now)
        click.echo(f"Deleted {count} delivered email(s) about no registration "
                   f"(sent more than {days} days ago).")
    return count


def purge_due_visa_requests(now) -> list:
    """Delete the visa requests of editions past VISA_DATA_RETENTION_DAYS; report each."""
    from flask import current_app

    from meetings.audit.service import record
    from meetings.visas.service import purge_due

    days = current_app.config["VISA_DATA_RETENTION_DAYS"]
    done = purge_due(retention_days=days, now=now)
    for edition, count in done:
        record(None, "visas.purge", f"Deleted {count} visa requests of {edition.slug} ({days} "
               "days after it ended).", edition=edition, now=now)
        click.echo(f"Deleted {count} visa request(s) of {edition.slug}.")
    return done


def visa_tables() -> list:
    from meetings.visas.models import VisaEvent, VisaRequest

    return [VisaRequest.__table__, VisaEvent.__table__]


@meetings_cli.command("purge")
@click.argument("edition", required=False)
@click.option("--due", is_flag=True,
              help="Clear the dietary, accessibility and sensitive answers of every edition "
                   "that ended more than SENSITIVE_DATA_RETENTION_DAYS ago (run daily).")
def purge(edition: str | None, due: bool) -> None:
    """Anonymize the registrations of a past EDITION (slug) after the retention period.

    With --due instead of a slug: clear the sensitive data of every edition past its sensitive
    retention; running it again changes nothing.
    """
    if due == (edition is not None):
        raise click.UsageError("Give either an edition's slug or --due.")
    if due:
        clear_due_sensitive_data()
        return
    from flask import current_app

    from meetings.audit.service import record
    from meetings.database import vacuum_full
    from meetings.models import Edition, utcnow
    from meetings.registration.privacy import purge_edition

    found = db.session.scalar(sa.select(Edition).where(Edition.slug == edition))
    if found is None:
        raise click.ClickException(f"No edition with the slug {edition!r}.")
    now = utcnow()
    days = current_app.config["REGISTRATION_RETENTION_DAYS"]
    try:
        purged = purge_edition(found, retention_days=days, now=now)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    count = purged.registrations
    record(None, "registration.purge", f"Anonymized {count} registrations of {found.slug}.",
           edition=found, now=now)
    db.session.commit()
    vacuum_full(db.engine, purged.tables)  # PostgreSQL: no readable copies of deleted rows
    click.echo(f"Anonymized {count} registration(s) of {found.slug}.")
