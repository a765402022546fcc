"""A sweep over every rule of app.url_map, with real ids from a populated database.

Safe methods (GET, HEAD, OPTIONS) write nothing, even for an administrator; every POST needs its
own CSRF token; every /manage page sends anonymous visitors to the login page; control characters
and ids no row can have (beyond 64 bits, or 32 on PostgreSQL) are answered 4xx, never 500.
Routes added later are covered without touching this file: URL arguments come from a table of
known names, and an unknown name fails the sweep.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from meetings.accounts.links import issue_link
from meetings.accounts.models import TokenPurpose
from meetings.attendance import agenda_choices, feed_tokens, workshops
from meetings.attendance.views import feed_key
from meetings.checkin.staff import create_staff
from meetings.delegations import service as delegations
from meetings.extensions import csrf, db
from meetings.feeds import service as feeds_service
from meetings.mail.models import OutboxMessage
from meetings.models import SessionType, User
from meetings.registration import configuration, service
from meetings.registration.models import (
    OrganizationKind,
    QuestionKind,
    RegistrationCategory,
    RegistrationMode,
)
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import (
    MAIL_SITE,
    make_edition,
    make_session,
    make_speaker,
    make_track,
    make_user,
    make_venue,
    manage_token,
)

NOW = datetime.now(UTC)
ROOT = Path(__file__).resolve().parents[1]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Views marked @csrf.exempt, by "module.function". A new exemption must be added here.
# The check-in scan upload is authenticated by its Authorization header, never by a cookie.
CSRF_EXEMPT: set[str] = {"meetings.checkin.api_views.upload_scans"}
# Tables a read may write. feed_cache holds rendered calendar bodies shared by the workers: a
# cache of what the other tables say, rebuilt from them at will, never a change of state.
# event_stamp: each event's SEQUENCE and LAST-MODIFIED as calendars last saw them, moved by the
# build that first shows a changed event (committed with feed_cache, the same exception).
WRITTEN_ON_READ = {"feed_cache", "event_stamp"}
# Audit entries a read may add: who downloaded attendees' personal data is itself a record the
# operator owes (accountability for personal data), not a change to the event.
AUDITED_READS = {"registration.export"}
BAD_IDS = (2**31, 2**63, 2**64, 10**30, -1)
BAD_TEXT = ("a\x00b", "\x00", "a\x01b")


@dataclass
class World:
    """Ids and secrets of the populated database, by the URL argument names that use them."""

    ids: dict[str, int]
    slug: str
    track_slug: str
    tokens: dict[str, str]  # by the path prefix of the routes that take them


def build_world(app) -> World:
    """An edition with venue, rooms, track, speaker, sessions, registration set up and used."""
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        venue = make_venue()
        edition = make_edition(venue=venue)
        make_edition(slug="2026-draft", ordinal=4, title="A draft edition")
        track = make_track(edition)
        speaker = make_speaker(edition)
        keynote = make_session(edition, room=venue.rooms[0], track=track, speakers=[speaker])
        workshop = make_session(edition, title="Workshop", type=SessionType.WORKSHOP, capacity=10,
                                room=venue.rooms[1],
                                starts_at=datetime(2027, 3, 28, 12, 0, tzinfo=UTC))
        configuration.set_up(edition, now=NOW)
        configuration.update_settings(edition, opens_at=NOW - timedelta(days=1),
                              closes_at=NOW + timedelta(days=30), capacity=100,
                              mode=RegistrationMode.OPEN, auto_promote=True,
                              privacy_notice="We keep your data safe.", now=NOW, site=MAIL_SITE)
        question = configuration.add_question(edition, label="Dietary needs",
                                      kind=QuestionKind.SHORT_TEXT, choices_text="",
                                      required=False)
        invitation = configuration.invite(edition, ["guest@example.org"], now=NOW,
                                          site=MAIL_SITE)[0]
        category = db.session.scalar(sa.select(RegistrationCategory).where(
            RegistrationCategory.edition_id == edition.id,
            RegistrationCategory.code == "government"))
        registrations = [register(edition, category, n) for n in (1, 2)]
        invitee, forgetful = (make_user(email=f"{name}@example.org") for name in ("new", "lost"))
        delegation = delegations.add_delegation(edition, name="Kenya Police Service",
                                                kind=OrganizationKind.POLICE, country="KE",
                                                quota=5)
        focal_point, focal_point_token = delegations.invite_focal_point(
            delegation, email="focal@example.org", name="Focal Point", now=NOW)
        approved = registrations[0]
        workshops.choose(approved, workshop, now=NOW)
        agenda_choices.add_to_agenda(approved, keynote, now=NOW)
        world = World(
            ids={"edition_id": edition.id, "session_id": keynote.id, "track_id": track.id,
                 "speaker_id": speaker.id, "venue_id": venue.id, "room_id": venue.rooms[0].id,
                 "user_id": admin.id, "registration_id": approved.id,
                 "category_id": category.id, "question_id": question.id,
                 "invitation_id": invitation.id, "delegation_id": delegation.id,
                 "focal_point_id": focal_point.id,
                 "request_id": 1,  # a visa request (none here: visas are tested on their own)
                 "message_id": db.session.scalar(sa.select(sa.func.min(OutboxMessage.id)))},
            slug=edition.slug, track_slug=track.slug,
            tokens={
                # The second attendee has never opened the page: no feed address yet.
                "/manage-registration/": manage_token(registrations[1], NOW),
                "/feeds/organizer/": feeds_service.reset_feed_token(admin),
                "/feeds/": feed_tokens.feed_token(approved, feed_key(), NOW),
                "/invitation/": link_token(invitee, TokenPurpose.INVITATION),
                "/password/reset/": link_token(forgetful, TokenPurpose.PASSWORD_RESET),
                "/checkin/device/": create_staff(edition, "Door A", now=NOW)[1],
                "/delegations/accept/": focal_point_token,
            })
        db.session.commit()
    return world


def register(edition, category, n: int):
    registration = service.register(
        edition, service.Registrant(given_name=f"Given{n}", family_name=f"Family{n}",
                                    email=f"p{n}@example.org", organization="Police",
                                    country="NL"),
        category_id=category.id, consent=True, now=NOW, site=MAIL_SITE)
    service.verify(registration, now=NOW, site=MAIL_SITE)
    return registration


def link_token(user: User, purpose: TokenPurpose) -> str:
    return issue_link(user, purpose, now=NOW, site_url="http://localhost").rsplit("/", 1)[1]


# URL arguments ---------------------------------------------------------------------------------

def token_for(rule: Rule, world: World) -> str:
    """A <token> is a different secret under each prefix (the longest prefix wins)."""
    for prefix in sorted(world.tokens, key=len, reverse=True):
        if rule.rule.startswith(prefix):
            return world.tokens[prefix]
    pytest.fail(f"{rule.rule}: no known token for this path; add one to World.tokens")


def argument_values(rule: Rule, name: str, world: World) -> list:
    """Every real value of one URL argument: all items of an any(), else one."""
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    if isinstance(converter, IntegerConverter):
        if name not in world.ids:
            pytest.fail(f"{rule.rule}: unknown int argument <{name}>; add it to World.ids")
        return [world.ids[name]]
    known = {"slug": world.slug, "track_slug": world.track_slug, "filename": "favicon.svg",
             "reference": "1-AAAA-AAAA-AAAA-AAAA"}
    if name == "token":
        return [token_for(rule, world)]
    if name not in known:
        pytest.fail(f"{rule.rule}: unknown argument <{name}>; add it to the sweep's table")
    return [known[name]]


def argument_sets(rule: Rule, world: World) -> list[dict]:
    sets = [{}]
    for name in sorted(rule.arguments):
        sets = [{**values, name: value} for values in sets
                for value in argument_values(rule, name, world)]
    return sets


def build_exact(rule: Rule, values: dict) -> str:
    """The rule's own path for these values (two rules may share an endpoint)."""
    _, path = rule.build(values, append_unknown=False)
    return path


