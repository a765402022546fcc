"""The mail blueprint; the view modules add their pages to it."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/manage/mail")
