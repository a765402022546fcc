"""Response headers that keep pages self-contained on a closed network and harder to abuse."""

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Pages for one signed-in person or opened by a secret token: never stored by browsers or proxies.
PRIVATE_PREFIXES = ("/manage", "/login", "/logout", "/account", "/password", "/invitation")


def is_private_path(path: str) -> bool:
    return path.startswith(PRIVATE_PREFIXES)


def add_security_headers(response: Response) -> Response:
    """Headers on every response, error pages included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    if is_private_path(request.path):
        headers["Cache-Control"] = "no-store"
        # The origin only, never the path (it may hold a token): enough for Flask-WTF's strict
        # Referer check over HTTPS, nothing for anyone else's logs.
        headers["Referrer-Policy"] = "strict-origin"
    else:
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    max_age = current_app.config["HSTS_SECONDS"]
    if request.is_secure and max_age:
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
