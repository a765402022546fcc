"""What registration announces to the features built on it (attendance listens).

Registration sits below attendance: it never imports it, it sends these signals and the
receivers (connected in meetings/attendance/receivers.py) act within the same transaction.
"""

from blinker import Namespace

registration_signals = Namespace()

# sender: the Registration; keywords `now` and `site` (the MailSite for any mail a receiver
# queues). Its seat is being given up (cancelled, rejected, erased): free whatever else it holds,
# under the edition lock the sender already took.
leaving = registration_signals.signal("registration-leaving")

# sender: the Registration. Its personal data is being erased: drop everything personal that
# hangs off it.
erasing = registration_signals.signal("registration-erasing")

# sender: the Edition. Its registrations are being purged after the retention period: drop the
# personal data kept about its people apart from any registration (delegations' focal points).
# Receivers return the tables they deleted from, which the purge rewrites (VACUUM FULL).
purging = registration_signals.signal("edition-purging")

# sender: the Registration; keyword `token`. The self-service page is being drawn: receivers
# return a dict of extra template context (reads only).
manage_page = registration_signals.signal("registration-manage-page")

# sender: the Registration. "Download my data" is being built: receivers return a list of
# personal_data.Section, one per table of theirs that refers to the registration (reads only).
personal_data = registration_signals.signal("registration-personal-data")

# sender: the edition id. The dashboard is being drawn: receivers return a list of
# (workshop title, confirmed places, capacity or None, waiting) in agenda order (reads only).
workshop_occupancy = registration_signals.signal("registration-workshop-occupancy")

# sender: the edition id. An export is being built: receivers return a dict
# {registration id: ["workshop title (waiting)", …]} (reads only).
workshop_choices = registration_signals.signal("registration-workshop-choices")
