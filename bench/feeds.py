"""Benchmark the feeds: cold build time and queries for N = 50, 200, 1000, then served throughput.

    .venv/bin/python bench/feeds.py                       # PostgreSQL (database created if missing)
    .venv/bin/python bench/feeds.py --database-url URL    # another PostgreSQL database
    .venv/bin/python bench/feeds.py --skip-load           # cold builds only

Part 1 builds the agenda feed, schedule.xml and schedule.json with the service's build functions
(no cache), first on the synthetic edition as it is (every session has the same abstract, which
markup.plain_text's lru_cache then parses once), then with a distinct Markdown abstract per
session, then rebuilds each after one session edit in a worker whose event cache is warm
(only the edited session's VEVENT is serialized again). Part 2 serves the 1,000-session feed
with gunicorn and measures it with wrk (or a Python client) against a bare Flask endpoint
returning the same bytes. The database is emptied each run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.agenda import QueryCounter, build_app, ensure_postgres_database, load_editions  # noqa: E402,E501
from bench.feeds_load import serve_and_measure  # noqa: E402
from bench.synthetic import room_count  # noqa: E402
from meetings import ical  # noqa: E402
from meetings.config import normalize_database_url  # noqa: E402
from meetings.extensions import db  # noqa: E402
from meetings.feeds import cache, events, service, stamps  # noqa: E402
from meetings.feeds.models import EventStamp  # noqa: E402
from meetings.markup import plain_text  # noqa: E402
from meetings.models import FeedCache, Session, utcnow  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/meetings_bench_feeds"
SIZES = (50, 200, 1000)
SITE = service.Site(url="http://localhost", domain="bench.test")
KINDS = {
    "agenda.ics": lambda edition, now: service.agenda_body(edition, SITE, now),
    "schedule.xml": lambda edition, now: service.schedule_body(edition, "xml", SITE),
    "schedule.json": lambda edition, now: service.schedule_body(edition, "json", SITE),
}
PATHS = {"agenda.ics": "/{slug}/agenda.ics", "schedule.xml": "/{slug}/schedule.xml",
         "schedule.json": "/{slug}/schedule.json"}
TARGETS_MS = {"agenda.ics": 400.0, "schedule.xml": 150.0}
EDIT_TARGETS_MS = {"agenda.ics": 30.0}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL URL")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="e.g. 50,200,1000")
    parser.add_argument("--runs", type=int, default=7, help="timed builds per feed and size")
    parser.add_argument("--duration", type=int, default=10, help="seconds per load measurement")
    parser.add_argument("--rounds", type=int, default=2, help="load rounds (best is kept)")
    parser.add_argument("--skip-load", action="store_true", help="cold builds only")
    return parser.parse_args(argv)


def distinct_abstract(session_id: int, title: str) -> str:
    """A Markdown abstract of realistic length that no other session shares."""
    return (
        f"Session {session_id} looks at **{title}** from the point of view of an "
        f"investigator, with a [case study](https://example.org/cases/{session_id}) and a "
        "short demonstration.\n\n"
        f"- what *{session_id}* teams learnt in practice\n- which safeguards worked\n"
        f"- open questions for the {session_id % 7 + 1} partner agencies\n\n"
        "Participants leave with a checklist they can adapt to their own unit."
    )


def give_distinct_abstracts() -> None:
    """Rewrite every session's description to a distinct Markdown abstract."""
    for session in db.session.scalars(sa.select(Session)):
        session.description = distinct_abstract(session.id, session.title)
    db.session.commit()
    db.session.remove()


def cold_state(clear_markup: bool = True) -> None:
    """Forget what a previous build left: identity map, stored bodies, serialized events and
    the lines they share."""
    db.session.remove()
    db.session.execute(sa.delete(FeedCache))
    db.session.execute(sa.delete(EventStamp))  # a first build stamps every event
    db.session.commit()
    db.session.remove()
    cache.forget()
    events.event_cache.clear()
    stamps.stamped.cache_clear()
    ical.forget_lines()
    if clear_markup:
        plain_text.cache_clear()


def edit_one_session(slug: str, number: int) -> None:
    """What an organizer's save does to the feeds: one session's title, SEQUENCE and revision."""
    edition = db.session.scalar(service.public_edition(slug))
    session = db.session.scalars(sa.select(Session).where(Session.edition_id == edition.id)
                                 .order_by(Session.id).offset(number).limit(1)).one()
    now = utcnow()
    session.title = f"{session.title.split(' (edit')[0]} (edit {number})"
    session.sequence += 1
    session.updated_at = now
    edition.touch(now)
    db.session.commit()
    db.session.remove()


def time_build(counter: QueryCounter, slug: str, kind: str,
               clear_markup: bool) -> tuple[float, int, int, float]:
    """One cold build of `kind`: milliseconds, queries and bytes (edition loaded beforehand)."""
    cold_state(clear_markup)
    edition = db.session.scalar(service.public_edition(slug))
    build = service.in_language(SITE, lambda: KINDS[kind](edition, utcnow()))
    return timed(counter, build)


def timed(counter: QueryCounter, build) -> tuple[float, int, int, float]:
    """Wall milliseconds, queries, bytes and this process's CPU milliseconds of one build."""
    counter.count = 0
    started, cpu = time.perf_counter(), time.process_time()
    body = build()
    return ((time.perf_counter() - started) * 1000, counter.count, len(body),
            (time.process_time() - cpu) * 1000)


def time_request(client, counter: QueryCounter, slug: str, kind: str,
                 clear_markup: bool) -> tuple[float, int]:
    """One cold GET through the app: cache miss, build, gzip, store, commit."""
    with client.application.app_context():
        cold_state(clear_markup)
    return timed_get(client, counter, PATHS[kind].format(slug=slug))


