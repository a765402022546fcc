"""The health blueprint; the view module adds its page to it."""

from flask import Blueprint

bp = Blueprint("health", __name__)
