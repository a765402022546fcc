"""The words in the feeds: calendar names, descriptions and labels, translated.

Feeds are built once and served to everyone, so the caller picks one language for them
(`flask_babel.force_locale`) rather than the language of whoever asked first.
"""

from meetings.dates import city_of
from meetings.i18n import gettext as _
from meetings.i18n import ngettext
from meetings.ical import CalendarInfo, Labels
from meetings.models import Edition, SessionType, SpeakerRole, Track


def feed_labels() -> Labels:
    """The exporters' labels in the current language."""
    return Labels(
        closed_session=_("Closed session"),
        cancelled=_("This session is cancelled."),
        cancelled_short=_("Cancelled"),
        no_room=_("Room to be announced"),
        track=_("Track"),
        speakers=_("Speakers"),
        online=_("Join online"),
        # {city} is replaced by the venue's city, e.g. "Amsterdam time".
        zone_time=_("{city} time"),
        session_types={
            SessionType.KEYNOTE.value: _("Keynote"),
            SessionType.PLENARY.value: _("Plenary"),
            SessionType.PANEL.value: _("Panel"),
            SessionType.WORKSHOP.value: _("Workshop"),
            SessionType.SIDE_EVENT.value: _("Side event"),
            SessionType.BREAK.value: _("Break"),
            SessionType.NETWORKING.value: _("Networking"),
        },
        roles={
            SpeakerRole.MODERATOR.value: _("moderator"),
            SpeakerRole.PANELLIST.value: _("panellist"),
        },
    )


def when_and_where(edition: Edition) -> str:
    """'2027-03-28 – 2027-03-29, The Hague': ISO dates read the same in every language."""
    place = edition.venue.city if edition.venue and edition.venue.city else city_of(
        edition.timezone)
    return f"{edition.starts_on.isoformat()} – {edition.ends_on.isoformat()}, {place}"


def times_note() -> str:
    return _("Times follow your calendar's time zone; each description also gives the local "
             "time at the venue.")


def agenda_info(edition: Edition, url: str) -> CalendarInfo:
    """Name and description of an edition's agenda feed."""
    return CalendarInfo(
        name=_("%(title)s — Agenda", title=edition.title),
        description=_("Every session of %(title)s (%(when)s).", title=edition.title,
                      when=when_and_where(edition)) + " " + times_note(),
        url=url,
    )


def track_info(edition: Edition, track: Track, url: str, withheld: int = 0) -> CalendarInfo:
    """Name and description of one track's feed; `withheld` closed sessions are not in it."""
    description = _("The %(track)s sessions of %(title)s (%(when)s).", track=track.name,
                    title=edition.title, when=when_and_where(edition)) + " " + times_note()
    if withheld:
        description += " " + ngettext(
            "%(num)d closed session of this track is not listed: its details are for "
            "registered participants.",
            "%(num)d closed sessions of this track are not listed: their details are for "
            "registered participants.", withheld)
    return CalendarInfo(name=_("%(title)s — %(track)s", title=edition.title, track=track.name),
                        description=description, url=url)


def session_info(edition: Edition, title: str, url: str) -> CalendarInfo:
    """Name and description of a single-session download."""
    return CalendarInfo(
        name=_("%(title)s — %(session)s", title=edition.title, session=title),
        description=_("One session of %(title)s (%(when)s).", title=edition.title,
                      when=when_and_where(edition)) + " " + times_note(),
        url=url,
    )


def editions_info(url: str) -> CalendarInfo:
    """Name and description of the feed of every edition."""
    return CalendarInfo(
        name=_("Global Meeting on AI for Law Enforcement — Editions"),
        description=_("The dates and places of every edition of the Global Meeting on AI for "
                      "Law Enforcement."),
        url=url,
    )


def organizer_info(url: str) -> CalendarInfo:
    """Name and description of an organizer's private feed."""
    return CalendarInfo(
        name=_("Global Meeting on AI for Law Enforcement — Organizer"),
        description=_("Every session of the editions you organize, closed sessions and online "
                      "links included. This address is personal: do not share it."),
        url=url,
    )