def timed_get(client, counter: QueryCounter, path: str) -> tuple[float, int]:
    """Milliseconds and SQL statements of one GET that must answer 200."""
    counter.count = 0
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, counter.count


def time_rebuild(counter: QueryCounter, slug: str, kind: str, number: int
                 ) -> tuple[float, int, int, float]:
    """The build function right after one session edit, in a process that built the feed."""
    edit_one_session(slug, number)
    edition = db.session.scalar(service.public_edition(slug))
    return timed(counter, service.in_language(SITE, lambda: KINDS[kind](edition, utcnow())))


def time_edit_request(client, counter: QueryCounter, slug: str, kind: str, number: int
                      ) -> tuple[float, int]:
    """A GET right after one session edit: a new revision, so build, gzip, store, commit."""
    with client.application.app_context():
        edit_one_session(slug, number)
    return timed_get(client, counter, PATHS[kind].format(slug=slug))


def measure_edits(app, counter: QueryCounter, slug: str, kind: str, runs: int) -> dict:
    """Median of `runs` rebuilds after one edit each, after one full build and one warm-up."""
    client = app.test_client()
    with app.app_context():
        cold_state(clear_markup=False)
        time_rebuild(counter, slug, kind, 0)
        builds = [time_rebuild(counter, slug, kind, number) for number in range(1, runs + 1)]
    time_edit_request(client, counter, slug, kind, 0)
    requests = [time_edit_request(client, counter, slug, kind, number)
                for number in range(1, runs + 1)]
    return summary(builds, requests)


def summary(builds: list, requests: list) -> dict:
    timings = [ms for ms, _, _, _ in builds]
    return {
        "median": statistics.median(timings), "min": min(timings), "max": max(timings),
        "cpu": statistics.median(cpu for _, _, _, cpu in builds),
        "queries": max(q for _, q, _, _ in builds), "bytes": builds[-1][2],
        "request": statistics.median(ms for ms, _ in requests),
        "request_queries": max(q for _, q in requests),
    }


def measure(app, counter: QueryCounter, slug: str, kind: str, runs: int,
            clear_markup: bool) -> dict:
    """Median of `runs` cold builds and cold requests after one warm-up of each."""
    client = app.test_client()
    with app.app_context():
        time_build(counter, slug, kind, clear_markup)
        builds = [time_build(counter, slug, kind, clear_markup) for _ in range(runs)]
    time_request(client, counter, slug, kind, clear_markup)
    requests = [time_request(client, counter, slug, kind, clear_markup) for _ in range(runs)]
    return summary(builds, requests)


def print_table(title: str, results: dict[tuple[int, str], dict]) -> None:
    print(f"\n{title}")
    print(f"{'feed':<14} {'N':>5} {'rooms':>5} {'build ms':>9} {'min':>7} {'max':>7} "
          f"{'cpu ms':>7} {'queries':>7} {'KiB':>6} {'request ms':>10} {'req. queries':>12}")
    for (n, kind), r in results.items():
        print(f"{kind:<14} {n:>5} {room_count(n):>5} {r['median']:>9.1f} {r['min']:>7.1f} "
              f"{r['max']:>7.1f} {r['cpu']:>7.1f} {r['queries']:>7} {r['bytes'] / 1024:>6.0f} "
              f"{r['request']:>10.1f} {r['request_queries']:>12}")


def print_verdicts(title: str, results: dict, sizes: list[int], targets: dict = TARGETS_MS
                   ) -> None:
    largest = sizes[-1]
    for kind, target in targets.items():
        ms = results[(largest, kind)]["median"]
        print(f"{title}: {kind} at N={largest} < {target:.0f} ms: "
              f"{'met' if ms < target else 'MISSED'} ({ms:.1f} ms)")
    for kind in KINDS:
        counts = [results[(n, kind)]["queries"] for n in sizes]
        flat = len(set(counts)) == 1
        print(f"{title}: {kind} queries independent of N: {'yes' if flat else 'NO'} {counts}")


def cold_builds(app, counter: QueryCounter, slugs: dict[int, str], runs: int, title: str,
                clear_markup: bool = True) -> dict:
    results = {(n, kind): measure(app, counter, slugs[n], kind, runs, clear_markup)
               for n in slugs for kind in KINDS}
    print_table(title, results)
    print_verdicts(title.split(" (")[0], results, list(slugs))
    return results


def main(argv=None) -> None:
    args = parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    url = normalize_database_url(args.database_url)
    ensure_postgres_database(url)
    label = sa.make_url(url).render_as_string(hide_password=True)
    print(f"Feeds on PostgreSQL ({label}), {args.runs} cold builds per cell after one warm-up; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    app = build_app(url)
    slugs = load_editions(app, sizes)
    with app.app_context():
        counter = QueryCounter(db.engine)
    cold_builds(app, counter, slugs, args.runs,
                "Synthetic edition as is (one shared abstract)")
    with app.app_context():
        give_distinct_abstracts()
    cold_builds(app, counter, slugs, args.runs,
                "Distinct Markdown abstract per session (plain_text cache cleared each build)")
    edits = {(n, kind): measure_edits(app, counter, slugs[n], kind, args.runs)
             for n in slugs for kind in KINDS}
    print_table("After one session edit (a worker that built the feed before: its event cache "
                "is warm)", edits)
    print_verdicts("After one session edit", edits, list(slugs), EDIT_TARGETS_MS)
    print("build ms: the service's build function alone, edition already loaded (cpu ms: the "
          "CPU time this process spent on it, which other load on the machine does not "
          "inflate); request ms: "
          "a GET through the app that finds no stored body for this revision (build, gzip, "
          "store, commit)")
    if not args.skip_load:
        serve_and_measure(url, slugs[sizes[-1]], args.duration, args.rounds)
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
