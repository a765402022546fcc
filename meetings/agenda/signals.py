"""What the agenda announces to the features built on it (attendance listens).

The agenda sits below attendance: it never imports it; receivers are connected in
meetings/attendance/receivers.py.
"""

from blinker import Namespace

agenda_signals = Namespace()

# sender: the Session (one the visitor may see in full). Its public page is being drawn:
# receivers return a dict of extra template context (reads only), e.g. the seats left.
session_page = agenda_signals.signal("agenda-session-page")

# sender: the Session an organizer is about to cancel. Receivers return how many people they
# would email about it (reads only); the confirmation page shows the sum.
session_audience = agenda_signals.signal("agenda-session-audience")
