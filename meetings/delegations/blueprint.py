"""The delegations blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("delegations", __name__)
