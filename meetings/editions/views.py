from flask import Blueprint

bp = Blueprint("editions", __name__)


@bp.get("/")
def index():
    return "editions"


@bp.get("/manage/")
def manage_index():
    return "manage"