# The database ----------------------------------------------------------------------------------

def dump(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            if table.name in WRITTEN_ON_READ:
                continue
            query = sa.select(table).order_by(*table.primary_key.columns)
            if table.name == "audit_entry":
                query = query.where(table.c.action.not_in(AUDITED_READS))
            rows[table.name] = [tuple(row) for row in db.session.execute(query)]
        db.session.remove()
        return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def csrf_token_of(client) -> str:
    """A valid CSRF token of this client's session, from the login form."""
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)


def fetch(client, url: str, method: str = "GET", **options):
    """The response, read and closed (a static file would stay open otherwise)."""
    response = client.open(url, method=method, **options)
    response.get_data()
    response.close()
    return response


# The sweep -------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def server_errors_answered(app):
    """Answer a server error with the 500 page, as deployed, so the sweep reports every route."""
    app.config["PROPAGATE_EXCEPTIONS"] = False


def test_every_argument_name_is_known(app, client):
    urls = [url for _, url in Sweep(app, client).urls()]
    assert len(urls) > 70 and all("<" not in url for url in urls)


class Sweep:
    """Requests of one client; after a request that changed a table, a fresh database."""

    def __init__(self, app, client, log_in=None):
        self.app, self.client, self.log_in = app, client, log_in
        self.world = self.populate()
        self.rows = dump(app)

    def populate(self) -> World:
        with self.app.app_context():
            make_user(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, is_admin=True)
            db.session.commit()
        world = build_world(self.app)
        if self.log_in:
            self.log_in(self.client)
        return world

    def request(self, url: str, method: str, **options):
        """The response and the tables the request changed (then the database is rebuilt)."""
        response = fetch(self.client, url, method, **options)
        rows = dump(self.app)
        tables = changed_tables(self.rows, rows)
        if tables:
            self.reset()
        return response, tables

    def reset(self) -> None:
        with self.app.app_context():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
        self.world = self.populate()
        self.rows = dump(self.app)

    def urls(self, methods=None):
        """(rule, url) for every rule with one of the methods, with the current world's ids."""
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
            if methods and not set(methods) & rule.methods:
                continue
            for values in argument_sets(rule, self.world):
                yield rule, build_exact(rule, values)


