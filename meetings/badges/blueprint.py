"""The badges blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("badges", __name__)
