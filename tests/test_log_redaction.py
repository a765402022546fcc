"""No request log the project writes or ships holds a whole token: the development server's,
Flask's error lines, gunicorn's access log (deploy/gunicorn.conf.py) and nginx's (its map)."""

import http.client
import logging
import re

import pytest

from meetings import create_app
from meetings.web.log_redaction import redact
from tests.deploy import stack

TOKEN = "Tok3n_" * 7  # as long as a real one (43 characters)
SHOWN = "Tok3[...]"


def token_paths() -> list[str]:
    """Every route that takes a secret in its path, with TOKEN filled in."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    paths = [re.sub(r"<(?:\w+:)?(\w+)>", lambda m: TOKEN if m.group(1) == "token" else "7",
                    rule.rule)
             for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(paths) >= 10 and any(p.startswith("/password/") for p in paths)
    return sorted(paths)


def nginx_redact(path: str) -> str:
    """What deploy/nginx/meetings.conf's map logs for a path, evaluated with Python's re."""
    site = stack.SITE_FILE.read_text()
    entry = re.search(r'map \$uri \$meetings_log_path \{\s*"~([^"]+)"\s+"([^"]+)";', site)
    match = re.match(entry.group(1).replace("(?<", "(?P<"), path)
    if match is None:
        return path  # `default $uri`
    return re.sub(r"\$\{(\w+)\}", lambda m: match.group(m.group(1)), entry.group(2))


@pytest.mark.parametrize("path", token_paths())
def test_every_token_route_is_shortened_alike_by_the_app_and_nginx(path):
    assert TOKEN not in redact(path) and SHOWN in redact(path)
    assert nginx_redact(path) == redact(path)


def test_paths_without_tokens_are_logged_as_they_are():
    for path in ("/2027/agenda", "/2027/sessions/12", "/manage/editions/3/", "/feeds"):
        assert redact(path) == nginx_redact(path) == path


def test_query_strings_are_left_out():
    line = f'"GET /2027/register?code={TOKEN}&x=1 HTTP/1.1" 200 -'
    assert redact(line) == '"GET /2027/register?[...] HTTP/1.1" 200 -'


def test_flask_error_lines_name_the_path_without_its_token(app, caplog):
    @app.get("/boom/<token>")
    def boom(token):
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        assert app.test_client().get(f"/boom/{TOKEN}").status_code == 500
    assert "Exception on /boom/Tok3[...]" in caplog.text and TOKEN not in caplog.text


def visit_token_paths(port: int) -> int:
    """GET every token path (and an invitation code); how many requests were made."""
    paths = token_paths() + [f"/2027/register?code={TOKEN}"]
    for path in paths:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path)
        connection.getresponse().read()
        connection.close()
    return len(paths)


def server_env(app) -> dict:
    return stack.base_environment({"SECRET_KEY": "log-test-" + "0" * 32,
                                   "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_the_development_servers_request_log_holds_no_token(app, tmp_path):
    port = stack.free_port()
    server = stack.Process([str(stack.VENV_BIN / "flask"), "--app", "app", "run", "--port",
                            str(port), "--no-reload"], server_env(app), tmp_path / "dev.log",
                           "flask run")
    try:
        stack.wait_until(lambda: stack.port_open("127.0.0.1", port), 30, "flask run")
        visited = visit_token_paths(port)
        logged = stack.wait_until(
            lambda: (text := server.output()).count("HTTP/1.1") >= visited and text, 10,
            "the request log")
    finally:
        server.stop()
    assert TOKEN not in logged and "/manage-registration/Tok3[...]" in logged


def test_gunicorns_access_log_holds_no_token(app, tmp_path):
    port = stack.free_port()
    server = stack.start_gunicorn(server_env(app), f"127.0.0.1:{port}", tmp_path / "gunicorn.log",
                                  workers=1)
    try:
        visited = visit_token_paths(port)
        logged = stack.wait_until(
            lambda: (text := server.output()).count("HTTP/1.1") >= visited and text, 10,
            "the access log")
    finally:
        server.stop()
    assert TOKEN not in logged and "/feeds/organizer/Tok3[...].ics" in logged
