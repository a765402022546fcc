"""The agenda blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("agenda", __name__)
