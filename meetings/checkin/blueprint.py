"""The check-in blueprint; the view modules add their pages and API routes to it."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)
