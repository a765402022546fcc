"""Input no view should see: control characters anywhere in a request, ids no row can have.

Checked once for every route, before any view runs: a NUL byte reaching PostgreSQL is an error
in the driver, an id beyond 64 bits one in SQLite's and beyond 32 bits one in PostgreSQL's
(INTEGER keys), so each would otherwise end as a 500.
"""

import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from meetings.i18n import gettext as _
from meetings.models import MAX_ID, id_number

# C0 controls and DEL; a form field may hold tabs and line breaks (text areas), a path nothing.
PATH_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IdConverter(IntegerConverter):
    """`<int:...>` for database ids: ASCII digits up to MAX_ID, else the route does not match."""

    regex = r"[0-9]+"  # \d would also match other scripts' digits

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_number() -> int:
    """The `?page=` of a paginated list: 1 when missing or not a plausible number."""
    return request.args.get("page", 1, type=id_number)


def optional_id(text: str | None) -> int | None:
    """An id, or None for an empty or malformed value."""
    try:
        return id_number(text or "")
    except ValueError:
        return None


def has_control_characters() -> bool:
    """Whether the path, a query argument or a form field holds a control character."""
    if PATH_CONTROLS.search(request.path):
        return True
    fields = [*request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        fields += request.form.items(multi=True)
    return any(TEXT_CONTROLS.search(name) or TEXT_CONTROLS.search(value)
               for name, value in fields)


def refuse_control_characters():
    if has_control_characters():
        abort(400, description=_("The address or the form contained characters that cannot be "
                                 "used. Go back and try again."))


def init_app(app: Flask) -> None:
    """Use IdConverter for every `<int:...>`; refuse control characters before anything else.

    Call before the blueprints are registered (rules bind their converters when added) and
    before the extensions (so this check runs first).
    """
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_control_characters)
