"""The dashboard keeps counting people after they erase their data (as anonymous counts)."""

from meetings.extensions import db
from meetings.registration import privacy, reports
from meetings.registration.models import Registration
from tests.factories import FIXED_NOW, MAIL_SITE, open_edition, sign_up


def test_erased_registrations_stay_in_every_dashboard_total(app):
    with app.app_context():
        edition = open_edition()
        kept = [sign_up(edition, n, country="KE") for n in (1, 2)]
        erased = sign_up(edition, 3, country="KE")
        db.session.commit()
        privacy.erase(erased, now=FIXED_NOW, site=MAIL_SITE)
        db.session.commit()
        assert db.session.get(Registration, erased.id) is None

        by_status = dict(reports.count_by(edition.id, Registration.status))
        assert sum(by_status.values()) == 3 and by_status["cancelled"] == 1
        assert dict(reports.count_by(edition.id, Registration.country)) == {"KE": 3}
        assert [count for _name, count, _quota in reports.counts_by_category(edition.id)
                if count] == [3]
        assert sum(count for _day, count in reports.daily_counts(edition.id,
                                                                 edition.timezone)) == 3
        assert all(r.status.value != "cancelled" for r in kept)
