"""One unit of work per request: views call services, and the request commits once, at its end.

A view runs its service calls inside `domain_errors(form)`. A `DomainError` rolls back what the
request did so far and is shown one way: beside the form field it names, otherwise as one
message. When a state-changing request ends with a success or a redirect, `commit_request`
commits; anything else (a safe method, an error status, an exception) is rolled back when the
session is removed at teardown (a transaction that wrote nothing ends with an equivalent COMMIT
on PostgreSQL, which keeps psycopg's prepared statements). Mail queued during the request is
handed to the worker by that commit (the outbox row and its NOTIFY are part of the same
transaction).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, Response, flash, request
from flask_wtf import FlaskForm

from meetings.database import end_unwritten_transaction
from meetings.errors import DomainError
from meetings.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Outcome:
    """What a `domain_errors` block ended with."""

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def domain_errors(form: FlaskForm | None = None) -> Iterator[Outcome]:
    """Run service calls; a domain error undoes the request's work and is shown to the user."""
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        show_domain_error(error, form)


def show_domain_error(error: DomainError, form: FlaskForm | None = None) -> None:
    """Beside the form field the error names, else as one message at the top of the page."""
    field = form._fields.get(error.field) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


def commit_request(response: Response) -> Response:
    """Commit a state-changing request that succeeded (2xx) or redirects (3xx)."""
    if request.method not in SAFE_METHODS and response.status_code < 400:
        db.session.commit()
    return response


def end_reads(error: BaseException | None) -> None:
    """At teardown: a request that wrote nothing ends its transaction without a ROLLBACK (see
    end_unwritten_transaction); the rest is rolled back when the session is removed."""
    if error is None and db.session.registry.has():  # a request that used the database
        end_unwritten_transaction(db.session())


def init_app(app: Flask) -> None:
    app.after_request(commit_request)
    app.teardown_request(end_reads)
