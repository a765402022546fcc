"""The certificates blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)
