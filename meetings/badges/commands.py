"""`flask --app app meetings badges …` and `… verify-badge …`, for print shops and scripts."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from meetings.badges import service
from meetings.badges.documents import Sheet
from meetings.badges.keys import secret_of
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import Edition, utcnow


def edition_by_slug(slug: str) -> Edition:
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is None:
        raise click.ClickException(f"No edition with the slug {slug!r}.")
    return edition


@click.command("badges")
@with_appcontext
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--only-new", is_flag=True, help="Only badges not printed yet.")
@click.option("--registration", "registrations", multiple=True, type=click.IntRange(min=1),
              help="Only this registration (number; give the option again for more).")
@click.option("--sheet", type=click.Choice([s.value for s in Sheet]), default=Sheet.A4.value,
              show_default=True, help="a4: four A6 badges a page with cut marks; a6: one a page.")
def badges(slug: str, output: str, only_new: bool, registrations: tuple[int, ...],
           sheet: str) -> None:
    """Print the badges of the edition SLUG as a PDF and mark them printed."""
    edition = edition_by_slug(slug)
    try:
        pdf, printed = service.print_badges(
            edition, registration_ids=list(registrations) or None, only_new=only_new,
            sheet=Sheet(sheet), secret=secret_of(current_app.config), now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    with open(output, "wb") as out:
        out.write(pdf)
    db.session.commit()
    click.echo(f"Wrote {len(printed)} badge(s) of {edition.slug} to {output}.")


@click.command("verify-badge")
@with_appcontext
@click.argument("slug")
@click.argument("code")
def verify_badge(slug: str, code: str) -> None:
    """Say whether CODE (as scanned) is a valid badge of the edition SLUG, and why not.

    Exit status 0 only when it is valid.
    """
    verdict = service.check(edition_by_slug(slug), code, now=utcnow())
    if verdict.valid:
        click.echo(f"valid: registration #{verdict.payload.registration_id}, badge "
                   f"#{verdict.payload.serial}")
        return
    click.echo(f"not valid: {verdict.reason.value}")
    raise SystemExit(1)
