"""Login is rate limited, in memory by default and in Redis when RATELIMIT_STORAGE_URI says so."""

import uuid

from meetings import create_app
from meetings.extensions import db
from tests.conftest import build_test_config


def test_login_is_rate_limited(app, app_config, rate_limit_storage):
    """`app` creates the schema this second app shares."""
    config = dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=rate_limit_storage,
                  RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    app = create_app(build_test_config(config["SQLALCHEMY_DATABASE_URI"], **config))
    client = app.test_client()
    statuses = [client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Too many requests" in client.post("/login", data={}).get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
