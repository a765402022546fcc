"""The personal feed (/feeds/<token>.ics), the personal agenda and their entitlements."""

import hashlib
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from meetings.attendance import workshops
from meetings.attendance.models import AgendaChoice, PersonalFeed
from meetings.extensions import db
from meetings.models import (
    Edition,
    EditionFormat,
    EditionStatus,
    Session,
    SessionAccess,
)
from meetings.registration import service
from meetings.registration.models import Registration
from tests.factories import (
    MAIL_SITE,
    agenda_world,
    change_agenda,
    choose_workshop,
    manage_token,
    person,
    registration_category,
)
from tests.shared import icalcheck

NOW = datetime.now(UTC)
FEED_URL = re.compile(r'value="http://localhost(/feeds/[^"/]+\.ics)"')


@pytest.fixture
def world(app):
    return agenda_world(app)


def choose_then_close(app, registration_id: int, session_id: int) -> None:
    """A seat taken while the workshop was open; the organizer closes it afterwards."""
    with app.app_context():
        session = db.session.get(Session, session_id)
        session.access = SessionAccess.REGISTERED
        workshops.choose(db.session.get(Registration, registration_id), session, now=NOW)
        session.access = SessionAccess.CLOSED
        db.session.commit()


def feed_path(client, world, who: str) -> str:
    """The attendee's feed address, asked for on the manage page (the same on every ask)."""
    page = client.post(f"/manage-registration/{world['tokens'][who]}/calendar",
                       follow_redirects=True).get_data(as_text=True)
    return FEED_URL.search(page).group(1)


def test_the_manage_page_makes_no_feed_address_until_asked(app, client, world):
    manage = f"/manage-registration/{world['tokens']['gov']}"
    page = client.get(manage).get_data(as_text=True)
    assert "Get my calendar address" in page and "/feeds/" not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PersonalFeed.id))) == 0
    path = feed_path(client, world, "gov")
    page = client.get(manage).get_data(as_text=True)
    assert path in page and "Get my calendar address" not in page


def test_feed_holds_the_edition_days_and_only_the_chosen_sessions(app, client, world):
    choose_workshop(app, world["gov"], world["workshop"])
    added = change_agenda(client, world, "gov", "plenary")
    assert "is on your agenda" in added.get_data(as_text=True)
    response = client.get(feed_path(client, world, "gov"))
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Access-Control-Allow-Origin" not in response.headers
    body = response.get_data(as_text=True).replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20270328" in body and "DTEND;VALUE=DATE:20270330" in body
    assert "SUMMARY:Opening plenary" in body and "SUMMARY:Hands-on: model audits" in body
    assert "Unchosen panel" not in body and "Heads of cybercrime" not in body
    assert body.count("BEGIN:VEVENT") == 3
    # Nothing about the person but their choices; never the manage link.
    for private in ("Given2", "Family2", "p2@example.org", "manage-registration"):
        assert private not in body


def test_closed_session_details_only_for_law_enforcement(app, client, world):
    choose_then_close(app, world["gov"], world["closed_workshop"])
    choose_workshop(app, world["le"], world["closed_workshop"])
    gov = client.get(feed_path(client, world, "gov")).get_data(as_text=True)
    assert "SUMMARY:Closed session" in gov
    for secret in ("Undercover", "Only for police", "stream.example.org/lab"):
        assert secret not in gov
    change_agenda(client, world, "le", "closed")
    le = client.get(feed_path(client, world, "le")).get_data(as_text=True).replace("\r\n ", "")
    assert "SUMMARY:Undercover operations lab" in le and "Only for police." in le
    assert "SUMMARY:Heads of cybercrime units" in le and "Secret agenda item." in le


def test_non_law_enforcement_cannot_add_a_closed_session(app, client, world):
    page = change_agenda(client, world, "gov", "closed").get_data(as_text=True)
    assert "cannot be added to your agenda" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AgendaChoice.id))) == 0
    manage = client.get(f"/manage-registration/{world['tokens']['gov']}").get_data(as_text=True)
    assert "Heads of cybercrime units" not in manage
    le_page = client.get(f"/manage-registration/{world['tokens']['le']}").get_data(as_text=True)
    assert "Heads of cybercrime units" in le_page


def test_online_links_only_in_virtual_or_hybrid_editions(app, client, world):
    change_agenda(client, world, "gov", "plenary")
    change_agenda(client, world, "le", "closed")
    hybrid = client.get(feed_path(client, world, "gov")).get_data(as_text=True)
    assert "stream.example.org/plenary" in hybrid.replace("\r\n ", "")
    with app.app_context():
        db.session.get(Edition, world["edition"]).format = EditionFormat.IN_PERSON
        db.session.get(Edition, world["edition"]).touch(NOW)
        db.session.commit()
    in_person = client.get(feed_path(client, world, "gov")).get_data(as_text=True)
    assert "SUMMARY:Opening plenary" in in_person and "stream.example.org" not in in_person
    le = client.get(feed_path(client, world, "le")).get_data(as_text=True).replace("\r\n ", "")
    assert "Secret agenda item." in le and "closed-link" not in le  # details, but no link