def log_in(client) -> None:
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("logged_in", [True, False], ids=["administrator", "visitor"])
def test_safe_methods_change_nothing(app, client, logged_in):
    sweep, problems = Sweep(app, client, log_in if logged_in else None), []
    for rule, url in sweep.urls(SAFE_METHODS):
        for method in sorted(SAFE_METHODS & rule.methods):
            response, tables = sweep.request(url, method)
            status = response.status_code
            if tables or status >= 500:
                problems.append(f"{method} {url} -> {status}, changed {tables}")
    assert not problems, "\n".join(problems)


def log_in_with_token(client) -> None:
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                                           "csrf_token": csrf_token_of(client)})
    assert response.status_code == 302


def test_csrf_exemptions_are_the_listed_ones(app):
    exempt = set(csrf._exempt_views) | {bp.name for bp in csrf._exempt_blueprints}
    assert exempt == CSRF_EXEMPT


def test_every_post_needs_its_own_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True  # read on every request and form
    sweep, problems = Sweep(app, client, log_in_with_token), []
    foreign = csrf_token_of(app.test_client())
    for rule, url in sweep.urls(["POST"]):
        if view_name(app, rule) in CSRF_EXEMPT:
            continue
        for data in ({}, {"csrf_token": foreign}):
            response, tables = sweep.request(url, "POST", data=data)
            status = response.status_code
            if status != 400 or tables:
                problems.append(f"POST {url} {sorted(data)} -> {status}, changed {tables}")
    assert not problems, "\n".join(problems)


def view_name(app, rule: Rule) -> str:
    view = app.view_functions[rule.endpoint]
    return f"{view.__module__}.{view.__name__}"


def test_every_manage_page_sends_visitors_to_login(app, client):
    sweep, problems, count = Sweep(app, client), [], 0
    for rule, url in sweep.urls(["GET", "POST"]):
        if not rule.rule.startswith("/manage/"):
            continue
        for method in sorted({"GET", "POST"} & rule.methods):
            count += 1
            response, tables = sweep.request(url, method)
            location = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != 302 or location != "/login" or tables:
                problems.append(f"{method} {url} -> {response.status_code} {location} {tables}")
    assert count > 40 and not problems, "\n".join(problems)


