"""`flask --app app meetings …`: create-admin, demo."""

import sys

import click
from flask.cli import AppGroup

from meetings.errors import DomainError
from meetings.extensions import db

meetings_cli = AppGroup("meetings", help="Manage the meetings application.")


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
