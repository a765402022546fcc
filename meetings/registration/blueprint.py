"""The registration blueprint; the view modules add their pages to it."""

from flask import Blueprint

from meetings.registration.status_labels import status_label

bp = Blueprint("registration", __name__)
# Pages name a status with the same words as the exports (templates/registration/_status.html).
bp.add_app_template_filter(status_label, "registration_status")

# Where an edition's registration back office lives (manage_views and configuration_views).
MANAGE_PREFIX = "/manage/editions/<int:edition_id>/registrations"
