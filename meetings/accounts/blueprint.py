"""The accounts blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
