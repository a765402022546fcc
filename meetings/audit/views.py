"""The audit log page (admins only)."""

from flask import render_template, request
from sqlalchemy.orm import joinedload

from meetings.audit.blueprint import bp
from meetings.audit.service import latest_entries
from meetings.extensions import db
from meetings.models import AuditEntry
from meetings.web.access import admin_required
from meetings.web.request_guards import id_number, page_number


@bp.get("/manage/audit/")
@admin_required
def index():
    edition_id = request.args.get("edition", type=id_number)
    query = latest_entries(edition_id).options(
        joinedload(AuditEntry.user), joinedload(AuditEntry.edition)
    )
    page = db.paginate(query, page=page_number(), per_page=50, error_out=False)
    return render_template("audit/index.html", page=page, edition_id=edition_id)
