"""What the editions feature announces to the features built on it (registration listens).

Editions sit below registration: deleting an edition must not import what hangs off it, so it
asks through these signals and the receivers act within the same transaction.
"""

from blinker import Namespace

edition_signals = Namespace()

# sender: the Edition. Receivers return a dict of {what: how many} that deleting it removes
# (shown on the confirmation page before anything happens; reads only).
counting_contents = edition_signals.signal("edition-counting-contents")

# sender: the Edition, about to be deleted. Receivers remove what they own first, and what
# nothing could reach once it is gone (the mail about its registrations).
deleting = edition_signals.signal("edition-deleting")
