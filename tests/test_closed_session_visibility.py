"""A closed session shows only its time, room and "Closed session" to anyone not entitled.

Every field of one closed session holds a canary string; every public URL of the app (taken from
`app.url_map`, so routes added later are crawled too), with every track and type filter, HEAD and
error pages, and every page, feed and export of an approved attendee who is not law enforcement
must hold none of them. A law-enforcement attendee still sees the session, so the crawl is not
vacuous.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from werkzeug.routing import Rule

from meetings.agenda.visibility import ORGANIZER, PUBLIC, Viewer, public_view
from meetings.attendance import agenda_choices, feed_tokens
from meetings.attendance.models import AgendaChoice
from meetings.attendance.views import feed_key
from meetings.extensions import db
from meetings.models import (
    EditionFormat,
    Room,
    Session,
    SessionAccess,
    SessionSpeaker,
    SessionType,
    Speaker,
    Track,
    User,
)
from meetings.registration import service
from meetings.registration.models import RegistrationStatus
from tests.factories import (
    MAIL_SITE,
    make_edition,
    make_session,
    make_speaker,
    make_track,
    make_user,
    make_venue,
    manage_token,
    open_registration,
    registration_category,
)

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
TITLE = "Canary title Quokka"
CANARIES = (
    TITLE,
    "Canary abstract Wombat",
    "Canary speaker Numbat",
    "Canary bio Dingo",
    "Canary organization Bilby",
    "Canary job title Echidna",
    "canary-link.example",
    "Canary track Platypus",
    ">4817<",  # the seat count, as a page would show it
    "Russian",  # the closed session's language, no other session's
)
# Paths that are not public: sign-in, accounts, the organizer's pages and feed, static files.
PRIVATE_PREFIXES = ("/manage/", "/login", "/logout", "/account", "/password", "/invitation",
                    "/feeds/organizer/", "/static/",
                    "/delegations/")  # focal points, signed in; nothing of the agenda


@dataclass
class World:
    slug: str
    closed_id: int
    session_ids: list[int]
    track_slugs: list[str]
    types: list[str]
    tokens: dict[str, dict[str, str]]  # attendee -> path prefix -> token


def register(edition, code: str, n: int, admin: User):
    person = service.Registrant(given_name=f"Given{n}", family_name=f"Family{n}",
                                email=f"p{n}@example.org", organization="Police",
                                country="NL")
    registration = service.register(edition, person, category_id=registration_category(
        edition, code).id, consent=True, now=NOW, site=MAIL_SITE)
    service.verify(registration, now=NOW, site=MAIL_SITE)
    service.approve(registration, admin, now=NOW, site=MAIL_SITE)
    assert registration.status == RegistrationStatus.APPROVED
    return registration


def build_world(app) -> World:
    with app.app_context():
        admin = make_user(email="admin@example.org", is_admin=True)
        venue = make_venue()
        edition = make_edition(venue=venue)
        edition.format = EditionFormat.HYBRID
        policy = make_track(edition)
        secret_track = make_track(edition, name="Canary track Platypus", colour="#aa0000")
        ada = make_speaker(edition)
        hidden = make_speaker(edition, name="Canary speaker Numbat",
                              organization="Canary organization Bilby")
        hidden.title, hidden.bio = "Canary job title Echidna", "Canary bio Dingo"
        keynote = make_session(edition, room=venue.rooms[0], track=policy, speakers=[ada],
                               online_url="https://public.example/join")
        closed = make_session(
            edition, title=TITLE, description="Canary abstract Wombat",
            starts_at=datetime(2027, 3, 28, 10, 0, tzinfo=UTC), room=venue.rooms[1],
            track=secret_track, speakers=[hidden, ada], type=SessionType.NETWORKING,
            access=SessionAccess.CLOSED, capacity=4817, language="ru",
            online_url="https://canary-link.example/join", chatham_house=True)
        open_registration(edition, now=NOW)
        attendee = register(edition, "government", 1, admin)
        officer = register(edition, "law_enforcement", 2, admin)
        agenda_choices.add_to_agenda(attendee, keynote, now=NOW)
        # Chosen while it was still public: it stays on the attendee's agenda, as "Closed session".
        db.session.add(AgendaChoice(registration_id=attendee.id, session_id=closed.id,
                                    created_at=NOW))
        agenda_choices.add_to_agenda(officer, closed, now=NOW)
        world = World(
            slug=edition.slug, closed_id=closed.id, session_ids=[keynote.id, closed.id],
            track_slugs=[policy.slug, secret_track.slug],
            types=[member.value for member in SessionType],
            tokens={
                name: {"/manage-registration/": manage_token(person, NOW),
                       "/feeds/": feed_tokens.feed_token(person, feed_key(), NOW)}
                for name, person in (("attendee", attendee), ("officer", officer))})
        db.session.commit()
    return world


def public_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.rule.startswith(PRIVATE_PREFIXES)]


def urls_of(rule: Rule, world: World, tokens_by_prefix: dict[str, str] | None) -> list[str]:
    """Every URL of the rule with the world's values; [] for token routes without tokens."""
    values = [{}]
    for name in sorted(rule.arguments):
        if name == "token":
            if tokens_by_prefix is None:
                return []
            prefix = max((p for p in tokens_by_prefix if rule.rule.startswith(p)), key=len,
                         default=None)
            if prefix is None:  # another holder's token (a door-staff device): not a person's
                return []
            choices = [tokens_by_prefix[prefix]]
        else:
            choices = {"slug": [world.slug], "session_id": [*world.session_ids, 999_999],
                       "track_slug": [*world.track_slugs, "no-such-track"],
                       "reference": ["1-AAAA-AAAA-AAAA-AAAA"]}[name]
        values = [{**known, name: choice} for known in values for choice in choices]
    return [rule.build(known, append_unknown=False)[1] for known in values]


