"""Badges for 500 attendees as A4 sheets: time and peak memory; server-side verification rate.

    .venv/bin/python bench/badges.py [--attendees 500]

Prints figures (targets: ≤ 30 s and ≤ 600 MB for the PDF, ≥ 500 scans/s); not a test.
"""

import argparse
import resource
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from meetings import create_app
from meetings.badges import service
from meetings.badges.documents import Sheet
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration import configuration
from meetings.registration.models import Registration, RegistrationStatus

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
SECRET = "bench-secret-" + "b" * 32
NAMES = [("Amira", "Haddad"), ("محمد", "العتيبي"), ("小明", "王"), ("Lucía", "Fernández")]


def build(attendees: int) -> Edition:
    edition = Edition(ordinal=1, title="Benchmark edition", slug="bench",
                      starts_on=date(2027, 3, 28), ends_on=date(2027, 3, 29),
                      timezone="Europe/Amsterdam", description="")
    db.session.add(edition)
    db.session.flush()
    configuration.set_up(edition, now=NOW)
    settings = configuration.settings_of(edition.id)
    category = db.session.scalars(configuration.categories_of(edition.id)).first()
    for n in range(attendees):
        given, family = NAMES[n % len(NAMES)]
        db.session.add(Registration(
            edition_id=edition.id, category_id=category.id, status=RegistrationStatus.APPROVED,
            email=f"a{n}@example.org", given_name=given, family_name=f"{family} {n}",
            organization="Police", country="NL", arrival=settings.next_arrival()))
    db.session.flush()
    return edition


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=500)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI":
                      f"sqlite:///{folder / 'bench.db'}"})
    with app.app_context():
        db.create_all()
        edition = build(arguments.attendees)
        started = time.perf_counter()
        pdf, badges = service.print_badges(edition, sheet=Sheet.A4, secret=SECRET, now=NOW)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{len(badges)} badges, {len(pdf) / 1e6:.1f} MB PDF: {seconds:.1f} s, "
              f"peak memory {peak:.0f} MB (targets 30 s, 600 MB)")
        found = [service.code_of(b, secret=SECRET, now=NOW) for b in badges]
        started = time.perf_counter()
        rounds = 4
        for _round in range(rounds):
            assert all(service.check(edition, code, now=NOW).valid for code in found)
        rate = rounds * len(found) / (time.perf_counter() - started)
        print(f"server-side verification: {rate:.0f} scans/s, each with its key and revocation "
              "list read from the database (target 500)")


if __name__ == "__main__":
    main()
