"""gunicorn settings for one meetings app host, behind deploy/nginx/meetings.conf.

    gunicorn -c deploy/gunicorn.conf.py app:app        (from the checkout, e.g. /srv/meetings/app)

Host-specific values come from the environment (deploy/meetings.env.example):
GUNICORN_BIND (address nginx connects to), WEB_CONCURRENCY (workers), GUNICORN_TIMEOUT and
FORWARDED_ALLOW_IPS (the nginx host). The app's own settings (SECRET_KEY, DATABASE_URL, ...)
are read by the app from the same environment.
"""

import multiprocessing
import os
import sys

from gunicorn.glogging import Logger

# The checkout (this file's parent's parent) on the path, for the app's own redaction rules.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from meetings.web.log_redaction import redact  # noqa: E402

# The address nginx's `upstream meetings_app` lists for this host.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Sync workers: a request holds a worker while it waits for PostgreSQL, so 2 per core plus one.
# Mail never goes out from a request (the mail worker sends it), so no request waits for SMTP.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A worker silent this long is killed and replaced; nginx answers 502 to that one request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Replace workers now and then so a slow leak never grows; jitter keeps them from restarting
# together.
max_requests = 2000
max_requests_jitter = 200
# Only nginx may say a request came over HTTPS (X-Forwarded-Proto); gunicorn reads
# FORWARDED_ALLOW_IPS itself, this line documents the default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs go to standard output and error: journald keeps them (journalctl -u meetings-web).
accesslog = "-"
errorlog = "-"
loglevel = "info"
# Client address (from nginx), method, path, status, bytes, milliseconds. No query string and no
# Referer: both can hold tokens; tokens in paths keep their first characters only
# (meetings/web/log_redaction.py, through RedactingLogger below).
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger, with tokens and query strings kept out of the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact(environ.get("PATH_INFO", ""))
        atoms.update({"U": path, "q": "", "f": "-", "{referer}i": "-",
                      "r": f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}"})
        return atoms


logger_class = RedactingLogger
