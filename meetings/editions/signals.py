"""What the editions feature announces to the features built on it (agenda and registration
listen).

Editions sit below registration: deleting an edition must not import what hangs off it, so it
asks through these signals and the receivers act within the same transaction.
"""

from blinker import Namespace

edition_signals = Namespace()

# sender: the Edition. Receivers return a dict of {what: how many} that deleting it removes
# (shown on the confirmation page before anything happens; reads only).
counting_contents = edition_signals.signal("edition-counting-contents")

# sender: the Edition. Receivers return how many people an email saying the edition is
# cancelled would reach, should the organizer choose to send it when deleting (reads only).
counting_registrants = edition_signals.signal("edition-counting-registrants")

# sender: the Edition, about to be deleted; kwargs tell_registrants (the organizer chose to email
# them that it is cancelled), now and site (the MailSite that email links to). Receivers queue
# that email first, in the same transaction and tied to nothing the deletion removes, then remove
# what they own, and what nothing could reach once it is gone (the mail about its registrations).
deleting = edition_signals.signal("edition-deleting")

# sender: the new Edition, just copied (flushed); kwargs source (the Edition copied), shift (the
# timedelta its days moved by) and now. Receivers copy what they own (registration: settings,
# categories, questions, privacy notice), moving their dates by `shift`.
copied = edition_signals.signal("edition-copied")

# sender: the Edition whose time zone changed (already saved); kwargs old_zone, keep_local_times
# and now. With keep_local_times the agenda moves each session's instants so its local
# wall-clock time stays, and marks it changed (feeds' SEQUENCE, the attendees' change digest).
timezone_changed = edition_signals.signal("edition-timezone-changed")
