"""The feeds blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