def test_feed_address_is_separate_hashed_and_reset_retires_it(app, client, world):
    old = feed_path(client, world, "gov")
    token = old.removeprefix("/feeds/").removesuffix(".ics")
    assert len(token) >= 43 and token not in world["tokens"].values()
    assert feed_path(client, world, "gov") == old  # stable between visits
    with app.app_context():
        stored = db.session.scalar(sa.select(PersonalFeed))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (stored.nonce, stored.token_hash)
    assert client.get(f"/manage-registration/{token}").status_code == 404  # grants nothing else
    assert client.get(old).status_code == 200
    page = client.post(f"/manage-registration/{world['tokens']['gov']}/calendar/reset",
                       follow_redirects=True).get_data(as_text=True)
    assert "the old one no longer works" in page
    new = FEED_URL.search(page).group(1)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


@pytest.mark.parametrize("path", ["/feeds/not-a-token.ics", "/feeds/" + "x" * 200 + ".ics"])
def test_unknown_tokens_404(client, world, path):
    assert client.get(path).status_code == 404


def test_feed_of_a_draft_edition_404(app, client, world):
    path = feed_path(client, world, "gov")
    with app.app_context():
        db.session.get(Edition, world["edition"]).status = EditionStatus.DRAFT
        db.session.commit()
    assert client.get(path).status_code == 404


def test_feed_of_a_registration_that_is_not_approved_404(app, client, world):
    path = feed_path(client, world, "gov")
    with app.app_context():
        service.cancel(db.session.get(Registration, world["gov"]), now=NOW, site=MAIL_SITE)
        db.session.commit()
    assert client.get(path).status_code == 404
    with app.app_context():
        pending = service.register(db.session.get(Edition, world["edition"]), person(3),
                                   category_id=registration_category(db.session.get(
                                       Edition, world["edition"])).id, consent=True, now=NOW,
                                   site=MAIL_SITE)
        token = manage_token(pending, NOW)
        db.session.commit()
    page = client.get(f"/manage-registration/{token}").get_data(as_text=True)
    assert "/feeds/" not in page and "Your agenda" not in page


def test_erasure_removes_the_feed_and_the_agenda(app, client, world):
    change_agenda(client, world, "gov", "plenary")
    path = feed_path(client, world, "gov")
    client.post(f"/manage-registration/{world['tokens']['gov']}/erase")
    assert client.get(path).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PersonalFeed.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(AgendaChoice.id))) == 0


def test_conditional_requests_gzip_and_head(app, client, world):
    change_agenda(client, world, "gov", "plenary")
    path = feed_path(client, world, "gov")
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(path).headers["ETag"] == etag  # unchanged: same bytes, same tag
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    head = client.head(path)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag
    change_agenda(client, world, "gov", "plenary", action="remove")
    after_removal = client.get(path, headers={"If-None-Match": etag})
    assert after_removal.status_code == 200 and b"Opening plenary" not in after_removal.data
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 200
    change_agenda(client, world, "gov", "plenary")
    etag = client.get(path).headers["ETag"]
    with app.app_context():  # an edit of the edition's agenda moves the tag too
        session = db.session.get(Session, world["plenary"])
        session.title = "Opening plenary (new title)"
        session.edition.touch(NOW)
        db.session.commit()
    edited = client.get(path, headers={"If-None-Match": etag})
    assert edited.status_code == 200 and b"(new title)" in edited.data


def test_manage_page_advertises_the_feed(client, world):
    path = feed_path(client, world, "gov")
    page = client.get(f"/manage-registration/{world['tokens']['gov']}").get_data(as_text=True)
    assert (f'<link rel="alternate" type="text/calendar" title="Global Meeting on AI for Law '
            f'Enforcement 2027 — My agenda" href="http://localhost{path}">') in page
    assert f'href="webcal://localhost{path}"' in page
    assert "Add to Google Calendar" in page


@pytest.fixture
def rate_limited(app_config):
    app_config["RATELIMIT_ENABLED"] = True


def test_guessing_is_rate_limited_but_polling_is_not(rate_limited, client, world):
    path = feed_path(client, world, "gov")
    assert all(client.get(path).status_code == 200 for _ in range(35))
    answers = [client.get(f"/feeds/guess-{i}.ics").status_code for i in range(31)]
    assert answers[:30] == [404] * 30 and answers[30] == 429


def test_personal_feeds_pass_icalcheck(app, client, world, tmp_path):
    choose_workshop(app, world["le"], world["workshop"])
    choose_then_close(app, world["gov"], world["closed_workshop"])
    for who, session in (("le", "closed"), ("le", "plenary"), ("gov", "plenary")):
        change_agenda(client, world, who, session)
    files = []
    for who in ("le", "gov"):
        files.append(tmp_path / f"{who}.ics")
        files[-1].write_bytes(client.get(feed_path(client, world, who)).data)
    icalcheck(*files)
