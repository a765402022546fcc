"""The venues blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("venues", __name__)
