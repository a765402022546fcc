"""The bare endpoint bench/feeds.py compares the cached feed with: the same bytes from memory.

    BENCH_BODY_FILE=/tmp/feed.ics .venv/bin/gunicorn -w 4 -b 127.0.0.1:8001 bench.bare_app:app

No database, no cache lookup, no extensions: what Flask and gunicorn cost by themselves. The
gzip body is compressed once at start, as the feed cache stores it.
"""

import gzip
import os
from pathlib import Path

from flask import Flask, Response, request

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
GZIP_BODY = gzip.compress(BODY, compresslevel=6, mtime=0)

app = Flask(__name__)


@app.get("/feed.ics")
def feed():
    if request.accept_encodings["gzip"] > 0:
        response = Response(GZIP_BODY, content_type="text/calendar; charset=utf-8")
        response.headers["Content-Encoding"] = "gzip"
        return response
    return Response(BODY, content_type="text/calendar; charset=utf-8")