def filter_urls(world: World) -> list[str]:
    agenda = f"/{world.slug}/agenda"
    return ([f"{agenda}?track={slug}" for slug in world.track_slugs]
            + [f"{agenda}?type={kind}" for kind in world.types]
            + [f"{agenda}?track={slug}&type={kind}" for slug in world.track_slugs
               for kind in world.types]
            + [f"/{world.slug}/no-such-page", "/no-such-edition/agenda",
               f"/{world.slug}/sessions/{world.closed_id}/nothing"])


def leaks(client, urls: list[str]) -> list[str]:
    """'<method> <url>: <canary>' for every canary found in a response, for GET and HEAD."""
    found = []
    for url in urls:
        for method in ("GET", "HEAD"):
            response = client.open(url, method=method)
            assert response.status_code < 500, url
            text = unfolded(response.get_data(as_text=True)) + str(response.headers)
            found += [f"{method} {url}: {canary}" for canary in CANARIES if canary in text]
    return found


def unfolded(text: str) -> str:
    """Text with iCalendar's folded lines joined, so a canary cannot hide across a fold."""
    return text.replace("\r\n ", "")


@pytest.fixture
def world(app) -> World:
    return build_world(app)


def test_no_public_url_shows_anything_of_a_closed_session(app, client, world):
    urls = [url for rule in public_rules(app) for url in urls_of(rule, world, None)]
    assert f"/{world.slug}/sessions/{world.closed_id}" in urls
    assert leaks(client, urls + filter_urls(world)) == []


def test_an_attendee_who_is_not_law_enforcement_sees_only_closed_session(app, client, world):
    own = world.tokens["attendee"]
    urls = [url for rule in public_rules(app) for url in urls_of(rule, world, own)
            if own["/manage-registration/"] in url or own["/feeds/"] in url]
    assert len(urls) >= 4  # manage page, participants, own data, personal feed
    assert leaks(client, urls) == []
    feed = client.get(f"/feeds/{own['/feeds/']}.ics").get_data(as_text=True)
    assert "Closed session" in feed


def test_filters_do_not_list_a_closed_session_by_its_track_or_type(client, world):
    link = f"/{world.slug}/sessions/{world.closed_id}\""
    agenda = f"/{world.slug}/agenda"
    assert link in client.get(agenda).get_data(as_text=True)
    for kind in world.types:
        assert link not in client.get(f"{agenda}?type={kind}").get_data(as_text=True), kind
        assert link not in client.get(f"{agenda}?track=policy&type={kind}").get_data(
            as_text=True), kind
    assert link not in client.get(f"{agenda}?track=policy").get_data(as_text=True)
    # The closed session's own track is no track at all to a visitor.
    unknown = client.get(f"{agenda}?track=no-such-track").get_data(as_text=True)
    assert client.get(f"{agenda}?track={world.track_slugs[1]}").get_data(as_text=True) == unknown
    assert client.get(f"/{world.slug}/tracks/{world.track_slugs[1]}.ics").status_code == 404


def test_the_speakers_page_does_not_say_who_speaks_in_a_closed_session(client, world):
    page = client.get(f"/{world.slug}/speakers").get_data(as_text=True)
    assert "Ada Lovelace" in page
    assert f"/sessions/{world.closed_id}\"" not in page


def test_a_law_enforcement_attendee_still_sees_the_closed_session(client, world):
    own = world.tokens["officer"]
    page = client.get(f"/manage-registration/{own['/manage-registration/']}")
    assert TITLE in page.get_data(as_text=True)
    feed = unfolded(client.get(f"/feeds/{own['/feeds/']}.ics").get_data(as_text=True))
    assert TITLE in feed and "Canary abstract Wombat" in feed


def test_the_closed_session_page_shows_its_time_and_room(client, world):
    for method in ("GET", "HEAD"):
        response = client.open(f"/{world.slug}/sessions/{world.closed_id}", method=method)
        assert response.status_code == 200
    page = client.get(f"/{world.slug}/sessions/{world.closed_id}").get_data(as_text=True)
    assert "<h1>Closed session</h1>" in page and "<title>Closed session — " in page
    assert "Room B" in page and "12:00" in page and "Add to calendar" in page


def test_the_public_view_of_a_closed_session_is_its_time_and_room():
    room, track = Room(name="Room B"), Track(name="Canary track Platypus")
    session = Session(
        id=7, uid="u-7", title=TITLE, description="Canary abstract Wombat", room=room,
        track=track, type=SessionType.NETWORKING, access=SessionAccess.CLOSED, language="ru",
        capacity=4817, chatham_house=True, online_url="https://canary-link.example/join",
        starts_at=datetime(2027, 3, 28, 10, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 28, 11, 0, tzinfo=UTC), sequence=0)
    session.speaker_links = [SessionSpeaker(speaker=Speaker(name="Canary speaker Numbat"))]
    shown = public_view(session, PUBLIC, "Closed session")
    assert (shown.title, shown.room, shown.starts_at, shown.withheld) == (
        "Closed session", room, session.starts_at, True)
    assert not any((shown.description, shown.description_text, shown.type, shown.track,
                    shown.language, shown.capacity, shown.chatham_house, shown.speaker_links,
                    shown.online_url))
    officer = public_view(session, Viewer(sees_closed=True))
    assert (officer.title, officer.track, officer.withheld) == (TITLE, track, False)
    assert officer.online_url == ""  # links only to those entitled to them
    assert public_view(session, ORGANIZER).online_url == session.online_url
