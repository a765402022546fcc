"""Engine set-up that SQLAlchemy leaves to the application, and the clean-up a purge needs."""

from collections.abc import Iterable

import sqlalchemy as sa
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
