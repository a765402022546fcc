"""GET /health: 200 while this host can serve pages, 503 when its database is unreachable."""

from flask import jsonify

from meetings.health import service
from meetings.health.blueprint import bp
from meetings.models import utcnow


@bp.get("/health")
def health():
    report = service.check(utcnow())
    response = jsonify(report.as_dict())
    response.status_code = 200 if report.serving else 503
    response.headers["Cache-Control"] = "no-store"  # a proxy must never answer for this host
    return response
