"""The editions blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("editions", __name__)
