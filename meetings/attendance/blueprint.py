"""The attendance blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("attendance", __name__)