def bad_urls(app, world: World):
    """(method, url) with each int argument oversized or negative and each string one with NUL."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        good = argument_sets(rule, world)[0]
        for name, converter in rule._converters.items():
            bad = BAD_IDS if isinstance(converter, IntegerConverter) else BAD_TEXT
            for value in bad:
                url = build_unchecked(rule, {**good, name: value})
                for method in sorted({"GET", "POST"} & rule.methods):
                    yield method, url


def build_unchecked(rule: Rule, values: dict) -> str:
    """The rule's path with these values, even those its converters would refuse to build."""
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(str(value), safe=""), path)
    return path


def is_friendly_client_error(response) -> bool:
    return 400 <= response.status_code < 500 and "Go to the home page" in response.text


def test_nul_bytes_and_oversized_ids_in_urls_are_client_errors(app, client):
    sweep, problems, count = Sweep(app, client, log_in), [], 0
    for method, url in bad_urls(app, sweep.world):
        count += 1
        response = fetch(client, url, method)
        if not is_friendly_client_error(response):
            problems.append(f"{method} {url} -> {response.status_code}")
    assert count > 150 and not problems, "\n".join(problems)
    assert changed_tables(sweep.rows, dump(app)) == []  # once: refused requests reach no view


@pytest.mark.parametrize("field", [{"title": "a\x00b"}, {"x\x00": "1"}, {"note": "a\x1bb"}])
def test_control_characters_in_any_form_field_are_refused(app, client, field):
    sweep, problems = Sweep(app, client, log_in), []
    for _, url in sweep.urls(["POST"]):
        response, tables = sweep.request(url, "POST", data=field)
        if response.status_code != 400 or not is_friendly_client_error(response) or tables:
            problems.append(f"POST {url} -> {response.status_code} {tables}")
    assert not problems, "\n".join(problems)


def test_a_nul_in_a_registration_is_refused_and_stores_nothing(app, client):
    sweep = Sweep(app, client)
    data = {"given_name": "Ada", "family_name": "Love\x00lace", "email": "ada@example.org",
            "organization": "INTERPOL", "job_title": "Analyst", "country": "FR",
            "category": str(sweep.world.ids["category_id"]), "language": "en", "consent": "y"}
    response, tables = sweep.request(f"/{sweep.world.slug}/register", "POST", data=data)
    assert response.status_code == 400 and tables == []  # PostgreSQL answered 500
    response, tables = sweep.request(f"/{sweep.world.slug}/register", "POST",
                                     data={**data, "family_name": "Lovelace"})
    assert response.status_code == 302 and "registration" in tables


def test_bulk_decisions_skip_ids_that_are_not_ids(app, client):
    sweep = Sweep(app, client, log_in)
    ids = ["²", str(2**63), str(2**31), str(sweep.world.ids["registration_id"])]
    response, _ = sweep.request(
        f"/manage/editions/{sweep.world.ids['edition_id']}/registrations/bulk", "POST",
        data={"action": "approve", "ids": ids})
    assert response.status_code == 302  # "²".isdigit() is true, int("²") a ValueError: 500


def test_tabs_and_line_breaks_in_form_fields_pass(app, client):
    response = client.post("/login", data={"email": "a\tb\r\nc", "password": "x"})
    assert response.status_code == 200 and 'name="password"' in response.text  # the form again


def query_names() -> set[str]:
    """Every query-string argument a view reads (request.args.get("name") in the sources)."""
    names = set()
    for path in (ROOT / "meetings").rglob("*.py"):
        names |= set(re.findall(r"request\.args(?:\.get\(|\[)\"(\w+)\"", path.read_text()))
    return names


ODD_QUERY_VALUES = ["1\x00", str(2**31), str(2**63), str(10**20), "-1", "²"]


@pytest.mark.parametrize("value", ODD_QUERY_VALUES)
def test_odd_query_strings_are_never_server_errors(app, client, value):
    names = query_names()
    assert {"track", "category", "edition", "day", "room", "page"} <= names
    sweep, problems = Sweep(app, client, log_in), []
    for _, url in sweep.urls(["GET"]):
        response = fetch(client, url, query_string=dict.fromkeys(names, value))
        if "\x00" in value:
            wrong = not is_friendly_client_error(response)
        else:
            wrong = response.status_code >= 500
        if wrong:
            problems.append(f"GET {url} -> {response.status_code}")
    assert not problems, "\n".join(problems)
    assert changed_tables(sweep.rows, dump(app)) == []  # GETs: the first test says which
