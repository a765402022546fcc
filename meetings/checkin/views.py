"""The scanner page of a door-staff device, opened with its secret link; works offline.

The page, its manifest and its service worker sit under /checkin/ so the worker's scope covers
the page; the data the page needs comes from the API (api_views.py) with the same token.
"""

from pathlib import Path

from flask import Response, abort, current_app, jsonify, render_template, url_for

from meetings.checkin import reads, reasons
from meetings.checkin.blueprint import bp
from meetings.checkin.models import CheckKind, DoorStaff
from meetings.checkin.staff import staff_by_token


def device_or_404(token: str) -> DoorStaff:
    staff = staff_by_token(token)
    if staff is None:
        abort(404)
    return staff


def private(response: Response) -> Response:
    """Opened by a secret link: never stored by caches, the path never sent as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "strict-origin"
    return response


@bp.get("/checkin/device/<token>")
def device(token: str):
    staff = device_or_404(token)
    edition = staff.edition
    page = render_template(
        "checkin/scanner.html", edition=edition, staff=staff, token=token,
        doors=[reads.door_of(s) for s in reads.doors(edition)], kinds=reasons.KIND_TEXT,
        CheckKind=CheckKind, texts=reasons.all_texts())
    return private(Response(page))


@bp.get("/checkin/device/<token>/manifest.webmanifest")
def manifest(token: str):
    """The web-app manifest: installed, the scanner opens on this device's link."""
    staff = device_or_404(token)
    response = jsonify({
        "name": f"Check-in — {staff.edition.title}", "short_name": "Check-in",
        "start_url": url_for(".device", token=token), "scope": url_for(".service_worker")
        .rsplit("/", 1)[0] + "/", "display": "standalone", "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any",
                   "type": "image/svg+xml"}]})
    response.mimetype = "application/manifest+json"
    return private(response)


@bp.get("/checkin/sw.js")
def service_worker():
    """The service worker, served from /checkin/ so that its scope is the scanner's pages."""
    # Read whole (a small file): no open file handle outlives the response.
    worker = Path(current_app.static_folder, "checkin", "sw.js").read_bytes()
    response = Response(worker, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
