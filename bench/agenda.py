"""Benchmark the public agenda page: render time and SQL query count for N = 50, 200, 1000 sessions.

    .venv/bin/python bench/agenda.py                      # PostgreSQL (database created if missing)
    .venv/bin/python bench/agenda.py --database-url URL   # another PostgreSQL database
    .venv/bin/python bench/agenda.py --sqlite             # SQLite in a temporary file, to compare

The benchmark database is emptied and rebuilt on every run.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.synthetic import build_synthetic_edition, room_count  # noqa: E402
from meetings import create_app  # noqa: E402
from meetings.config import normalize_database_url  # noqa: E402
from meetings.extensions import db  # noqa: E402
from meetings.models import utcnow  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/meetings_bench"
SIZES = (50, 200, 1000)
TARGET_MS = 200.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL URL")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead, to compare")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="e.g. 50,200,1000")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per size")
    return parser.parse_args(argv)


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist yet."""
    target = sa.make_url(url)
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def build_app(url: str):
    """An app on a freshly emptied benchmark database holding one synthetic edition per size."""
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
        "SITE_URL": "http://localhost",
        "CALENDAR_DOMAIN": "bench.test",
    })


def load_editions(app, sizes: list[int]) -> dict[int, str]:
    """Rebuild the schema and add one synthetic edition per size; returns size -> slug."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = utcnow()
        slugs = {n: build_synthetic_edition(n, now).slug for n in sizes}
        db.session.commit()
        db.session.remove()
        analyze(db.engine)
    return slugs


def analyze(engine) -> None:
    """Give the planner statistics of the tables just filled, as autovacuum does within a
    minute of a bulk load (without them PostgreSQL plans for empty tables)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


class QueryCounter:
    """Counts the statements sent to the database (sqlalchemy before_cursor_execute)."""

    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self)

    def __call__(self, *_args, **_kwargs):
        self.count += 1


def measure(client, counter: QueryCounter, path: str, runs: int) -> dict:
    """Median and spread of `runs` requests after one warm-up, and one request's query count."""
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}; is the agenda page built?")
    timings, counts = [], []
    for _ in range(runs):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        counts.append(counter.count)
        assert response.status_code == 200
    return {
        "median": statistics.median(timings), "min": min(timings), "max": max(timings),
        "queries": max(counts), "bytes": len(response.data),
    }


def print_report(label: str, results: dict[int, dict]) -> None:
    print(f"\nAgenda page /<slug>/agenda on {label}")
    print(f"{'N':>6} {'rooms':>5} {'median ms':>10} {'min ms':>8} {'max ms':>8} "
          f"{'queries':>7} {'KiB':>7}")
    for n, r in results.items():
        print(f"{n:>6} {room_count(n):>5} {r['median']:>10.1f} {r['min']:>8.1f} {r['max']:>8.1f} "
              f"{r['queries']:>7} {r['bytes'] / 1024:>7.0f}")
    sizes = list(results)
    small, large = results[sizes[0]], results[sizes[-1]]
    if len(sizes) > 1:
        print(f"\nN={sizes[-1]} vs N={sizes[0]} ({sizes[-1] / sizes[0]:.0f}x the sessions): "
              f"time x{large['median'] / small['median']:.1f}, "
              f"queries x{large['queries'] / small['queries']:.2f}")
    verdict = "met" if large["median"] < TARGET_MS else "MISSED"
    print(f"Target at N={sizes[-1]}: median < {TARGET_MS:.0f} ms: {verdict} "
          f"({large['median']:.1f} ms)")
    flat = len({r["queries"] for r in results.values()}) == 1
    print(f"Query count independent of N: {'yes' if flat else 'NO'} "
          f"({', '.join(str(r['queries']) for r in results.values())})")


def main(argv=None) -> None:
    args = parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.sqlite:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='meetings-bench-')) / 'bench.db'}"
        label = "SQLite"
    else:
        url = normalize_database_url(args.database_url)
        ensure_postgres_database(url)
        label = f"PostgreSQL ({sa.make_url(url).render_as_string(hide_password=True)})"
    app = build_app(url)
    slugs = load_editions(app, sizes)
    client = app.test_client()
    with app.app_context():
        counter = QueryCounter(db.engine)
    results = {n: measure(client, counter, f"/{slugs[n]}/agenda", args.runs) for n in sizes}
    print_report(label, results)


if __name__ == "__main__":
    main()
