"""A keyboard-only pass over the public agenda: skip link, filters, every session, no trap."""

from datetime import UTC, date, datetime

import pytest

from meetings.extensions import db
from meetings.models import SessionAccess, SessionStatus
from tests.factories import make_edition, make_session, make_speaker, make_track, make_venue

pytestmark = pytest.mark.browser

SLUG = "keyboard"
PRESSES = 200
# What the page reports about the focused element after each key press.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
          href: el.getAttribute("href"), text: (el.innerText || el.value || "").trim(),
          outline: style.outlineStyle === "none" || style.outlineWidth === "0px"
            ? "none" : style.outlineStyle,
          shadow: style.boxShadow, width: box.width, height: box.height,
          inView: box.bottom > 0 && box.top < innerHeight
            && box.right > 0 && box.left < innerWidth};
}"""


@pytest.fixture
def agenda(app) -> dict:
    """A published edition with two tracks and four sessions, one closed and one cancelled."""
    with app.app_context():
        venue = make_venue()
        edition = make_edition(slug=SLUG, starts_on=date(2030, 6, 3), venue=venue)
        policy, tech = make_track(edition, "Policy"), make_track(edition, "Technology", "#2e7d32")
        speaker = make_speaker(edition)
        hall, room_b = venue.rooms
        rows = [
            ("Opening keynote", datetime(2030, 6, 3, 7, 0), hall, policy, {}),
            ("Workshop on evidence", datetime(2030, 6, 3, 9, 0), room_b, tech, {}),
            ("Closed briefing", datetime(2030, 6, 3, 9, 0), hall, policy,
             {"access": SessionAccess.CLOSED}),
            ("Cancelled panel", datetime(2030, 6, 4, 8, 0), hall, tech,
             {"status": SessionStatus.CANCELLED}),
        ]
        for title, start, room, track, fields in rows:
            make_session(edition, title, starts_at=start.replace(tzinfo=UTC), room=room,
                         track=track, speakers=[speaker], **fields)
        db.session.commit()
        # What a visitor sees: the closed session as "Closed session", and no track filter
        # finds it (agenda/visibility.py).
        return {"titles": ["Opening keynote", "Workshop on evidence", "Closed session",
                           "Cancelled panel"],
                "policy": ["Opening keynote"]}


def tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def identity(focused: dict) -> tuple:
    return focused["tag"], focused["id"], focused["cls"], focused["href"], focused["text"]


def has_focus_indicator(focused: dict) -> bool:
    return focused["outline"] != "none" or focused["shadow"] not in ("none", "")


def test_skip_link_then_filters_with_the_keyboard(page, live_url, agenda):
    page.goto(f"{live_url}/{SLUG}/agenda")
    first = tab(page)
    assert first["cls"] == "skip-link" and first["text"] == "Skip to content"
    assert first["inView"] and has_focus_indicator(first)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    for _ in range(30):
        focused = tab(page)
        assert focused["tag"] != "body", "the filters were not reached from main"
        if focused["id"] == "filter-track":
            break
    assert has_focus_indicator(focused)
    page.keyboard.press("ArrowDown")  # "All tracks" → the first track, Policy
    assert tab(page)["id"] == "filter-type"
    button = tab(page)
    assert button["text"] == "Filter" and has_focus_indicator(button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "track=policy" in page.url
    titles = page.locator("article.agenda-session h3").all_inner_texts()
    assert titles == agenda["policy"]
    assert "Policy" in page.get_by_role("status").filter(has_text="Showing only").inner_text()


def test_tabbing_reaches_every_session_with_visible_focus_and_no_trap(page, live_url, agenda):
    page.goto(f"{live_url}/{SLUG}/agenda")
    sessions = page.locator("article.agenda-session h3 a")
    hrefs = [sessions.nth(i).get_attribute("href") for i in range(sessions.count())]
    assert sessions.all_inner_texts() == agenda["titles"]

    stops = [tab(page) for _ in range(PRESSES)]
    elements = [s for s in stops if s["tag"] != "body"]
    for focused in elements:
        assert has_focus_indicator(focused), f"no visible focus on {focused}"
        assert focused["width"] > 1 and focused["height"] > 1, f"invisible stop {focused}"
        assert focused["inView"], f"focused element off screen: {focused}"
    for before, after in zip(stops, stops[1:], strict=False):
        assert before["tag"] == "body" or identity(before) != identity(after), \
            f"focus stuck on {before}"

    cycle_ends = [i for i, s in enumerate(stops) if s["cls"] == "skip-link"]
    assert cycle_ends[0] == 0 and len(cycle_ends) >= 2, "tabbing never came back to the top"
    cycle = stops[:cycle_ends[1]]
    reached = [s["href"] for s in cycle if s["href"] in hrefs]
    assert reached == hrefs, "session links out of order or not reachable"
    ids = [s["id"] for s in cycle]
    assert ids.index("filter-track") < ids.index("filter-type") < cycle.index(
        next(s for s in cycle if s["href"] == hrefs[0]))
    again = stops[cycle_ends[1]:cycle_ends[1] + len(cycle)]
    assert [identity(s) for s in again] == [identity(s) for s in cycle[:len(again)]]
