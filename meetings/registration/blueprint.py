"""The registration blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("registration", __name__)
