"""The registration blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("registration", __name__)

# Where an edition's registration back office lives (manage_views and configuration_views).
MANAGE_PREFIX = "/manage/editions/<int:edition_id>/registrations"
