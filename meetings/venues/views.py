from flask import Blueprint

bp = Blueprint("venues", __name__)
