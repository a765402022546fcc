"""Engine set-up that SQLAlchemy leaves to the application, and the clean-up a purge needs."""

import weakref
from collections.abc import Callable, Iterable
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from meetings.extensions import db

# VACUUM FULL waits for an exclusive lock: a purge gives up rather than stall the site.
VACUUM_LOCK_TIMEOUT = "30s"
# The engine execution option holding LOCK_TIMEOUT_MS: how long the seat lock may wait.
LOCK_TIMEOUT_OPTION = "meetings_lock_timeout_ms"


def enable_sqlite_foreign_keys(engine: Engine) -> None:
    """Per SQLite connection: enforce foreign keys (and so ON DELETE CASCADE), and overwrite
    deleted content with zeros (secure_delete) so erased values do not linger in free pages."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def end_unwritten_transaction(session: so.Session) -> None:
    """On PostgreSQL, end a transaction that changed nothing with COMMIT rather than ROLLBACK.

    For the data the two are the same: PostgreSQL gives a transaction an id at its first write
    (or row lock), so without one there is nothing to undo. But psycopg forgets every prepared
    statement on ROLLBACK, so read-only requests, ended by the teardown's rollback, had
    PostgreSQL parse and plan each of their queries afresh. Anything else (pending objects, a
    write, a failed transaction, SQLite) is left to that rollback.
    """
    if (not session.in_transaction() or not session.is_active
            or session.new or session.dirty or session.deleted):
        return
    try:
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            return
        if connection.scalar(sa.select(sa.func.txid_current_if_assigned())) is None:
            session.commit()
    except sa.exc.SQLAlchemyError:  # a failed transaction or a dropped connection: roll back
        return


T = TypeVar("T")
_read_engines: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()


def read_only(engine: Engine, read: Callable[[sa.Connection], T]) -> T:
    """Run `read` on a connection without a transaction (no BEGIN or ROLLBACK to wait for), apart
    from the request's session.

    On PostgreSQL the connection comes from a second pool of autocommit connections that are not
    pinged when checked out (a feed hit is one query: a ping would be a second round trip);
    should the server have dropped the connection, the read runs once more on a fresh one.
    """
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            return read(connection.execution_options(isolation_level="AUTOCOMMIT"))
    reads = read_engine(engine)
    try:
        with reads.connect() as connection:
            return read(connection)
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
    with reads.connect() as connection:
        return read(connection)


def read_engine(engine: Engine) -> Engine:
    """The autocommit engine beside `engine`, made once and disposed with it."""
    reads = _read_engines.get(engine)
    if reads is None:
        reads = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT",
                                 pool_reset_on_return=None, pool_pre_ping=False)
        _read_engines[engine] = reads
        sa.event.listen(engine, "engine_disposed", lambda _engine: reads.dispose())
    return reads


def count_of(query: sa.Select) -> int:
    """How many rows a select would return, counted by the database."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def insert_on_conflict(model) -> postgresql.Insert | sqlite.Insert:
    """INSERT for the session's database that can say ON CONFLICT (PostgreSQL and SQLite)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def vacuum_full(engine: Engine, tables: Iterable[sa.Table]) -> None:
    """PostgreSQL: rewrite these tables so deleted and updated rows leave no readable tuples.

    Call after the commit: VACUUM cannot run inside a transaction. SQLite needs nothing, as
    secure_delete already overwrote what was deleted.
    """
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(engine.dialect.identifier_preparer.format_table(t) for t in tables)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(sa.text(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'"))
        connection.execute(sa.text(f"VACUUM FULL {names}"))
