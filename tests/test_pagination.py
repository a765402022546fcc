"""Long back-office lists show 50 rows a page and link to the pages around, filters kept."""

from datetime import UTC, datetime

from meetings.audit.service import record
from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from tests.factories import make_edition, open_edition, sign_up

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def test_audit_log_pages_keep_the_edition_filter(app, client, admin):
    with app.app_context():
        edition = make_edition()
        for n in range(51):
            record(None, "test.entry", f"Entry {n}", edition=edition, now=NOW)
        db.session.commit()
        edition_id = edition.id
    first = client.get(f"/manage/audit/?edition={edition_id}").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert f'href="/manage/audit/?page=2&amp;edition={edition_id}">Older</a>' in first
    second = client.get(f"/manage/audit/?edition={edition_id}&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and ">Newer</a>" in second and ">Older</a>" not in second


def test_failed_mail_pages(app, client, admin):
    with app.app_context():
        db.session.add_all(OutboxMessage(
            to_address=f"p{n}@example.org", subject="S", text_body="", status=OutboxStatus.FAILED,
            created_at=NOW, next_attempt_at=NOW, last_error="550") for n in range(51))
        db.session.commit()
    first = client.get("/manage/mail/").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'href="/manage/mail/?page=2">Older</a>' in first
    assert "Page 2 of 2" in client.get("/manage/mail/?page=2").get_data(as_text=True)


def test_registration_list_pages_keep_the_filters(app, client, admin):
    from meetings.registration.models import RegistrationStatus

    with app.app_context():
        edition = open_edition(capacity=100)
        for n in range(51):
            sign_up(edition, n)
        db.session.commit()
        edition_id = edition.id
    url = f"/manage/editions/{edition_id}/registrations/"
    first = client.get(f"{url}?status={RegistrationStatus.APPROVED.value}").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "?page=2&amp;q=&amp;status=approved" in first and ">Next</a>" in first
