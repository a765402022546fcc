"""The audit blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
